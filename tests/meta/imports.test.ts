// No import circles anywhere in the project (issue 18): every module under compiler/, testbench/, bench/,
// scripts/ and tests/ can be read bottom-up. The graph is the run-time one (type-only imports
// are erased by tsc and tsx), read with the TypeScript compiler's parser and resolver.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { circles, cyclePath, importGraph, type Graph } from './import-graph.ts';

const ROOT = join(import.meta.dirname, '../..');
let projectGraph: Graph | undefined;
/** The whole project's run-time graph, read once for every test below (it takes seconds). */
const graphOfProject = (): Graph => (projectGraph ??= importGraph(ROOT, ['compiler', 'testbench', 'bench', 'scripts', 'tests']));

describe('import graph', () => {
  it('has no circle in compiler/, testbench/, bench/, scripts/ or tests/', () => {
    const graph = graphOfProject();
    expect(graph.size).toBeGreaterThan(300);
    expect(circles(graph).map((c) => cyclePath(graph, c).join(' -> '))).toEqual([]);
  });

  it('the testbench proves what the compiler emits without reaching into the CLI', () => {
    const graph = graphOfProject();
    const into = [...graph].flatMap(([from, to]) =>
      from.startsWith('testbench/') ? [...to].filter((t) => t.startsWith('compiler/cli/')).map((t) => `${from} -> ${t}`) : [],
    );
    expect(into).toEqual([]);
    expect([...graph.keys()].filter((m) => m.startsWith('testbench/')).length).toBeGreaterThan(10);
  });

  it('importers only import: they read into the IR and nothing else, and the product uses each of them', () => {
    const graph = graphOfProject();
    const importer = (m: string) => m.startsWith('compiler/importers/');
    // An importer produces IR from a file: it may use diagnostics, the IR and utilities, never a
    // cost model, an emitter or a checking harness (those live in naas/, rtl/, testbench/fidelity/).
    const allowed = (m: string) =>
      ['compiler/importers/', 'compiler/diagnostics/', 'compiler/ir/', 'compiler/util/'].some((p) => m.startsWith(p));
    const reaching = [...graph].flatMap(([from, to]) =>
      importer(from) ? [...to].filter((t) => !allowed(t)).map((t) => `${from} -> ${t}`) : [],
    );
    expect(reaching).toEqual([]);
    // Every importer module is reached from the compiler or the testbench, not only from tests or
    // scripts (a writer or generator kept here for their sake belongs beside them).
    const used = new Set<string>();
    const visit = (m: string): void => {
      for (const t of graph.get(m) ?? []) if (importer(t) && !used.has(t)) (used.add(t), visit(t));
    };
    for (const m of graph.keys()) if ((m.startsWith('compiler/') || m.startsWith('testbench/')) && !importer(m)) visit(m);
    expect([...graph.keys()].filter((m) => importer(m) && !used.has(m))).toEqual([]);
  });

  it('finds a circle through a value import and a dynamic import, and ignores type-only ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-imports-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/a.ts'), "import { b } from './b.ts';\nexport const a = () => b;\n");
    writeFileSync(join(dir, 'src/b.ts'), "export const b = 1;\nexport const later = () => import('./c.ts');\n");
    writeFileSync(join(dir, 'src/c.ts'), "import { a } from './a.ts';\nimport type { T } from './d.ts';\nexport const c: T = a;\n");
    writeFileSync(join(dir, 'src/d.ts'), "import { c } from './c.ts';\nexport type T = typeof c;\n");
    const graph = importGraph(dir, ['src']);
    rmSync(dir, { recursive: true, force: true });
    // d -> c is a value import but c -> d is type-only, so d sits outside the circle
    expect(circles(graph)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    expect(cyclePath(graph, ['src/a.ts', 'src/b.ts', 'src/c.ts'])).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/a.ts']);
  });
});
