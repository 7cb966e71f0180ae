// A plain float evaluator of the IR (channels-last) that uses the weights the ONNX importer
// kept; tests compare it with onnxruntime to check kernel layouts and BatchNorm folding.
import type { Layer, Network } from '../../compiler/ir/network.ts';

interface T {
  shape: number[];
  data: Float32Array;
}

const num = (v: unknown) => v as number;
const pairOf = (v: unknown): [number, number] => v as [number, number];

function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function activate(x: number, act: unknown): number {
  if (act === 'relu') return Math.max(0, x);
  if (act === 'relu6') return Math.min(6, Math.max(0, x));
  return x;
}

function conv(l: Layer, x: T): T {
  const [H, W, C] = x.shape;
  const [oh, ow, oc] = l.output.shape;
  const [kh, kw] = pairOf(l.attrs.kernel);
  const [sh, sw] = pairOf(l.attrs.stride);
  const [dh, dw] = pairOf(l.attrs.dilation);
  const [pt, pl] = l.attrs.pad as number[];
  const k = l.weights!.kernel.data;
  const bias = l.weights!.bias?.data;
  const dwise = l.op === 'dwconv2d';
  const groups = dwise ? C : num(l.attrs.groups);
  const cg = C / groups;
  const og = oc / groups;
  const out = new Float32Array(oh * ow * oc);
  for (let y = 0; y < oh; y++)
    for (let xx = 0; xx < ow; xx++)
      for (let o = 0; o < oc; o++) {
        const grp = Math.floor(o / og);
        let s = bias ? bias[o] : 0;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const iy = y * sh + i * dh - pt;
            const ix = xx * sw + j * dw - pl;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (let c = 0; c < cg; c++) {
              const xv = x.data[(iy * W + ix) * C + grp * cg + c];
              const wv = dwise ? k[(i * kw + j) * oc + o] : k[((o * kh + i) * kw + j) * cg + c];
              s += xv * wv;
            }
          }
        out[(y * ow + xx) * oc + o] = activate(s, l.attrs.act);
      }
  return { shape: l.output.shape, data: out };
}

function pool(l: Layer, x: T): T {
  const [H, W, C] = x.shape;
  if (l.attrs.global === true) {
    const out = new Float32Array(C).fill(l.op === 'maxpool' ? -Infinity : 0);
    for (let p = 0; p < H * W; p++)
      for (let c = 0; c < C; c++) out[c] = l.op === 'maxpool' ? Math.max(out[c], x.data[p * C + c]) : out[c] + x.data[p * C + c] / (H * W);
    return { shape: [C], data: out };
  }
  const [oh, ow] = l.output.shape;
  const [kh, kw] = pairOf(l.attrs.kernel);
  const [sh, sw] = pairOf(l.attrs.stride);
  const [pt, pl] = l.attrs.pad as number[];
  const out = new Float32Array(oh * ow * C);
  for (let y = 0; y < oh; y++)
    for (let xx = 0; xx < ow; xx++)
      for (let c = 0; c < C; c++) {
        let m = -Infinity;
        let s = 0;
        let n = 0;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const iy = y * sh + i - pt;
            const ix = xx * sw + j - pl;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            const v = x.data[(iy * W + ix) * C + c];
            m = Math.max(m, v);
            s += v;
            n++;
          }
        out[(y * ow + xx) * C + c] = l.op === 'maxpool' ? m : s / (l.attrs.count_include_pad ? kh * kw : n);
      }
  return { shape: l.output.shape, data: out };
}

function dense(l: Layer, x: T): T {
  const n = num(l.attrs.out);
  const k = x.data.length;
  const w = l.weights!.kernel.data;
  const b = l.weights!.bias?.data;
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    let s = b ? b[o] : 0;
    for (let j = 0; j < k; j++) s += x.data[j] * w[o * k + j];
    out[o] = activate(s, l.attrs.act);
  }
  return { shape: [n], data: out };
}

