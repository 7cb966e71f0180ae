// Calibration of the instruction-count model (compiler/mcu/instructions.ts) on micro-benchmarks:
// seeded synthetic programs of single ops of varied shapes (convolutions 1x1 and kxk, depthwise
// 3x3/5x5/7x7 at strides 1 and 2 in place and out of place, residual blocks, clamped and full
// activation ranges, pruned channels, pools, fully connected, softmax, float QUANTIZE, TRANSPOSE, MEAN), none of
// them a shipped model. Every op is bracketed by SysTick reads in QEMU on both kernel paths
// (bench/mcu-op-ticks.ts, outputs checked bit for bit), and each kernel class's coefficients
// (instructions per trip of each of its loops, compiler/mcu/kernel-loops.ts) are fitted by
// non-negative least squares on relative error. Writes compiler/mcu/instruction-model.ts.
// The shipped models are the held-out check: bench/mcu-instruction-model.ts.
// `--paths smlad` measures the SMLAD kernels only and keeps the other classes' coefficients (the
// reference kernels' C unchanged: their classes need no new measurement).
// Run: npx tsx bench/mcu-instruction-calibrate.ts [--seed S] [--programs N] [--paths smlad|both] [--save DIR] [--from DIR]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activation, QModel, QOp, QTensor } from '../compiler/ir/quantized.ts';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { INSTRUCTION_MODEL } from '../compiler/mcu/instruction-model.ts';
import { loopContext } from '../compiler/mcu/instructions.ts';
import { opLoops, type KernelLoops, type KernelPath } from '../compiler/mcu/kernel-loops.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { Prng } from '../compiler/util/prng.ts';
import { measureOps } from './mcu-op-ticks.ts';
import { randomModelInput } from './mcu-random-input.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const SEED = Number(opt('--seed', '19'));
const PROGRAMS = Number(opt('--programs', '8'));
const PATHS: KernelPath[] = opt('--paths', 'both') === 'smlad' ? ['smlad'] : ['smlad', 'portable'];

