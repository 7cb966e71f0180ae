// Which quantised ops the post-processing unit runs, its configuration for each, and its cycle
// model: the PPU's sequencer spends one cycle per state (per operand byte read, per output's
// requantisation and write, per pooling-window position) and two more per beat its one-beat
// caches miss; the DRAM bandwidth bounds it from below. Ops it cannot run say why (they run on the host).
import type { QOp } from '../../ir/quantized.ts';
import type { AddParams, MeanParams, PoolParams, QuantizeParams } from '../../reference/int8/params.ts';
import { PPU_OP, type PpuConfig } from './post-process.ts';
import type { NetworkReference } from './reference.ts';

export interface PpuGeometry {
  op: number;
  /** Elementwise ops: bytes per operand. */
  count?: number;
  /** Pooling: input H x W x C, output H x W, window, strides, padding. */
  inH?: number;
  inW?: number;
  ch?: number;
  outH?: number;
  outW?: number;
  kH?: number;
  kW?: number;
  strideH?: number;
  strideW?: number;
  padTop?: number;
  padLeft?: number;
}

export type PpuPlan = { config: PpuConfig; geometry: PpuGeometry; channels: number } | { reason: string };

/** The PPU's program for one op (regions: byte addresses of its operands and output), or why it cannot run it. */
export function ppuPlan(ref: NetworkReference, op: QOp, at: { a: number; b?: number; out: number }): PpuPlan {
  const p = ref.params[op.index];
  const base = { a_base: at.a, b_base: at.b ?? 0, o_base: at.out };
  switch (p.kind) {
    case 'add': {
      const a = p as AddParams;
      if (a.broadcast.needed) return { reason: 'an add that broadcasts one operand is not run by the post-processing unit' };
      const count = a.broadcast.outShape.reduce((x, y) => x * y, 1);
      return {
        config: {
          op: PPU_OP.add,
          ...base,
          count,
          off_a: a.input1Offset,
          off_b: a.input2Offset,
          m1: a.input1Multiplier,
          s1: a.input1Shift,
          m2: a.input2Multiplier,
          s2: a.input2Shift,
          mo: a.outputMultiplier,
          so: a.outputShift,
          out_zp: a.outputOffset,
          act_min: a.actMin,
          act_max: a.actMax,
        },
        geometry: { op: PPU_OP.add, count },
        channels: 1,
      };
    }
    case 'quantize': {
      const q = p as QuantizeParams;
      if (q.fromFloat) return { reason: 'quantising a float tensor runs on the host' };
      return {
        config: {
          op: PPU_OP.requant,
          ...base,
          count: q.count,
          off_a: -q.inputZeroPoint,
          mo: q.multiplier,
          so: q.shift,
          out_zp: q.zeroPoint,
          act_min: -128,
          act_max: 127,
        },
        geometry: { op: PPU_OP.requant, count: q.count },
        channels: 1,
      };
    }
    case 'maxpool':
    case 'avgpool': {
      const m = p as PoolParams;
      const op = p.kind === 'maxpool' ? PPU_OP.maxpool : PPU_OP.avgpool;
      const g = {
        inH: m.inH,
        inW: m.inW,
        ch: m.channels,
        outH: m.outH,
        outW: m.outW,
        kH: m.kH,
        kW: m.kW,
        strideH: m.strideH,
        strideW: m.strideW,
        padTop: m.padTop,
        padLeft: m.padLeft,
      };
      return {
        config: {
          op,
          ...base,
          in_h: g.inH,
          in_w: g.inW,
          ch: g.ch,
          out_h: g.outH,
          out_w: g.outW,
          k_h: g.kH,
          k_w: g.kW,
          stride_h: g.strideH,
          stride_w: g.strideW,
          pad_t: g.padTop,
          pad_l: g.padLeft,
          act_min: m.actMin,
          act_max: m.actMax,
        },
        geometry: { op, ...g },
        channels: m.channels,
      };
    }
    case 'mean': {
      const m = p as MeanParams;
      const [n, h, w, c] = m.inShape;
      if (m.inShape.length !== 4 || n !== 1 || m.reduced.join() !== 'false,true,true,false')
        return { reason: 'a mean over other axes than height and width is not run by the post-processing unit' };
      const g = { inH: h, inW: w, ch: c, outH: 1, outW: 1, kH: h, kW: w, strideH: 1, strideW: 1, padTop: 0, padLeft: 0 };
      return {
        config: {
          op: PPU_OP.mean,
          ...base,
          in_h: h,
          in_w: w,
          ch: c,
          out_h: 1,
          out_w: 1,
          k_h: h,
          k_w: w,
          stride_h: 1,
          stride_w: 1,
          zp_n: Math.imul(m.inputZeroPoint, m.numElementsInAxis),
          mo: m.multiplier,
          so: m.shift,
          out_zp: m.outputZeroPoint,
          act_min: -128,
          act_max: 127,
        },
        geometry: { op: PPU_OP.mean, ...g },
        channels: c,
      };
    }
    default:
      return { reason: `${op.kind} is not run by the post-processing unit` };
  }
}

/** DRAM bytes a PPU step moves: operand beats read (whole beats) and output bytes written. */
export interface PpuCost {
  cycles: number;
  readBeats: number;
  writeBytes: number;
}

/**
 * Cycles of one PPU step: 1 (start) + per element 3 states (4 for add) + per pooling-window
 * position 1 + per byte pooled 1 + per pooled output 2, plus 2 per cache miss (the request
 * and the fill); at least the DRAM bytes over the bandwidth.
 */
export function ppuCycles(g: PpuGeometry, at: { a: number; b?: number }, beat: number, bandwidth: number): PpuCost {
  let cycles = 1;
  let misses = 0;
  let writeBytes = 0;
  const beatsOf = (base: number, n: number) => (n > 0 ? Math.floor((base + n - 1) / beat) - Math.floor(base / beat) + 1 : 0);
  if (g.op === PPU_OP.add || g.op === PPU_OP.requant) {
    const n = g.count!;
    cycles += n * (g.op === PPU_OP.add ? 4 : 3);
    misses = beatsOf(at.a, n) + (g.op === PPU_OP.add ? beatsOf(at.b!, n) : 0);
    writeBytes = n;
  } else {
    const { inH, inW, ch, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g as Required<PpuGeometry>;
    let tag = -1;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let fy = 0; fy < kH; fy++) {
          for (let fx = 0; fx < kW; fx++) {
            cycles += 1;
            const iy = oy * strideH + fy - padTop;
            const ix = ox * strideW + fx - padLeft;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            cycles += ch;
            // The reads of one window position are contiguous: a miss whenever the beat changes.
            const start = at.a + (iy * inW + ix) * ch;
            const first = Math.floor(start / beat);
            const lastBeat = Math.floor((start + ch - 1) / beat);
            misses += lastBeat - first + (first === tag ? 0 : 1);
            tag = lastBeat;
          }
        }
        cycles += 2 * ch;
      }
    }
    writeBytes = outH * outW * ch;
  }
  cycles += 2 * misses;
  return { cycles: Math.max(cycles, Math.ceil((misses * beat + writeBytes) / bandwidth)), readBeats: misses, writeBytes };
}
