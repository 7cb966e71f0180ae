// Training data for federated jobs: a generated handwritten-digit-like set (stroke glyphs
// rendered at 16x16 under random affine distortion, stroke width and noise), the LEAF
// synthetic generator (Li et al., FedProx), a CSV parser, and the IID / Dirichlet / shard
// partitions that split a training set across workers; Fashion-MNIST from Debian's package
// (fashion-mnist.ts). Everything is seeded.
import { D, fail } from '../diagnostics/index.ts';
import type { Location } from '../diagnostics/index.ts';
import { DATA_GENERATORS, type DataSpec, type Partition } from '../ir/targets.ts';
import { Prng } from '../util/prng.ts';
import { loadFashionMnist } from './fashion-mnist.ts';

export interface Dataset {
  /** Values per sample. */
  features: number;
  classes: number;
  count: number;
  /** count * features values, sample-major (HWC for images). */
  x: Float32Array;
  y: Int32Array;
}

export interface FederatedData {
  train: Dataset;
  test: Dataset;
  /** Training-sample indices of each worker. */
  parts: Int32Array[];
  /** Human-readable description of the data and the split. */
  description: string;
}

// ---- handwritten-digit-like glyphs ------------------------------------------------------

type Pt = [number, number];

/** Arc on a circle (screen coordinates, y down; angles in degrees, 0 = right, 90 = down). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, n = 14): Pt[] {
  const pts: Pt[] = [];
  for (let i = 0; i <= n; i++) {
    const t = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return pts;
}

/** Each digit as polylines in the unit box. */
const GLYPHS: Pt[][][] = [
  [arc(0.5, 0.5, 0.26, 0.4, 0, 360, 20)],
  [
    [
      [0.36, 0.24],
      [0.54, 0.1],
      [0.54, 0.9],
    ],
  ],
  [[...arc(0.5, 0.33, 0.24, 0.22, 200, 380, 10), [0.24, 0.9], [0.8, 0.9]]],
  [arc(0.48, 0.3, 0.22, 0.2, 200, 450, 12), arc(0.48, 0.7, 0.25, 0.2, 270, 520, 12)],
  [
    [
      [0.66, 0.9],
      [0.66, 0.1],
      [0.2, 0.64],
      [0.82, 0.64],
    ],
  ],
  [[[0.76, 0.1], [0.34, 0.1], [0.3, 0.46], ...arc(0.5, 0.66, 0.25, 0.23, 240, 510, 12)]],
  [
    [
      [0.7, 0.1],
      [0.48, 0.22],
      [0.33, 0.45],
      [0.28, 0.66],
    ],
    arc(0.5, 0.68, 0.22, 0.21, 180, 540, 16),
  ],
  [
    [
      [0.2, 0.1],
      [0.8, 0.1],
      [0.42, 0.9],
    ],
  ],
  [arc(0.5, 0.29, 0.19, 0.19, 0, 360, 16), arc(0.5, 0.7, 0.23, 0.21, 0, 360, 16)],
  [
    arc(0.5, 0.32, 0.22, 0.21, 0, 360, 16),
    [
      [0.72, 0.34],
      [0.66, 0.62],
      [0.58, 0.9],
    ],
  ],
];

export interface DigitOptions {
  size?: number;
  /** Max rotation in radians. */
  rotation?: number;
  /** Max shear. */
  shear?: number;
  /** Scale range. */
  scale?: [number, number];
  /** Max translation as a fraction of the image. */
  shift?: number;
  /** Stroke width range in pixels. */
  stroke?: [number, number];
  /** Gaussian pixel noise standard deviation. */
  noise?: number;
  /** Per-vertex wobble as a fraction of the image. */
  wobble?: number;
}