/** A chain of ops with random quantisation, built tensor by tensor. */
class Chain {
  tensors: QTensor[] = [];
  ops: QOp[] = [];
  cur: { id: number; h: number; w: number; c: number; scale: number };
  constructor(
    readonly rng: Prng,
    h: number,
    w: number,
    c: number,
    float = false,
  ) {
    if (float) {
      const x = this.tensor('x', [1, h, w, c], 'float32', [1], [0]);
      const s = [1 / 255, 0.0078125, 0.02, 0.1][rng.int(4)];
      const q = this.tensor('q', [1, h, w, c], 'int8', [s], [this.zp()]);
      this.op('QUANTIZE', [x], [q], {});
      this.cur = { id: q, h, w, c, scale: s };
    } else {
      this.cur = { id: this.tensor('x', [1, h, w, c], 'int8', [0.05], [this.zp()]), h, w, c, scale: 0.05 };
    }
  }
  zp(): number {
    return this.rng.int(200) - 100;
  }
  tensor(name: string, shape: number[], dtype: QTensor['dtype'], scale: number[], zp: number[], axis = 0, data?: QTensor['data']): number {
    this.tensors.push({
      id: this.tensors.length,
      name: `${name}${this.tensors.length}`,
      shape,
      dtype,
      quant: { scale, zeroPoint: zp, axis },
      ...(data ? { data } : {}),
    });
    return this.tensors.length - 1;
  }
  op(kind: QOp['kind'], inputs: number[], outputs: number[], options: QOp['options']): void {
    this.ops.push({ index: this.ops.length, kind, inputs, outputs, options });
  }
  /** An output activation tensor; RELU6 with a zero point above -128 gives a clamped range. */
  out(shape: number[], act: Activation): { id: number; scale: number } {
    const scale = 0.03 + 0.1 * this.rng.next();
    const zp = act === 'RELU6' ? this.rng.int(60) - 120 : this.zp();
    return { id: this.tensor('y', shape, 'int8', [scale], [zp]), scale };
  }
  weights(oc: number, shape: number[], axis: number, tiny: boolean, big = false, pruned = 0): { f: number; b: number } {
    const n = shape.reduce((a, b) => a * b, 1);
    // a tiny weight scale gives a right shift of 24 and more (the output offset added after it);
    // a big one a multiplier of at least 1/2 (no right shift: that channel is computed apart)
    const fs = Array.from({ length: oc }, (_, j) => (tiny && j === 0 ? 2e-9 : big && j === oc - 1 ? 2 : 0.002 + 0.01 * this.rng.next()));
    const data = Int8Array.from({ length: n }, () => this.rng.int(255) - 127);
    const bias = Int32Array.from({ length: oc }, () => this.rng.int(8001) - 4000);
    // pruned channels (convolutions, filters [oc, kh, kw, c]): all-zero filters, a third of them
    // with the bias of +-2^30 pruned models carry (outside the fast output stage's bounds)
    for (let j = 0; j < oc; j++) {
      if (this.rng.next() >= pruned) continue;
      data.fill(0, j * (n / oc), (j + 1) * (n / oc));
      if (this.rng.int(3) === 0) {
        bias[j] = (this.rng.int(2) ? 1 : -1) * 2 ** 30;
        fs[j] = 1e-10;
      }
    }
    const f = this.tensor(
      'w',
      shape,
      'int8',
      fs,
      fs.map(() => 0),
      axis,
      data,
    );
    const b = this.tensor(
      'b',
      [oc],
      'int32',
      fs.map((s) => s * this.cur.scale),
      fs.map(() => 0),
      0,
      bias,
    );
    return { f, b };
  }
  conv(oc: number, k: number, stride: number, act: Activation, tiny = false, kw = k): void {
    // a quarter of the layers pruned (10% to 90% of their channels)
    const pruned = this.rng.int(4) === 0 ? 0.1 + 0.8 * this.rng.next() : 0;
    const { f, b } = this.weights(oc, [oc, k, kw, this.cur.c], 0, tiny, this.rng.int(6) === 0, pruned);
    const h = Math.ceil(this.cur.h / stride),
      w = Math.ceil(this.cur.w / stride);
    const y = this.out([1, h, w, oc], act);
    this.op('CONV_2D', [this.cur.id, f, b], [y.id], {
      padding: 'SAME',
      strideH: stride,
      strideW: stride,
      dilationH: 1,
      dilationW: 1,
      activation: act,
    });
    this.cur = { id: y.id, h, w, c: oc, scale: y.scale };
  }
  dw(k: number, stride: number, act: Activation, dil = 1, tiny = false): void {
    const c = this.cur.c;
    const { f, b } = this.weights(c, [1, k, k, c], 3, tiny);
    const h = Math.ceil(this.cur.h / stride),
      w = Math.ceil(this.cur.w / stride);
    const y = this.out([1, h, w, c], act);
    this.op('DEPTHWISE_CONV_2D', [this.cur.id, f, b], [y.id], {
      padding: 'SAME',
      strideH: stride,
      strideW: stride,
      dilationH: dil,
      dilationW: dil,
      depthMultiplier: 1,
      activation: act,
    });
    this.cur = { id: y.id, h, w, c, scale: y.scale };
  }
  add(other: number, act: Activation = 'NONE'): void {
    const y = this.out([1, this.cur.h, this.cur.w, this.cur.c], act);
    this.op('ADD', [other, this.cur.id], [y.id], { activation: act });
    this.cur = { ...this.cur, id: y.id, scale: y.scale };
  }
  avgpool(k: number, stride: number, padding: 'SAME' | 'VALID', kw = k): void {
    const h = padding === 'SAME' ? Math.ceil(this.cur.h / stride) : Math.floor((this.cur.h - k) / stride) + 1;
    const w = padding === 'SAME' ? Math.ceil(this.cur.w / stride) : Math.floor((this.cur.w - kw) / stride) + 1;
    const y = this.tensor('p', [1, h, w, this.cur.c], 'int8', [this.cur.scale], [this.tensors[this.cur.id].quant!.zeroPoint[0]]);
    this.op('AVERAGE_POOL_2D', [this.cur.id], [y], {
      padding,
      strideH: stride,
      strideW: stride,
      filterH: k,
      filterW: kw,
      activation: 'NONE',
    });
    this.cur = { ...this.cur, id: y, h, w };
  }
  flatten(): void {
    const n = this.cur.h * this.cur.w * this.cur.c;
    const shape = this.tensor('s', [2], 'int32', [1], [0], 0, Int32Array.from([1, n]));
    const y = this.tensor('r', [1, n], 'int8', [this.cur.scale], [this.tensors[this.cur.id].quant!.zeroPoint[0]]);
    this.op('RESHAPE', [this.cur.id, shape], [y], {});
    this.cur = { id: y, h: 1, w: 1, c: n, scale: this.cur.scale };
  }
  fc(out: number): void {
    const { f, b } = this.weights(out, [out, this.cur.c], 0, false);
    const y = this.out([1, out], 'NONE');
    this.op('FULLY_CONNECTED', [this.cur.id, f, b], [y.id], { activation: 'NONE', keepDims: false });
    this.cur = { id: y.id, h: 1, w: 1, c: out, scale: y.scale };
  }
  softmax(): void {
    const y = this.tensor('sm', [1, this.cur.c], 'int8', [1 / 256], [-128]);
    this.op('SOFTMAX', [this.cur.id], [y], { beta: 1 });
    this.cur = { ...this.cur, id: y };
  }
  /** NHWC -> NCHW, then the mean over the last two axes (mcunet-vww1's head, of another size). */
  transposeMean(): void {
    const { h, w, c } = this.cur;
    const perm = this.tensor('perm', [4], 'int32', [1], [0], 0, Int32Array.from([0, 3, 1, 2]));
    const zp = this.tensors[this.cur.id].quant!.zeroPoint[0];
    const t = this.tensor('t', [1, c, h, w], 'int8', [this.cur.scale], [zp]);
    this.op('TRANSPOSE', [this.cur.id, perm], [t], {});
    const axes = this.tensor('ax', [2], 'int32', [1], [0], 0, Int32Array.from([2, 3]));
    const y = this.out([1, c], 'NONE');
    this.op('MEAN', [t, axes], [y.id], { keepDims: false });
    this.cur = { id: y.id, h: 1, w: 1, c, scale: y.scale };
  }
  model(name: string): QModel {
    return { name, source: 'calibration', tensors: this.tensors, ops: this.ops, inputs: [0], outputs: [this.cur.id] };
  }
}