function layerEval(l: Layer, xs: T[]): T {
  const [x] = xs;
  const map = (f: (v: number, i: number) => number): T => ({ shape: l.output.shape, data: Float32Array.from(x.data, f) });
  switch (l.op) {
    case 'conv2d':
    case 'dwconv2d':
      return conv(l, x);
    case 'dense':
      return dense(l, x);
    case 'maxpool':
    case 'avgpool':
      return pool(l, x);
    case 'relu':
      return map((v) => Math.max(0, v));
    case 'relu6':
      return map((v) => Math.min(6, Math.max(0, v)));
    case 'clip':
      return map((v) => Math.min(num(l.attrs.max ?? Infinity), Math.max(num(l.attrs.min ?? -Infinity), v)));
    case 'batchnorm': {
      const C = l.output.shape[l.output.shape.length - 1];
      return map((v, i) => v * l.weights!.scale.data[i % C] + l.weights!.shift.data[i % C]);
    }
    case 'add':
      return map((v, i) => activate(v + xs[1].data[i], l.attrs.act));
    case 'quantize': {
      const [lo, hi] = l.attrs.signed ? [-128, 127] : [0, 255];
      return map((v) => Math.min(hi, Math.max(lo, roundEven(v / num(l.attrs.scale)) + num(l.attrs.zero_point))));
    }
    case 'dequantize':
      return map((v) => (v - num(l.attrs.zero_point)) * num(l.attrs.scale));
    case 'flatten':
    case 'reshape':
      return { shape: l.output.shape, data: x.data };
    case 'softmax': {
      const m = Math.max(...x.data);
      const e = Array.from(x.data, (v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return { shape: l.output.shape, data: Float32Array.from(e, (v) => v / s) };
    }
    case 'concat': {
      const C = l.output.shape[l.output.shape.length - 1];
      const rows = x.data.length / x.shape[x.shape.length - 1];
      const out = new Float32Array(rows * C);
      let off = 0;
      for (const t of xs) {
        const c = t.shape[t.shape.length - 1];
        for (let r = 0; r < rows; r++) for (let k = 0; k < c; k++) out[r * C + off + k] = t.data[r * c + k];
        off += c;
      }
      return { shape: l.output.shape, data: out };
    }
    case 'pad': {
      const [H, W, C] = x.shape;
      const [pt, pl] = l.attrs.pad as number[];
      const [oh, ow] = l.output.shape;
      const out = new Float32Array(oh * ow * C).fill(num(l.attrs.value));
      for (let y = 0; y < H; y++)
        for (let xx = 0; xx < W; xx++) for (let c = 0; c < C; c++) out[((y + pt) * ow + xx + pl) * C + c] = x.data[(y * W + xx) * C + c];
      return { shape: l.output.shape, data: out };
    }
  }
  throw new Error(`onnx-eval: no float evaluation for ${l.op}`);
}

/** NCHW (batch 1) → HWC. */
export function nchwToHwc(dims: number[], data: ArrayLike<number>): Float32Array {
  if (dims.length !== 4) return Float32Array.from(data);
  const [, C, H, W] = dims;
  const out = new Float32Array(C * H * W);
  for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[(y * W + x) * C + c] = data[(c * H + y) * W + x];
  return out;
}

/** Evaluate a float network; inputs keyed by input name in HWC order. Returns every output. */
export function evaluate(net: Network, inputs: Record<string, Float32Array>): Record<string, Float32Array> {
  const env = new Map<string, T>();
  for (const i of net.inputs) env.set(i.name, { shape: i.type.shape, data: inputs[i.name] });
  for (const l of net.layers)
    env.set(
      l.name,
      layerEval(
        l,
        l.inputs.map((n) => env.get(n)!),
      ),
    );
  return Object.fromEntries(net.outputs.map((o) => [o, env.get(o)!.data]));
}
