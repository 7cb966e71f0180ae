// What the ONNX importer does with models it cannot take: a UserError (exit 1) that names the
// file, the op and the node, never a crash, also for corrupted bytes (a seeded mutation fuzz).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { OnnxBuilder } from '../helpers/onnx-builder.ts';
import { importOnnx, importOnnxBytes } from '../../compiler/importers/onnx/index.ts';
import { DataType } from '../../compiler/importers/onnx/proto.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { Prng } from '../../compiler/util/prng.ts';

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

function withSigmoid(): Uint8Array {
  const b = new OnnxBuilder();
  const x = b.input('x', [1, 3, 4, 4]);
  const y = b.node('Relu', [x]);
  b.output(b.node('Sigmoid', [y], {}, { name: 'gate' }));
  return b.toBytes();
}

function smallCnn(): Uint8Array {
  const rng = new Prng(11);
  const b = new OnnxBuilder('cnn');
  const x = b.input('x', [1, 3, 8, 8]);
  let y = b.node(
    'Conv',
    [
      x,
      b.init(
        'w',
        [4, 3, 3, 3],
        Array.from({ length: 108 }, () => rng.next()),
      ),
    ],
    { pads: [1, 1, 1, 1] },
  );
  y = b.node('Relu', [y]);
  y = b.node('MaxPool', [y], { kernel_shape: [2, 2], strides: [2, 2] });
  y = b.node('Reshape', [y, b.init('s', [2], [1, -1], DataType.INT64)]);
  b.output(
    b.node('Gemm', [
      y,
      b.init(
        'fc',
        [64, 5],
        Array.from({ length: 320 }, () => rng.next()),
      ),
    ]),
  );
  return b.toBytes();
}