const pick = <T>(rng: Prng, xs: readonly T[]): T => xs[rng.int(xs.length)];
const act = (rng: Prng): Activation => (rng.int(2) === 0 ? 'RELU6' : 'NONE');

/** Program i of the suite: every program mixes blocks of every kind, at its own sizes. */
function program(i: number): QModel {
  const rng = new Prng(SEED * 1000 + i);
  const side = pick(rng, [10, 12, 14, 16, 18, 20, 24]);
  const narrow = i % 5 === 2; // tall and narrow maps (short rows)
  const square = i % 2 === 0; // down to the 5x5 and 3x3 maps of the tiny-plane kernels
  const ch = new Chain(
    rng,
    narrow ? 2 * side : side,
    narrow ? 5 + rng.int(4) : square ? side : side + rng.int(5),
    pick(rng, [1, 3, 8, 16]),
    i % 4 === 3,
  );
  // stem: square or rectangular (an offset after the shift in a third)
  const [kh, kw] = pick(rng, [
    [1, 1],
    [3, 3],
    [3, 1],
    [5, 3],
    [10, 4],
    [3, 5],
  ] as const);
  ch.conv(pick(rng, [8, 12, 16, 24]), kh, 1, act(rng), i % 3 === 0, kw);
  // a third of the programs: a 3x3 stride-2 depthwise in place on a map too large for the whole-plane
  // mode, full range (the ring kernels of that geometry, the column-pair one at even output widths)
  if (i % 3 === 1 && ch.cur.h >= 16 && ch.cur.w >= 16) ch.dw(3, 2, 'NONE');
  for (let b = 0; b < 7; b++) {
    const c = ch.cur.c;
    // every depthwise geometry the specialised ring kernels have, in turn
    const [k, s0] = [
      [3, 1],
      [3, 2],
      [5, 1],
      [5, 2],
      [7, 1],
      [7, 2],
    ][(i * 7 + b) % 6];
    const s = ch.cur.h >= 6 && ch.cur.w >= 6 ? s0 : 1;
    const kind = rng.int(5);
    if (kind === 0) {
      // inverted residual: 1x1 expand, depthwise in place, 1x1 project fused with the residual ADD
      const skip = ch.cur.id;
      ch.conv(c * pick(rng, [2, 3, 4, 6]), 1, 1, act(rng));
      ch.dw(k, s, act(rng), 1, rng.int(5) === 0);
      ch.conv(c, 1, 1, 'NONE');
      if (s === 1) ch.add(skip);
    } else if (kind === 1) {
      // depthwise out of place (its input read again by the ADD)
      const skip = ch.cur.id;
      if (c % 4 === 0) {
        ch.dw(k, 1, act(rng));
        ch.add(skip, act(rng));
      }
      ch.conv(pick(rng, [12, 16, 20, 24, 32, 40, 48]), 1, 1, act(rng));
    } else if (kind === 2) {
      // general convolution, then a strided or dilated depthwise in place
      ch.conv(pick(rng, [8, 16, 24, 32, 48]), pick(rng, [1, 3, 5]), s, act(rng));
      ch.dw(k, s, act(rng), rng.int(6) === 0 ? 2 : 1);
    } else if (kind === 3) {
      // a wide layer (a large column buffer: narrow 1x1 layers then keep 8-bit filters), then
      // 8, 16 or 24 input channels into many outputs, full range
      ch.conv(pick(rng, [160, 192, 256]), 1, 1, 'NONE');
      ch.conv(pick(rng, [8, 16, 24]), 1, 1, 'NONE');
      ch.conv(pick(rng, [32, 48, 64]), 1, 1, 'NONE');
    } else {
      // wide 1x1 pair
      ch.conv(pick(rng, [32, 48, 64, 96]), 1, 1, act(rng));
      ch.dw(k, s, act(rng));
      ch.conv(pick(rng, [8, 16, 24, 32, 40]), 1, 1, act(rng));
    }
  }
  // small maps: the tiny-plane depthwise kernels (5x5 and 3x3 maps), full range
  if (i % 2 === 0) {
    while (ch.cur.h > 5) ch.dw(3, 2, act(rng));
    if (ch.cur.h === 5 && ch.cur.w === 5) {
      ch.dw(3, 1, 'NONE');
      ch.dw(5, 2, 'NONE');
      ch.dw(3, 1, 'NONE');
    }
  }
  // heads: global pool + fully connected + softmax, or transpose + mean + fully connected
  if (i % 4 === 3) ch.transposeMean();
  else if (i % 4 === 1) {
    // a long row: a flattened map into many outputs (no stack expansion past 512 inputs)
    ch.avgpool(pick(rng, [2, 3]), 1, 'SAME');
    while (ch.cur.h * ch.cur.w * ch.cur.c > 2000) ch.avgpool(2, 2, 'SAME');
    ch.flatten();
    ch.fc(pick(rng, [16, 32, 64, 128]));
  } else {
    ch.avgpool(pick(rng, [2, 3]), 1, 'SAME');
    ch.avgpool(ch.cur.h, 1, 'VALID', ch.cur.w);
    ch.flatten();
  }
  ch.fc(pick(rng, [2, 3, 8, 12, 20]));
  if (i % 2 === 1) ch.softmax();
  return ch.model(`calib_${SEED}_${i}`);
}