/** Render n digit images (labels cycle through 0..9 in a shuffled order) at size x size. */
export function syntheticDigits(n: number, seed: number, opts: DigitOptions = {}): Dataset {
  const S = opts.size ?? 16;
  const rotMax = opts.rotation ?? 0.3;
  const shearMax = opts.shear ?? 0.3;
  const [sLo, sHi] = opts.scale ?? [0.72, 1.05];
  const shift = opts.shift ?? 0.1;
  const [wLo, wHi] = opts.stroke ?? [1.0, 2.4];
  const noise = opts.noise ?? 0.12;
  const wobble = opts.wobble ?? 0.035;
  const rng = new Prng(seed);
  const x = new Float32Array(n * S * S);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % 10;
  shuffleInts(y, rng);
  const segs: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = y[i];
    const rot = rng.uniform(-rotMax, rotMax);
    const sh = rng.uniform(-shearMax, shearMax);
    const sc = rng.uniform(sLo, sHi);
    const aspect = rng.uniform(0.85, 1.15);
    const tx = rng.uniform(-shift, shift);
    const ty = rng.uniform(-shift, shift);
    const c = Math.cos(rot);
    const s = Math.sin(rot);
    // A = R * Shear * Scale, applied about the glyph centre.
    const sx = sc * aspect;
    const sy = sc / aspect;
    const a00 = c * sx;
    const a01 = (c * sh - s) * sy;
    const a10 = s * sx;
    const a11 = (s * sh + c) * sy;
    const width = rng.uniform(wLo, wHi) / S;
    segs.length = 0;
    for (const line of GLYPHS[label]) {
      let px = 0;
      let py = 0;
      for (let k = 0; k < line.length; k++) {
        const u = line[k][0] + rng.uniform(-wobble, wobble) - 0.5;
        const v = line[k][1] + rng.uniform(-wobble, wobble) - 0.5;
        const qx = a00 * u + a01 * v + 0.5 + tx;
        const qy = a10 * u + a11 * v + 0.5 + ty;
        if (k > 0) segs.push(px, py, qx, qy);
        px = qx;
        py = qy;
      }
    }
    const o = i * S * S;
    const half = width / 2;
    for (let r = 0; r < S; r++) {
      const cy = (r + 0.5) / S;
      for (let col = 0; col < S; col++) {
        const cx = (col + 0.5) / S;
        let d2 = Infinity;
        for (let k = 0; k < segs.length; k += 4) {
          const d = segDist2(cx, cy, segs[k], segs[k + 1], segs[k + 2], segs[k + 3]);
          if (d < d2) d2 = d;
        }
        // Anti-aliased coverage: 1 inside the stroke, falling to 0 over one pixel.
        const cover = Math.min(1, Math.max(0, (half - Math.sqrt(d2)) * S + 0.5));
        let v = cover + noise * rng.normal();
        if (rng.next() < 0.02) v = rng.next();
        x[o + r * S + col] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return { features: S * S, classes: 10, count: n, x, y };
}

function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

// ---- LEAF synthetic ---------------------------------------------------------------------

export interface LeafOptions {
  alpha?: number;
  beta?: number;
  dim?: number;
  classes?: number;
}

/**
 * Synthetic(alpha, beta) of LEAF / FedProx: device k draws u_k ~ N(0, alpha), B_k ~ N(0, beta),
 * W_k, b_k ~ N(u_k, 1), v_k ~ N(B_k, 1); its samples are x ~ N(v_k, diag(j^-1.2)) and
 * y = argmax(W_k x + b_k). Device sizes follow a log-normal law. Returns the pooled samples
 * and each device's indices.
 */
export function leafSynthetic(
  total: number,
  devices: number,
  seed: number,
  opts: LeafOptions = {},
): { data: Dataset; devices: Int32Array[] } {
  const alpha = opts.alpha ?? 1;
  const beta = opts.beta ?? 1;
  const dim = opts.dim ?? 60;
  const C = opts.classes ?? 10;
  const rng = new Prng(seed);
  const weights = Array.from({ length: devices }, () => Math.exp(rng.normal() * 0.8));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const minPer = Math.min(10, Math.floor(total / devices));
  const counts = weights.map((w) => minPer + Math.floor(((total - minPer * devices) * w) / wsum));
  counts[0] += total - counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(total * dim);
  const y = new Int32Array(total);
  const sigma = Float64Array.from({ length: dim }, (_, j) => Math.sqrt(Math.pow(j + 1, -1.2)));
  const idx: Int32Array[] = [];
  const W = new Float64Array(C * dim);
  const b = new Float64Array(C);
  const v = new Float64Array(dim);
  let s = 0;
  for (let k = 0; k < devices; k++) {
    const u = rng.normal() * Math.sqrt(alpha);
    const B = rng.normal() * Math.sqrt(beta);
    for (let i = 0; i < W.length; i++) W[i] = u + rng.normal();
    for (let i = 0; i < C; i++) b[i] = u + rng.normal();
    for (let j = 0; j < dim; j++) v[j] = B + rng.normal();
    const mine = new Int32Array(counts[k]);
    for (let n = 0; n < counts[k]; n++, s++) {
      mine[n] = s;
      for (let j = 0; j < dim; j++) x[s * dim + j] = v[j] + sigma[j] * rng.normal();
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        let z = b[c];
        for (let j = 0; j < dim; j++) z += W[c * dim + j] * x[s * dim + j];
        if (z > bestV) {
          bestV = z;
          best = c;
        }
      }
      y[s] = best;
    }
    idx.push(mine);
  }
  return { data: { features: dim, classes: C, count: total, x, y }, devices: idx };
}

// ---- CSV --------------------------------------------------------------------------------

export interface CsvOptions {
  /** Label column: a header name or a 0-based index; default the last column. */
  label?: string | number;
  /** Multiply every feature by this. */
  scale?: number;
}

/** Parse numeric CSV rows (optional header) into a data set; string labels are indexed in sorted order. */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): Dataset {
  const lines = text.split(/\r?\n/);
  const rows: { cells: string[]; line: number }[] = [];
  lines.forEach((l, i) => {
    if (l.trim() !== '' && !l.startsWith('#')) rows.push({ cells: l.split(',').map((c) => c.trim()), line: i + 1 });
  });
  const loc = (line: number): Location => ({
    file,
    line,
    column: 1,
    length: Math.max(1, lines[line - 1]?.length ?? 1),
    lineText: lines[line - 1] ?? '',
  });
  if (!rows.length) fail(D.csvEmpty, `CSV file '${file}' has no rows`, loc(1));
  let header: string[] | undefined;
  if (rows[0].cells.some((c) => c !== '' && !Number.isFinite(Number(c)))) header = rows.shift()!.cells;
  if (!rows.length) fail(D.csvEmpty, `CSV file '${file}' has a header but no data rows`, loc(1));
  const width = rows[0].cells.length;
  if (width < 2) fail(D.csvEmpty, `CSV file '${file}' needs at least one feature column and a label column`, loc(rows[0].line));
  let labelCol = width - 1;
  if (typeof opts.label === 'number') labelCol = opts.label;
  else if (typeof opts.label === 'string') {
    const i = header ? header.indexOf(opts.label) : -1;
    if (i < 0) fail(D.csvLabel, `CSV file '${file}' has no column named '${opts.label}'`, loc(1));
    labelCol = i;
  }
  if (labelCol < 0 || labelCol >= width)
    fail(D.csvLabel, `label column ${labelCol} is outside the ${width} columns of '${file}'`, loc(rows[0].line));
  const features = width - 1;
  const scale = opts.scale ?? 1;
  const x = new Float32Array(rows.length * features);
  const rawLabels: string[] = [];
  rows.forEach((r, i) => {
    if (r.cells.length !== width) fail(D.csvRow, `row has ${r.cells.length} columns, expected ${width}`, loc(r.line));
    let f = 0;
    for (let c = 0; c < width; c++) {
      if (c === labelCol) {
        rawLabels.push(r.cells[c]);
        continue;
      }
      const v = Number(r.cells[c]);
      if (r.cells[c] === '' || !Number.isFinite(v)) fail(D.csvRow, `column ${c + 1} is not a number: '${r.cells[c]}'`, loc(r.line));
      x[i * features + f++] = v * scale;
    }
  });
  const numeric = rawLabels.every((l) => /^\d+$/.test(l));
  const y = new Int32Array(rows.length);
  let classes: number;
  if (numeric) {
    rawLabels.forEach((l, i) => (y[i] = Number(l)));
    classes = Math.max(...y) + 1;
  } else {
    const names = [...new Set(rawLabels)].sort();
    const ix = new Map(names.map((n, i) => [n, i]));
    rawLabels.forEach((l, i) => (y[i] = ix.get(l)!));
    classes = names.length;
  }
  return { features, classes, count: rows.length, x, y };
}

