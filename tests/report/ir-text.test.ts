// `nacc inspect --print-ir` text and JSON (compiler/report/ir-text.ts): every layer once, in
// order, with its op, inputs and output type; declarations with their fields; stable output.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgram } from '../../compiler/frontend/index.ts';
import { programIrJson, programIrText, stableJson } from '../../compiler/report/ir-text.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { describeNeeds, needShared } from '../helpers/requires.ts';
import { sharedFiles } from '../helpers/shared.ts';

const exampleFiles = readdirSync('examples')
  .filter((f) => f.endsWith('.nacc'))
  .map((f) => join('examples', f));

function checkAgainstIr(p: Program, text: string) {
  const lines = text.split('\n');
  for (const n of p.networks) {
    const start = lines.indexOf(lines.find((l) => l.startsWith(`network ${n.name} {`))!);
    expect(start, n.name).toBeGreaterThanOrEqual(0);
    const body = lines.slice(start + 1, start + 1 + n.inputs.length + n.layers.length);
    n.inputs.forEach((inp, i) =>
      expect(body[i]).toBe(
        `  input %${inp.name} : ${inp.type.dtype} ${inp.type.kind}[${inp.type.shape.join(', ')}]${inp.type.estimated ? '~' : ''}` +
          (inp.attrs && Object.keys(inp.attrs).length ? body[i].slice(body[i].indexOf(' {')) : ''),
      ),
    );
    n.layers.forEach((l, i) => {
      const line = body[n.inputs.length + i];
      const m = /^  %(\S+) = (\w+)\(([^)]*)\)/.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![1]).toBe(l.name);
      expect(m![2]).toBe(l.op);
      expect(m![3]).toBe(l.inputs.map((x) => `%${x}`).join(', '));
      expect(line).toContain(` : ${l.output.dtype} ${l.output.kind}[${l.output.shape.join(', ')}]`);
    });
    expect(lines[start + 1 + n.inputs.length + n.layers.length]).toBe(`  output ${n.outputs.map((o) => `%${o}`).join(', ')}`);
  }
  for (const a of p.accelerators) expect(text).toContain(`accelerator ${a.name} {`);
  for (const m of p.mcus) expect(text).toContain(`mcu ${m.name} {`);
  for (const f of p.federated) expect(text).toContain(`federated ${f.name} {`);
}

describe('--print-ir on real files (examples/)', () => {
  it('examples/ holds .nacc files to check', () => expect(exampleFiles.length).toBeGreaterThan(0));
  printIrChecks(exampleFiles);
});
describeNeeds([needShared('dsl-examples')], '--print-ir on real files (../shared/dsl-examples)', () =>
  printIrChecks(sharedFiles('dsl-examples', '.nacc')),
);

function printIrChecks(files: string[]): void {
  it.each(files)('%s', (file) => {
    const p = loadProgram(file);
    const text = programIrText(p);
    checkAgainstIr(p, text);
    expect(programIrText(loadProgram(file))).toBe(text);
    const json = JSON.parse(JSON.stringify(programIrJson(p))) as { networks: { layers: unknown[] }[]; accelerators: unknown[] };
    expect(json.networks.map((n) => n.layers.length)).toEqual(p.networks.map((n) => n.layers.length));
    expect(json.accelerators).toHaveLength(p.accelerators.length);
  });
}

describe('ir text', () => {
  it('sorts keys and drops undefined fields in declarations', () => {
    expect(stableJson({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{a: [{c: "x"}], b: 1}');
  });
  it('summarises constant tensors by dtype and shape only', () => {
    const p = {
      networks: [
        {
          name: 'n',
          source: 'onnx' as const,
          inputs: [{ name: 'x', type: { kind: 'vector' as const, dtype: 'float32' as const, shape: [4] } }],
          layers: [
            {
              name: 'fc',
              op: 'dense',
              inputs: ['x'],
              attrs: { out: 2 },
              output: { kind: 'vector' as const, dtype: 'float32' as const, shape: [2] },
              weights: { kernel: { dtype: 'float32' as const, shape: [4, 2], data: new Float32Array(8) } },
            },
          ],
          outputs: ['fc'],
        },
      ],
    };
    expect(programIrText(p)).toBe(
      'network n {  // onnx\n  input %x : float32 vector[4]\n  %fc = dense(%x) {out: 2} weights {kernel: float32[4, 2]} : float32 vector[2]\n  output %fc\n}\n',
    );
    expect(JSON.stringify(programIrJson(p))).toContain('"weights":{"kernel":{"dtype":"float32","shape":[4,2]}}');
  });
});