interface Sample {
  cls: string;
  x: number[];
  y: number;
}

/** QEMU's counts for program i on one path: per op site, its instructions and its fused ADD's. */
interface Measured {
  sites: number[];
  instructions: number[];
  fusedAdd: number[];
  exact: boolean;
  total: number;
}

async function measure(i: number, path: KernelPath): Promise<Measured> {
  const model = program(i);
  const c = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer', fastKernels: path === 'smlad' });
  const m = await measureOps(c.program.files, model, randomModelInput(model, new Prng(i)));
  return { sites: m.sites.map((s) => s.index), instructions: m.instructions, fusedAdd: m.fusedAdd, exact: m.bitExact, total: m.total };
}

/**
 * Every op's kernel calls (kernel-loops.ts, computed now: a saved measurement is refitted with the
 * loops as they are counted today) beside its measured instructions.
 */
function rowsOf(i: number, path: KernelPath, m: Measured): { parts: KernelLoops[]; y: number }[] {
  const model = program(i);
  const c = compileForMcu(model, resolveBoard('stm32h743'), { schedule: 'layer', fastKernels: path === 'smlad' });
  const ctx = loopContext(c.model, c.plan);
  const byIndex = new Map(c.model.ops.map((op) => [op.index, op]));
  // a fused convolution's ADD was counted on its own: split the pair into two samples
  return m.sites.flatMap((index, k) => {
    const parts = opLoops(c.model, byIndex.get(index)!, path, ctx);
    const y = m.instructions[k] + m.fusedAdd[k];
    return parts.length === 2 && m.fusedAdd[k] > 0
      ? [
          { parts: [parts[0]], y: y - m.fusedAdd[k] },
          { parts: [parts[1]], y: m.fusedAdd[k] },
        ]
      : [{ parts, y }];
  });
}

