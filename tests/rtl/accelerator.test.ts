// Accelerator generator: lane structure per connectivity, mapping checks, and bit-exact Icarus
// runs of four layer kinds (3x3, 1x1, depthwise 3x3, stride-2) on every example connectivity,
// with measured cycles against the schedule prediction. Seed 1 throughout.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProgram } from '../../compiler/frontend/index.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { UserError } from '../../compiler/diagnostics/index.ts';
import { generateAccelerator, parseOrder } from '../../compiler/rtl/accelerator/index.ts';
import { buildHardware } from '../../compiler/rtl/accelerator/hardware.ts';
import { convProblem } from '../../compiler/rtl/accelerator/problem.ts';
import { mapLayer } from '../../compiler/rtl/accelerator/mapping.ts';
import { layerVectors } from '../../compiler/rtl/accelerator/golden.ts';
import { verifyAccelerator } from '../../testbench/rtl/accelerator.ts';

let prog: Program;
beforeAll(() => {
  prog = loadProgram('examples/rtl.nacc');
});
const acc = (name: string) => prog.accelerators.find((a) => a.name === name)!;
const net = () => prog.networks.find((n) => n.name === 'rtl_layers')!;
const problems = () => net().layers.map((l) => convProblem(net(), l));

function write(g: ReturnType<typeof generateAccelerator>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nacc-acc-'));
  for (const f of g.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
  return dir;
}

describe('array wiring follows the parallel dimensions', () => {
  it('K x C: weights per PE, inputs multicast along K unless depthwise, partial sums reduced along C', () => {
    const hw = buildHardware(acc('kc_ws'), problems());
    expect(hw.weightLanes.count).toBe(16);
    expect(hw.outputLanes.count).toBe(4);
    expect(hw.reductionLanes.count).toBe(4);
    // rtl_layers has a depthwise layer, whose input channel follows K.
    expect(hw.inputLanes.count).toBe(16);
    const noDw = buildHardware(
      acc('kc_ws'),
      problems().filter((p) => !p.depthwise),
    );
    expect(noDw.inputLanes.count).toBe(4);
  });
  it('P x Q: one weight multicast to every PE, no reduction', () => {
    const hw = buildHardware(acc('pq_os'), problems());
    expect([hw.weightLanes.count, hw.inputLanes.count, hw.outputLanes.count, hw.reductionLanes.count]).toEqual([1, 16, 16, 1]);
  });
  it('R x P: weights multicast along P, partial sums reduced along R', () => {
    const hw = buildHardware(acc('rp_rs'), problems());
    expect([hw.weightLanes.count, hw.inputLanes.count, hw.outputLanes.count, hw.reductionLanes.count]).toEqual([3, 12, 4, 3]);
  });
  it('rejects a buffer too small for the banks, with the accelerator location', () => {
    const small = { ...acc('kc_ws'), globalBufferBytes: 1024 };
    const e = (() => {
      try {
        buildHardware(small, problems());
      } catch (x) {
        return x;
      }
    })() as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.diagnostics[0].message).toMatch(/global buffer/);
    expect(e.diagnostics[0].location?.line).toBeGreaterThan(0);
  });
});

describe('mapping', () => {
  it('counts live partial sums and rejects orders that overflow the register file', () => {
    const hw = buildHardware(acc('kc_ws'), problems());
    const c3 = problems()[0];
    expect(mapLayer(hw, c3, parseOrder('KPCQRS')).footprint).toBe(8);
    expect(() => mapLayer(hw, c3, parseOrder('CKPQRS'))).toThrow(/double-buffered register file holds 8/);
    expect(() => parseOrder('KPQ')).toThrow(UserError);
  });
  it('same seed, byte-identical design, programs and vectors', () => {
    const a = generateAccelerator(acc('rp_rs'), net(), { seed: 9 }).files;
    const b = generateAccelerator(acc('rp_rs'), net(), { seed: 9 }).files;
    expect(a).toEqual(b);
    const c = generateAccelerator(acc('rp_rs'), net(), { seed: 10 }).files;
    expect(c.filter((f) => f.path.startsWith('rtl/'))).toEqual(a.filter((f) => f.path.startsWith('rtl/')));
    expect(c.find((f) => f.path === 'layers/c3/dram.hex')).not.toEqual(a.find((f) => f.path === 'layers/c3/dram.hex'));
  });
  it('refuses layers it cannot run, pointing at the layer', () => {
    const n = net();
    const pool = {
      ...n,
      layers: [
        ...n.layers,
        { name: 'mp', op: 'maxpool', inputs: ['s2'], attrs: { kernel: [2, 2], stride: [2, 2] }, output: n.layers[3].output },
      ],
    };
    expect(() => generateAccelerator(acc('kc_ws'), pool, { seed: 1, layers: ['mp'] })).toThrow(
      /maxpool; the accelerator runs conv2d, dwconv2d and dense/,
    );
    expect(() => generateAccelerator(acc('kc_ws'), n, { seed: 1, layers: ['nope'] })).toThrow(/no layer 'nope'/);
  });
  it('vectors are a function of the seed', () => {
    const p = problems()[2];
    expect(layerVectors(p, 7).output).toEqual(layerVectors(p, 7).output);
    expect(layerVectors(p, 7).input).not.toEqual(layerVectors(p, 8).input);
  });
});

