// Report fixtures generated from a seed: one section of every kind, written with the same
// writeReportSection API the commands use, so the report tests run whatever else has landed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../../compiler/util/prng.ts';
import { writeReportSection, type ReportSection, type SearchPoint } from '../../compiler/report/index.ts';

export function fixtureSections(seed: number): Record<string, ReportSection> {
  const rng = new Prng(seed);
  const points: SearchPoint[] = [];
  for (let iteration = 0; iteration < 12; iteration++) {
    const shrink = Math.exp(-iteration / 8);
    for (let k = 0; k < 30; k++) {
      points.push({
        iteration,
        latency_cycles: Math.round(2e5 * (0.4 + shrink) * Math.exp(0.35 * rng.normal())),
        energy_pj: Math.round(8e6 * (0.4 + shrink) * Math.exp(0.35 * rng.normal())),
        label: `pe ${8 * (1 + rng.int(21))}, gb ${16 * (1 + rng.int(6))} KB`,
      });
    }
  }
  const bestIdx = points.reduce((b, p, i) => (p.latency_cycles * p.energy_pj < points[b].latency_cycles * points[b].energy_pj ? i : b), 0);
  const baseline = (name: string, f: number) => ({ name, latency_cycles: Math.round(3e5 * f), energy_pj: Math.round(1.1e7 * f) });

  const layers = 18;
  let lbl = 96 * 1024;
  const memLayers = [];
  for (let i = 0; i < layers; i++) {
    lbl = Math.max(2048, Math.round(lbl * (0.7 + 0.5 * rng.next())));
    const inPatch = i < layers / 2;
    memLayers.push({ name: `conv${i}`, layer_by_layer_bytes: lbl, patch_based_bytes: inPatch ? Math.round(lbl / (3 + rng.int(3))) : lbl });
  }

  const paLayers = ['sa1.fps', 'sa1.ball_query', 'sa1.mlp0', 'sa1.mlp1', 'sa2.fps', 'sa2.ball_query', 'sa2.mlp0', 'fc0'].map((name) => {
    const unfused = Math.round(1e5 * (0.5 + 2 * rng.next()));
    return { name, cycles_unfused: unfused, cycles_fused: name.includes('mlp') ? Math.round(unfused * (0.5 + 0.3 * rng.next())) : unfused };
  });

  const curve = (name: string, speed: number) => {
    const pts = [];
    let t = 0;
    for (let r = 0; r < 25; r++) {
      t += 2 + rng.next() * speed;
      pts.push({
        time_s: Number(t.toFixed(2)),
        accuracy: Number(Math.min(0.98, 0.1 + 0.85 * (1 - Math.exp(-r / 6)) + 0.01 * rng.normal()).toFixed(4)),
      });
    }
    const hit = pts.find((p) => p.accuracy >= 0.85);
    return { name, points: pts, ...(hit ? { time_to_target_s: hit.time_s } : {}) };
  };

  return {
    'naas-eyeriss': {
      kind: 'naas-search',
      title: 'NAAS on ds_cnn within Eyeriss resources (fixture)',
      network: 'ds_cnn',
      space: 'naas_eyeriss',
      objective: 'edp',
      points,
      baselines: [baseline('eyeriss', 1), baseline('nvdla_256', 0.8)],
      best: points[bestIdx],
    },
    'mcu-ds_cnn': {
      kind: 'mcu-memory',
      network: 'ds_cnn',
      mcu: 'stm32f412',
      sram_bytes: 64 * 1024,
      layers: memLayers,
      facts: { 'patch grid': '3x3' },
    },
    'pointacc-pointnet2': { kind: 'pointacc-cycles', network: 'pointnet2_ssg', config: 'edge', layers: paLayers },
    'fl-digits': {
      kind: 'fl-training',
      network: 'digits_mlp',
      target_accuracy: 0.85,
      clock: 'simulated',
      runs: [curve('fedavg', 6), curve('dga (delay 20)', 1)],
    },
    'rtl-naas_best': {
      kind: 'rtl-cycles',
      design: 'naas_best',
      tool: 'verilator',
      layers: ['conv1', 'block1.expand', 'block1.depthwise', 'block1.project', 'classifier'].map((name) => {
        const predicted = Math.round(2e3 * (1 + 30 * rng.next()));
        return { name, predicted_cycles: predicted, measured_cycles: Math.round(predicted * (0.9 + 0.3 * rng.next())) };
      }),
    },
    'mcu-kws': {
      kind: 'mcu-program',
      network: 'kws_small',
      mcu: 'stm32f412',
      sram_bytes: 256 * 1024,
      flash_bytes: 1024 * 1024,
      peak_sram_bytes: 8256,
      flash_used_bytes: 77_000,
      flash_source: 'measured',
      measured_ram_bytes: 11_544,
      facts: { 'instructions (measured, QEMU)': 1_243_320 },
    },
    'verify-rtl': {
      kind: 'rtl-verify',
      results: [
        { name: 'pe_array_tb', tool: 'iverilog', passed: 64, failed: 0, waveform: 'waves/pe_array_tb.vcd', log: 'logs/pe_array_tb.log' },
        {
          name: 'sorter_tb',
          tool: 'iverilog',
          passed: 30 + rng.int(10),
          failed: 2,
          waveform: 'waves/sorter_tb.vcd',
          detail: 'mismatch at vector 7',
        },
        { name: 'accelerator_lint', tool: 'verilator', passed: 1, failed: 0 },
      ],
    },
  };
}

/** Write every fixture section (and the waveform/log files they link to) under dir. */
export function writeFixtures(dir: string, seed: number): string[] {
  mkdirSync(join(dir, 'waves'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'waves', 'pe_array_tb.vcd'), '$timescale 1ns $end\n$enddefinitions $end\n#0\n');
  writeFileSync(join(dir, 'logs', 'pe_array_tb.log'), '64 passed, 0 failed\n');
  // sorter_tb.vcd is deliberately absent: the report must mark the link as missing.
  return Object.entries(fixtureSections(seed)).map(([name, s]) => writeReportSection(dir, name, s));
}