function solve(rows: { x: number[]; y: number }[], n: number): number[] {
  // least squares on relative error, columns scaled to their largest value
  const scale = Array.from({ length: n }, (_, i) => Math.max(1e-9, ...rows.map((r) => Math.abs(r.x[i]))));
  const A = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const r of rows) {
    const w = 1 / Math.max(1, r.y);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i][j] += w * w * (r.x[i] / scale[i]) * (r.x[j] / scale[j]);
      A[i][n] += w * w * (r.x[i] / scale[i]) * r.y;
    }
  }
  // a ridge relative to each diagonal (a share of the trace would swamp the columns of small
  // relative weight, e.g. per-MAC terms beside a per-call one)
  for (let i = 0; i < n; i++) A[i][i] *= 1 + 1e-9;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || A[c][c] === 0) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return Array.from({ length: n }, (_, i) => (A[i][i] === 0 ? 0 : A[i][n] / A[i][i] / scale[i]));
}

/** Non-negative least squares by elimination: a loop cannot cost a negative number of instructions. */
function fitClass(rows: { x: number[]; y: number }[]): number[] {
  const n = rows[0].x.length;
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => rows.some((r) => r.x[i] !== 0));
  for (;;) {
    const sub =
      keep.length > 0
        ? solve(
            rows.map((r) => ({ x: keep.map((i) => r.x[i]), y: r.y })),
            keep.length,
          )
        : [];
    const c = new Array<number>(n).fill(0);
    keep.forEach((i, j) => (c[i] = sub[j]));
    const neg = keep.filter((i) => c[i] < 0);
    if (neg.length === 0) return c.map((v) => Number(v.toPrecision(6)));
    keep.splice(keep.indexOf(neg.reduce((a, b) => (c[a] < c[b] ? a : b))), 1);
  }
}

const save = args.includes('--save') ? opt('--save', '') : undefined;
const from = args.includes('--from') ? opt('--from', '') : undefined;
if (save) mkdirSync(save, { recursive: true });
const samples: Sample[] = [];
const fixed: number[] = [];
for (let i = 0; i < PROGRAMS; i++) {
  for (const path of PATHS) {
    const file = from ? join(from, `calib-${i}.${path}.json`) : undefined;
    const r: Measured = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : await measure(i, path);
    if (save) writeFileSync(join(save, `calib-${i}.${path}.json`), JSON.stringify(r));
    if (!r.exact) throw new Error(`calibration program ${i} (${path}) is not bit-exact`);
    const rows = rowsOf(i, path, r);
    fixed.push(r.total - rows.reduce((s, x) => s + x.y, 0));
    for (const row of rows) for (const p of row.parts) if (row.parts.length === 1) samples.push({ cls: p.cls, x: p.features, y: row.y });
    process.stderr.write(`program ${i} ${path}: ${rows.length} ops, ${r.total} instructions\n`);
  }
}
/**
 * Loops that several kernel classes run through the same code, fitted once over all their samples:
 * the column staging of the pair and listed convolution kernels (nf_column2: window rows as int8
 * bytes, padding rows and the padded last group by memset, border taps, then 16-bit pairs per group
 * of four taps) is one function whatever kernel follows it. Fitted per class, a class with few staged
 * samples (the listed 16-bit-filter kernels: mostly pruned 1x1 layers, which stage nothing) got its
 * staging coefficients from a handful of layers, and mcunet-vww1's 3x3 stem on three channels (27
 * taps: a memset per pixel) was predicted 10.8% short.
 */