describe.each([
  ['kc_ws', 'KPQCRS'],
  ['pq_os', 'KCRSPQ'],
  ['rp_rs', 'KPQCRS'],
  ['kcs_3d', 'KPCQRS'],
])('%s runs 3x3, 1x1, depthwise and stride-2 layers bit-exactly in Icarus (order %s)', (name, order) => {
  it('lint clean, bit-exact, cycles within 10% of the prediction and of the cost model alone', async () => {
    const g = generateAccelerator(acc(name), net(), { seed: 1, order: parseOrder(order) });
    const dir = write(g);
    const r = await verifyAccelerator(dir, { sims: ['iverilog'] });
    expect(r.lint.warnings).toBe(0);
    const sim = r.sims[0];
    expect(sim.layers.map((l) => l.name)).toEqual(['c3', 'pw', 'dw', 's2']);
    for (const l of sim.layers) {
      expect(l.failed, `${name}/${l.name}: ${l.first_mismatch}`).toBe(0);
      expect(l.passed).toBe(
        g.manifest.layers.find((x) => x.name === l.name)!.bounds.K *
          g.manifest.layers.find((x) => x.name === l.name)!.bounds.P *
          g.manifest.layers.find((x) => x.name === l.name)!.bounds.Q,
      );
    }
    for (const l of r.layers) {
      expect(Math.abs(l.error_pct!)).toBeLessThanOrEqual(10);
      // The cost model alone (serial load and requantiser drain as global-buffer properties)
      // must agree with the hardware within 10% too; every one of these layers divides its axes.
      expect(l.model_cycles, `${name}/${l.name}`).toEqual(expect.any(Number));
      expect(Math.abs(l.model_error_pct!), `${name}/${l.name}: model ${l.model_cycles} vs ${l.sim_cycles.iverilog}`).toBeLessThanOrEqual(
        10,
      );
      // The schedule formula is the RTL's: it must predict the simulated cycles exactly.
      expect(l.sim_cycles.iverilog).toBe(g.manifest.layers.find((x) => x.name === l.name)!.schedule_cycles);
    }
    expect(r.ok).toBe(true);
  }, 120_000);
});

describe('non-square shapes', () => {
  it('3x1 and 1x3 kernels, (1,2) and (2,1) strides on a 7x10 map, and a dense layer: bit-exact', async () => {
    const odd = prog.networks.find((n) => n.name === 'rtl_odd')!;
    const g = generateAccelerator(acc('rp_rs'), odd, { seed: 2 });
    const r = await verifyAccelerator(write(g), { sims: ['iverilog'] });
    expect(r.sims[0].layers.map((l) => [l.name, l.passed, l.failed])).toEqual([
      ['a', 7 * 5 * 6, 0],
      ['d', 4 * 5 * 6, 0],
      ['f', 5, 0],
    ]);
    expect(r.lint.warnings).toBe(0);
  }, 120_000);
});

describe('a wrong output is caught and located', () => {
  it('names the first mismatching output and leaves a waveform', async () => {
    const g = generateAccelerator(acc('pq_os'), net(), { seed: 3, layers: ['s2'] });
    const dir = write(g);
    const exp = join(dir, 'layers/s2/expected.hex');
    const lines = readFileSync(exp, 'utf8').split('\n');
    // Flip output byte 13 = (y=0, x=1, k=5) of the 4x4x8 output.
    lines[13] = ((parseInt(lines[13], 16) ^ 1) & 0xff).toString(16).padStart(2, '0');
    writeFileSync(exp, lines.join('\n'));
    const r = await verifyAccelerator(dir, { sims: ['iverilog', 'verilator'] });
    for (const sim of r.sims) {
      const l = sim.layers[0];
      expect(l.failed).toBe(1);
      expect(l.passed).toBe(127);
      expect(l.first_mismatch).toMatch(/^output\[y=0,x=1,k=5\] \(byte 13\)/);
      expect(existsSync(join(dir, l.vcd!))).toBe(true);
    }
    expect(r.ok).toBe(false);
    // Verilator's bench is built without tracing; the waveform of the failing layer came from a traced rebuild.
    expect(existsSync(join(dir, 'build/verilator-trace'))).toBe(true);
  }, 300_000);
});
