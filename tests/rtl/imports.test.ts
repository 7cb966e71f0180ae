// The accelerator generator's modules import values without a circle (issue 18 item 2): the
// array's structure (array.ts) sits below the planner, the loop nest, the schedule and the emitter.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../compiler/rtl/accelerator');

/** Modules of DIR each module imports values from (type-only imports and re-exports of types left out). */
function valueImports(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(DIR, f), 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+'\.\/([^']+)'/gm)) {
      if (m[1]) continue;
      const names = m[2].trim();
      const braced = /^\{[\s\S]*\}$/.test(names);
      if (braced && names.slice(1, -1).split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '))) continue;
      deps.push(m[3]);
    }
    out.set(f, deps);
  }
  return out;
}

function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, number>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (u: string) => {
    state.set(u, 1);
    stack.push(u);
    for (const v of graph.get(u) ?? []) {
      if (!graph.has(v)) continue;
      if (state.get(v) === 1) found.push([...stack.slice(stack.indexOf(v)), v].join(' -> '));
      else if (!state.get(v)) visit(v);
    }
    stack.pop();
    state.set(u, 2);
  };
  for (const f of graph.keys()) if (!state.get(f)) visit(f);
  return found;
}

describe('compiler/rtl/accelerator imports', () => {
  it('has no value-import circle', () => {
    const graph = valueImports();
    expect(graph.size).toBeGreaterThan(5);
    expect(cycles(graph)).toEqual([]);
  });

  it('hardware.ts and mapping.ts take shared facts from array.ts, not from each other', () => {
    const graph = valueImports();
    expect(graph.get('hardware.ts')).not.toContain('mapping.ts');
    expect(graph.get('mapping.ts')).not.toContain('hardware.ts');
    expect(graph.get('array.ts')!.filter((d) => d !== 'problem.ts')).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual(['a.ts -> b.ts -> a.ts']);
  });
});