const SHARED_LOOPS: { prefixes: string[]; features: number[] }[] = [
  { prefixes: ['f:conv.pairs.', 'f:conv.list.'], features: [4, 5, 6, 7, 8, 9, 10, 11, 12] },
];

/** Classes fitted together: each keeps its own loops, the shared ones get one coefficient each. */
function fitShared(group: string[], features: number[]): Record<string, number[]> {
  const width = (cls: string) => samples.find((s) => s.cls === cls)!.x.length;
  const own = group.map((cls) => Array.from({ length: width(cls) }, (_, i) => i).filter((i) => !features.includes(i)));
  const at: number[] = [];
  let n = 0;
  for (const o of own) {
    at.push(n);
    n += o.length;
  }
  const rows = samples
    .filter((s) => group.includes(s.cls))
    .map((s) => {
      const k = group.indexOf(s.cls);
      const x = new Array<number>(n + features.length).fill(0);
      own[k].forEach((i, j) => (x[at[k] + j] = s.x[i]));
      features.forEach((i, j) => (x[n + j] = s.x[i]));
      return { x, y: s.y };
    });
  const c = fitClass(rows);
  return Object.fromEntries(
    group.map((cls, k) => {
      const v = new Array<number>(width(cls)).fill(0);
      own[k].forEach((i, j) => (v[i] = c[at[k] + j]));
      features.forEach((i, j) => (v[i] = c[n + j]));
      return [cls, v];
    }),
  );
}

// measuring one path: the classes only the other path runs keep their coefficients
const classes: Record<string, number[]> = PATHS.length === 1 ? { ...INSTRUCTION_MODEL.classes } : {};
const measuredClasses = [...new Set(samples.map((s) => s.cls))].sort();
for (const { prefixes, features } of SHARED_LOOPS)
  Object.assign(
    classes,
    fitShared(
      measuredClasses.filter((c) => prefixes.some((p) => c.startsWith(p))),
      features,
    ),
  );
const shared = (cls: string) => SHARED_LOOPS.some((g) => g.prefixes.some((p) => cls.startsWith(p)));
for (const cls of measuredClasses) {
  const rows = samples.filter((s) => s.cls === cls);
  if (!shared(cls)) classes[cls] = fitClass(rows);
  const errs = rows.map((r) => Math.abs(r.x.reduce((s, x, i) => s + x * classes[cls][i], 0) - r.y) / Math.max(1, r.y));
  process.stderr.write(`${cls}: ${rows.length} samples, worst fit error ${(100 * Math.max(...errs)).toFixed(1)}%\n`);
}
const fixedMean = Math.round(fixed.reduce((a, b) => a + b, 0) / Math.max(1, fixed.length));
writeFileSync(
  'compiler/mcu/instruction-model.ts',
  [
    '// Coefficients of the instruction-count model (compiler/mcu/instructions.ts): per kernel class,',
    '// instructions per trip of each loop kernel-loops.ts counts (LOOP_FEATURES), fitted on micro-',
    `// benchmarks by \`npx tsx bench/mcu-instruction-calibrate.ts --seed ${SEED} --programs ${PROGRAMS}${PATHS.length === 1 ? ' --paths smlad' : ''}\`. Generated.`,
    `export const INSTRUCTION_MODEL = ${JSON.stringify(
      { fixed: fixedMean, classes: Object.fromEntries(Object.entries(classes).sort(([a], [b]) => (a < b ? -1 : 1))) },
      null,
      2,
    )
      .replace(/\n\s+(-?[\d.e+-]+,?)(?=\n)/g, ' $1')
      .replace(/\[ /g, '[')
      .replace(/\n\s+\]/g, ']')};`,
    '',
  ].join('\n'),
);
process.stdout.write(
  `fitted ${new Set(samples.map((x) => x.cls)).size} classes on ${samples.length} op samples of ${PROGRAMS} programs x ${PATHS.join(' + ')}; wrote compiler/mcu/instruction-model.ts\n`,
);