describe('ONNX import errors', () => {
  it('an unsupported op names the op, the node and its index', () => {
    const e = userError(() => importOnnxBytes(withSigmoid(), 'gate.onnx'));
    expect(e.exitCode).toBe(1);
    expect(e.diagnostics[0].code).toBe('O0002');
    expect(e.diagnostics[0].message).toMatch(/^gate\.onnx: node 1 'gate' \(Sigmoid\): unsupported ONNX op 'Sigmoid'/);
  });

  it('an op from another domain is named with its domain', () => {
    const b = new OnnxBuilder();
    b.output(b.node('FusedConv', [b.input('x', [1, 3, 4, 4])], {}, { domain: 'com.microsoft', name: 'fc' }));
    expect(userError(() => importOnnxBytes(b.toBytes(), 'm.onnx')).message).toContain("unsupported ONNX op 'com.microsoft.FusedConv'");
  });

  it('malformed protobuf, empty and missing files are located input errors', () => {
    const bytes = smallCnn();
    const truncated = userError(() => importOnnxBytes(bytes.slice(0, bytes.length - 7), 'cut.onnx'));
    expect(truncated.diagnostics[0]).toMatchObject({ code: 'O0001' });
    expect(truncated.message).toMatch(/^cut\.onnx: not a valid ONNX model/);
    expect(userError(() => importOnnxBytes(new Uint8Array(0), 'empty.onnx')).message).toBe(
      'empty.onnx: not an ONNX model: it has no graph',
    );
    expect(userError(() => importOnnx('/nonexistent/model.onnx')).message).toContain(
      '/nonexistent/model.onnx: cannot read the file (ENOENT)',
    );
  });

  it('symbolic spatial dimensions, batch > 1 and weights fed at run time are refused with the reason', () => {
    let b = new OnnxBuilder();
    b.output(b.node('Relu', [b.input('x', ['N', 3, 'H', 'W'])]));
    expect(userError(() => importOnnxBytes(b.toBytes(), 'm.onnx')).message).toContain("dimension 2 is symbolic ('H')");
    b = new OnnxBuilder();
    b.output(b.node('Relu', [b.input('x', [4, 3, 8, 8])]));
    expect(userError(() => importOnnxBytes(b.toBytes(), 'm.onnx')).message).toContain('batch 4');
    b = new OnnxBuilder();
    b.output(b.node('Conv', [b.input('x', [1, 3, 8, 8]), b.input('w', [1, 3, 3, 3])], {}, { name: 'c' }));
    expect(userError(() => importOnnxBytes(b.toBytes(), 'm.onnx')).message).toContain(
      "node 0 'c' (Conv): weight (input 1, 'w') must be an initializer or a constant",
    );
  });

  it('shape mismatches are located at the node', () => {
    const b = new OnnxBuilder();
    const x = b.input('x', [1, 3, 4, 4]);
    b.output(b.node('Conv', [x, b.init('w', [2, 3, 7, 7], Array(294).fill(0))], {}, { name: 'big' }));
    const e = userError(() => importOnnxBytes(b.toBytes(), 'm.onnx'));
    expect(e.diagnostics[0].code).toBe('O0005');
    expect(e.message).toContain("node 0 'big' (Conv): window of 7 does not fit an input of 4");
  });

  it('zero strides, empty kernels and zero-size reshapes are refused, not turned into infinite shapes', () => {
    const conv = (attrs: Record<string, number[]>, dims = [2, 3, 3, 3]) => {
      const b = new OnnxBuilder();
      b.output(
        b.node('Conv', [b.input('x', [1, 3, 8, 8]), b.init('w', dims, Array(dims.reduce((p, q) => p * q, 1)).fill(0))], attrs, {
          name: 'c',
        }),
      );
      return userError(() => importOnnxBytes(b.toBytes(), 'm.onnx')).message;
    };
    expect(conv({ strides: [0, 1] })).toContain('strides [0, 1] must be positive');
    expect(conv({ dilations: [1, -2] })).toContain('dilations [1, -2] must be positive');
    expect(conv({}, [0, 3, 3, 3])).toContain('has an empty dimension');
    const b = new OnnxBuilder();
    b.output(b.node('MaxPool', [b.input('x', [1, 3, 8, 8])], { kernel_shape: [0, 2] }));
    expect(userError(() => importOnnxBytes(b.toBytes(), 'm.onnx')).message).toContain('kernel_shape [0, 2] must be positive');
  });

  it('seeded byte mutations never crash the importer (only UserErrors)', () => {
    const base = smallCnn();
    const rng = new Prng(4242);
    let rejected = 0;
    const codes = new Set<string>();
    for (let trial = 0; trial < 1500; trial++) {
      let bytes = Uint8Array.from(base);
      const mode = rng.int(3);
      if (mode === 0) for (let k = 1 + rng.int(4); k > 0; k--) bytes[rng.int(bytes.length)] = rng.int(256);
      else if (mode === 1) bytes = bytes.slice(0, rng.int(bytes.length));
      else {
        const at = rng.int(bytes.length);
        bytes = Uint8Array.from([...bytes.slice(0, at), rng.int(256), ...bytes.slice(at)]);
      }
      try {
        importOnnxBytes(bytes, `mut${trial}.onnx`);
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`trial ${trial}: internal error ${(e as Error).stack}`);
        rejected++;
        codes.add(e.diagnostics[0].code);
      }
    }
    // Both outcomes occur, and corruption is reported as more than one kind of problem.
    expect(rejected).toBeGreaterThan(0);
    expect(rejected).toBeLessThan(1500);
    expect(codes.size).toBeGreaterThan(2);
  });
});

describe('nacc inspect on .onnx files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-onnx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const nacc = (...args: string[]) => execa('node', ['bin/nacc.js', ...args], { reject: false, stdin: 'ignore' });

  it('an unsupported op exits 1 naming the op and the node, without a stack', async () => {
    const file = join(dir, 'gate.onnx');
    writeFileSync(file, withSigmoid());
    const r = await nacc('inspect', file);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${file}: node 1 'gate' (Sigmoid): unsupported ONNX op 'Sigmoid'`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a malformed file exits 1 with the file named', async () => {
    const file = join(dir, 'junk.onnx');
    writeFileSync(file, Buffer.from('this is not protobuf at all\xff\xff\xff'));
    const r = await nacc('inspect', file);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${file}: not a valid ONNX model`);
  });

  it('--json lists the layers with channels-last shapes and MACs', async () => {
    const file = join(dir, 'cnn.onnx');
    writeFileSync(file, smallCnn());
    const r = await nacc('inspect', file, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    const [net] = json.networks;
    expect(net.name).toBe('cnn');
    expect(net.layers.map((l: { op: string; output_shape: number[] }) => [l.op, l.output_shape])).toEqual([
      ['conv2d', [8, 8, 4]],
      ['maxpool', [4, 4, 4]],
      ['flatten', [64]],
      ['dense', [5]],
    ]);
    expect(net.totals.macs).toBe(8 * 8 * 4 * 27 + 64 * 5);
  });
});
