// The accelerator generator's modules import values without a circle (issue 18 item 2): the
// array's structure (array.ts) sits below the planner, the loop nest, the schedule and the emitter.
// The graph is read with the TypeScript compiler's own parser (tests/meta/import-graph.ts), so
// type-only imports are left out exactly as tsc and tsx leave them out of the emitted JavaScript.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { circles, cyclePath, importGraph } from '../meta/import-graph.ts';

const ROOT = join(import.meta.dirname, '../..');
const DIR = 'compiler/rtl/accelerator';

/** Modules of DIR each module imports values from, by file name. */
function valueImports(): Map<string, string[]> {
  const graph = importGraph(ROOT, [DIR]);
  const out = new Map<string, string[]>();
  for (const [file, deps] of graph)
    out.set(
      file.slice(DIR.length + 1),
      [...deps].map((d) => d.slice(DIR.length + 1)),
    );
  return out;
}

describe('compiler/rtl/accelerator imports', () => {
  it('has no value-import circle', () => {
    const graph = importGraph(ROOT, [DIR]);
    expect(graph.size).toBeGreaterThan(5);
    expect(circles(graph).map((c) => cyclePath(graph, c).join(' -> '))).toEqual([]);
  });

  it('hardware.ts and mapping.ts take shared facts from array.ts, not from each other', () => {
    const graph = valueImports();
    expect(graph.get('hardware.ts')).not.toContain('mapping.ts');
    expect(graph.get('mapping.ts')).not.toContain('hardware.ts');
    expect(graph.get('array.ts')!.filter((d) => d !== 'problem.ts')).toEqual([]);
  });
});