// ---- splits and partitions --------------------------------------------------------------

export function subset(d: Dataset, idx: ArrayLike<number>): Dataset {
  const x = new Float32Array(idx.length * d.features);
  const y = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i];
    x.set(d.x.subarray(s * d.features, (s + 1) * d.features), i * d.features);
    y[i] = d.y[s];
  }
  return { features: d.features, classes: d.classes, count: idx.length, x, y };
}

export function shuffleInts(a: Int32Array, rng: Prng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** Gamma(shape, 1) by Marsaglia-Tsang (boosted for shape < 1). */
export function sampleGamma(shape: number, rng: Prng): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(Math.max(rng.next(), 1e-300), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number;
    let v: number;
    do {
      z = rng.normal();
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * z * z * z * z || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Split sample indices 0..labels.length-1 across workers. */
export function partitionIndices(
  labels: Int32Array,
  classes: number,
  workers: number,
  p: Partition,
  seed: number,
  where?: Location,
): Int32Array[] {
  const rng = new Prng(seed);
  const n = labels.length;
  if (n < workers) fail(D.flDataSplit, `${n} training samples cannot be split across ${workers} workers`, where);
  if (p.kind === 'iid') {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    shuffleInts(all, rng);
    return Array.from({ length: workers }, (_, w) => all.slice(Math.floor((w * n) / workers), Math.floor(((w + 1) * n) / workers)));
  }
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
  for (const c of byClass) {
    const a = Int32Array.from(c);
    shuffleInts(a, rng);
    c.splice(0, c.length, ...a);
  }
  if (p.kind === 'dirichlet') {
    if (!(p.alpha > 0)) fail(D.flDataSplit, `dirichlet alpha must be positive, got ${p.alpha}`, where);
    // Resample until every worker holds a usable share (at most a few tries for alpha >= 0.1).
    const minSize = Math.min(10, Math.floor(n / workers / 2));
    let parts: number[][] = [];
    for (let attempt = 0; attempt < 200; attempt++) {
      parts = Array.from({ length: workers }, () => []);
      for (const c of byClass) {
        const g = Array.from({ length: workers }, () => sampleGamma(p.alpha, rng));
        const sum = g.reduce((a, b) => a + b, 0);
        let start = 0;
        let acc = 0;
        for (let w = 0; w < workers; w++) {
          acc += g[w] / sum;
          const end = w === workers - 1 ? c.length : Math.round(acc * c.length);
          for (let k = start; k < end; k++) parts[w].push(c[k]);
          start = Math.max(start, end);
        }
      }
      if (parts.every((q) => q.length >= minSize)) break;
    }
    return parts.map((q) => {
      const a = Int32Array.from(q);
      shuffleInts(a, rng);
      return a;
    });
  }
  // Label shards: sort by label, cut into workers * perWorker shards, deal them out at random.
  const per = p.perWorker;
  if (!(per >= 1)) fail(D.flDataSplit, `shards per worker must be at least 1, got ${per}`, where);
  const sorted = Int32Array.from(byClass.flat());
  const shards = workers * per;
  const order = Int32Array.from({ length: shards }, (_, i) => i);
  shuffleInts(order, rng);
  return Array.from({ length: workers }, (_, w) => {
    const q: number[] = [];
    for (let k = 0; k < per; k++) {
      const s = order[w * per + k];
      for (let i = Math.floor((s * n) / shards); i < Math.floor(((s + 1) * n) / shards); i++) q.push(sorted[i]);
    }
    const a = Int32Array.from(q);
    shuffleInts(a, rng);
    return a;
  });
}

const numArg = (spec: DataSpec, k: string, d: number, where?: Location): number => {
  const v = spec.args[k];
  if (v === undefined) return d;
  if (typeof v !== 'number') fail(D.flDataSpec, `data argument '${k}' must be a number`, where);
  return v;
};

/**
 * Build the training set, the test set and the worker partition for a data spec.
 * readText reads a CSV path (the CLI resolves it next to the .nacc file).
 */
export function prepareData(
  spec: DataSpec,
  workers: number,
  seed: number,
  readText?: (path: string) => string,
  where?: Location,
): FederatedData {
  const num = (k: string, d: number) => numArg(spec, k, d, where);
  const partName =
    spec.partition.kind === 'dirichlet'
      ? `dirichlet(${spec.partition.alpha})`
      : spec.partition.kind === 'shards'
        ? `shards(${spec.partition.perWorker})`
        : 'iid';
  switch (spec.generator) {
    case 'synthetic_digits':
    case 'digits': {
      const n = spec.samples ?? 8000;
      const testN = num('test', Math.min(2000, Math.max(200, Math.round(n / 4))));
      const opts: DigitOptions = {
        noise: num('noise', 0.12),
        rotation: num('rotation', 0.3),
        shear: num('shear', 0.3),
      };
      const train = syntheticDigits(n, seed * 7919 + 1, opts);
      const test = syntheticDigits(testN, seed * 7919 + 2, opts);
      return {
        train,
        test,
        parts: partitionIndices(train.y, 10, workers, spec.partition, seed * 7919 + 3, where),
        description: `synthetic_digits ${n} train / ${testN} test, 16x16, ${partName}`,
      };
    }
    case 'leaf_synthetic':
    case 'synthetic': {
      const n = spec.samples ?? 4000;
      const testFraction = num('test_fraction', 0.2);
      const total = Math.round(n / (1 - testFraction));
      const { data, devices } = leafSynthetic(total, workers, seed * 7919 + 1, {
        alpha: num('alpha', 1),
        beta: num('beta', 1),
        dim: num('dim', 60),
        classes: num('classes', 10),
      });
      // LEAF's split: the last test_fraction of each device is held out.
      const trainIdx: number[] = [];
      const testIdx: number[] = [];
      const natural: number[][] = [];
      for (const dev of devices) {
        const cut = Math.max(1, Math.round(dev.length * (1 - testFraction)));
        const mine: number[] = [];
        for (let i = 0; i < dev.length; i++) {
          if (i < cut) {
            mine.push(trainIdx.length);
            trainIdx.push(dev[i]);
          } else testIdx.push(dev[i]);
        }
        natural.push(mine);
      }
      const train = subset(data, trainIdx);
      const test = subset(data, testIdx);
      const useNatural = spec.args.natural !== false;
      const parts = useNatural
        ? natural.map((q) => Int32Array.from(q))
        : partitionIndices(train.y, train.classes, workers, spec.partition, seed * 7919 + 3, where);
      return {
        train,
        test,
        parts,
        description: `leaf_synthetic(${num('alpha', 1)}, ${num('beta', 1)}) ${train.count} train / ${test.count} test, ${useNatural ? 'one device per worker' : partName}`,
      };
    }
    case 'csv': {
      const path = spec.path ?? (typeof spec.args.path === 'string' ? spec.args.path : undefined);
      if (!path) fail(D.flDataSpec, `csv data needs a path, e.g. csv(path: "train.csv")`, where);
      if (!readText) fail(D.flDataSpec, 'csv data needs a file reader', where);
      const label = spec.args.label;
      const all = parseCsv(readText(path), path, {
        label: typeof label === 'string' || typeof label === 'number' ? label : undefined,
        scale: num('scale', 1),
      });
      const testFraction = num('test_fraction', 0.2);
      const order = Int32Array.from({ length: all.count }, (_, i) => i);
      shuffleInts(order, new Prng(seed * 7919 + 4));
      const cut = Math.round(all.count * (1 - testFraction));
      const train = subset(all, order.subarray(0, cut));
      const test = subset(all, order.subarray(cut));
      train.classes = test.classes = all.classes;
      return {
        train,
        test,
        parts: partitionIndices(train.y, train.classes, workers, spec.partition, seed * 7919 + 3, where),
        description: `csv ${path}: ${train.count} train / ${test.count} test, ${all.features} features, ${all.classes} classes, ${partName}`,
      };
    }
    case 'fashion_mnist': {
      const dir = spec.path ?? (typeof spec.args.path === 'string' ? spec.args.path : undefined);
      const all = loadFashionMnist(dir);
      const n = Math.min(spec.samples ?? all.train.count, all.train.count);
      const testN = Math.min(num('test', all.test.count), all.test.count);
      // A seeded sample of the training split (all of it by default); the test split in its own order.
      const order = Int32Array.from({ length: all.train.count }, (_, i) => i);
      if (n < all.train.count) shuffleInts(order, new Prng(seed * 7919 + 5));
      const train = n < all.train.count ? subset(all.train, order.subarray(0, n)) : all.train;
      const test =
        testN < all.test.count
          ? subset(
              all.test,
              Int32Array.from({ length: testN }, (_, i) => i),
            )
          : all.test;
      train.classes = test.classes = all.train.classes;
      return {
        train,
        test,
        parts: partitionIndices(train.y, train.classes, workers, spec.partition, seed * 7919 + 3, where),
        description: `fashion_mnist ${train.count} train / ${test.count} test, 28x28, ${partName}`,
      };
    }
    default:
      fail(D.flDataSpec, `unknown data generator '${spec.generator}' (${DATA_GENERATORS.join(', ')})`, where);
  }
}
