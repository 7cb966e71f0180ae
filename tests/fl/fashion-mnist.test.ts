// Fashion-MNIST from Debian's package through the one IDX loader: validated headers, located
// errors on damaged files, and federated jobs that name it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdx } from '../../compiler/fl/idx.ts';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../../compiler/fl/fashion-mnist.ts';
import { prepareData } from '../../compiler/fl/data.ts';
import { TOOLS } from '../../testbench/tools/tools.ts';
import { UserError, formatDiagnostics } from '../../compiler/diagnostics/index.ts';
import { describeNeeds, needTool } from '../helpers/requires.ts';
import { nacc } from '../helpers/cli.ts';

/** IDX bytes: magic 0x0000_08_rank, big-endian dims, then the data. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

const images = (n: number) =>
  idx(
    [n, 28, 28],
    Uint8Array.from({ length: n * 784 }, (_, i) => (i * 7) % 256),
  );
const labels = (ys: number[]) => idx([ys.length], Uint8Array.from(ys));

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return formatDiagnostics((e as UserError).diagnostics);
  }
  throw new Error('expected a UserError');
}

function writeSet(dir: string, files: Record<string, Uint8Array>): void {
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
}

describe('IDX files', () => {
  it('parse dims and data; each kind of damage is a located F0210 error', () => {
    const ok = parseIdx(images(2), 'a.idx', 3);
    expect(ok.dims).toEqual([2, 28, 28]);
    expect(ok.data.length).toBe(2 * 784);
    expect(ok.data[8]).toBe(56);

    const whole = images(2);
    const truncated = errorOf(() => parseIdx(whole.subarray(0, whole.length - 100), 'img.idx', 3));
    expect(truncated).toMatch(
      /^img\.idx:1:\d+: error\[F0210\]: truncated IDX file: dimensions 2×28×28 need 1568 data bytes after the 16-byte header, the file has 1468/,
    );
    expect(truncated).toMatch(/00 00 08 03 00 00 00 02 00 00 00 1c 00 00 00 1c/);

    const badMagic = Uint8Array.from(whole);
    badMagic[1] = 7;
    expect(errorOf(() => parseIdx(badMagic, 'm.idx'))).toMatch(/^m\.idx:1:1: error\[F0210\]: not an IDX file/);
    const floats = Uint8Array.from(whole);
    floats[2] = 0x0d;
    expect(errorOf(() => parseIdx(floats, 'f.idx'))).toMatch(/^f\.idx:1:7: error\[F0210\]: IDX element type 0x0d/);
    expect(errorOf(() => parseIdx(labels([1, 2]), 'l.idx', 3))).toMatch(/IDX rank 1, expected 3/);
    expect(errorOf(() => parseIdx(Buffer.concat([whole, Buffer.from([1, 2])]), 't.idx', 3))).toMatch(/2 bytes after the 2×28×28 data/);
    expect(errorOf(() => parseIdx(whole.subarray(0, 10), 'h.idx', 3))).toMatch(/truncated IDX header/);
  });

  it('a Fashion-MNIST folder: gzipped or raw, labels checked against images', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-fmnist-'));
    try {
      writeSet(dir, {
        'train-images-idx3-ubyte.gz': gzipSync(images(3)),
        'train-labels-idx1-ubyte.gz': gzipSync(labels([0, 9, 4])),
        't10k-images-idx3-ubyte': images(2),
        't10k-labels-idx1-ubyte': labels([1, 2]),
      });
      const d = loadFashionMnist(dir);
      expect([d.train.count, d.test.count, d.train.features, d.train.classes]).toEqual([3, 2, 784, 10]);
      expect(Array.from(d.train.y)).toEqual([0, 9, 4]);
      expect(d.train.x[8]).toBeCloseTo(56 / 255, 6);

      writeSet(dir, { 't10k-labels-idx1-ubyte': labels([1, 12]) });
      expect(errorOf(() => loadFashionMnist(dir))).toMatch(/label 12 of sample 1 \(byte 9\) is not a class 0-9/);
      writeSet(dir, { 't10k-labels-idx1-ubyte': labels([1, 2, 3]) });
      expect(errorOf(() => loadFashionMnist(dir))).toMatch(/has 3 labels but .* has 2 images/);
      const gz = gzipSync(images(3));
      writeSet(dir, { 't10k-labels-idx1-ubyte': labels([1, 2]), 'train-images-idx3-ubyte.gz': gz.subarray(0, gz.length >> 1) });
      expect(errorOf(() => loadFashionMnist(dir))).toMatch(/train-images-idx3-ubyte\.gz:1:\d+: error\[F0210\]: damaged gzip stream/);
      rmSync(join(dir, 'train-images-idx3-ubyte.gz'));
      expect(errorOf(() => loadFashionMnist(dir))).toMatch(/error\[F0212\]: Fashion-MNIST file train-images-idx3-ubyte\(\.gz\) not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a federated job on a damaged data folder stops with the located error (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nacc-fmnist-job-'));
    try {
      const whole = images(4);
      writeSet(dir, {
        'train-images-idx3-ubyte': whole.subarray(0, whole.length - 1),
        'train-labels-idx1-ubyte': labels([0, 1, 2, 3]),
        't10k-images-idx3-ubyte': images(2),
        't10k-labels-idx1-ubyte': labels([1, 2]),
      });
      const file = join(dir, 'job.nacc');
      writeFileSync(
        file,
        `network m {\n  input image: float32[28, 28, 1]\n  x = flatten(image)\n  output dense(x, out: 10)\n}\n` +
          `federated j {\n  network: m\n  data: fashion_mnist(path: "${dir}", partition: iid)\n  workers: 2\n  step_time: 10 ms\n  latency: 10 ms\n` +
          `  algorithm: fedavg(local_steps: 1)\n  optimizer: sgd(lr: 0.1)\n  batch: 2\n  max_steps: 2\n  seed: 1\n}\n`,
      );
      const r = await nacc(['fl', file, '--job', 'j']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${join(dir, 'train-images-idx3-ubyte')}:1:`);
      expect(r.stderr).toMatch(/error\[F0210\]: truncated IDX file/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the loader's default folder is where tools.json (the bootstrap's list) checks for the package", () => {
    const entry = TOOLS.find((t) => t.name === 'fashion-mnist');
    expect(entry?.debian).toBe('dataset-fashion-mnist');
    expect(dirname(entry!.file!)).toBe(FASHION_MNIST_DIR);
  });
});

describeNeeds([await needTool('fashion-mnist')], "Debian's Fashion-MNIST", () => {
  it('60,000 training and 10,000 test images, 6,000 and 1,000 per class', () => {
    const d = loadFashionMnist();
    expect([d.train.count, d.test.count]).toEqual([60000, 10000]);
    for (const [set, per] of [
      [d.train, 6000],
      [d.test, 1000],
    ] as const) {
      const counts = new Array(10).fill(0);
      for (const y of set.y) counts[y]++;
      expect(counts).toEqual(new Array(10).fill(per));
    }
  });

  it('a seeded sample and partition, identical for the same seed', () => {
    const spec = { generator: 'fashion_mnist', samples: 1000, partition: { kind: 'dirichlet', alpha: 0.5 } as const, args: { test: 200 } };
    const a = prepareData(spec, 4, 7);
    const b = prepareData(spec, 4, 7);
    expect([a.train.count, a.test.count]).toEqual([1000, 200]);
    expect(a.description).toBe('fashion_mnist 1000 train / 200 test, 28x28, dirichlet(0.5)');
    expect(a.parts.map((p) => Array.from(p))).toEqual(b.parts.map((p) => Array.from(p)));
    expect(Buffer.from(a.train.x.buffer).equals(Buffer.from(b.train.x.buffer))).toBe(true);
    expect(a.parts.reduce((n, p) => n + p.length, 0)).toBe(1000);
  });
});
