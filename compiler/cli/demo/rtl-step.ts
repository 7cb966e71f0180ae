// Demo: generate Verilog for the K x C accelerator of examples/rtl.nacc running the four layer
// kinds of `rtl_layers`, lint it with verilator -Wall, simulate every layer in Icarus against
// the golden model, and compare measured cycles with the predictions; then the same for layers
// larger than a 10 KB buffer, run as tiles (examples/rtl-tiled.nacc).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { DemoStep } from './step.ts';
import { loadProgram } from '../../frontend/index.ts';
import { generateAccelerator } from '../../rtl/accelerator/index.ts';
import { verifyAccelerator } from '../../../testbench/rtl/accelerator.ts';
import { writeReportSection, writeRunManifest, writeVerifyResult } from '../../report/index.ts';
import { verifySection } from '../../report/adapters.ts';

const DEMO_COMMAND = 'nacc demo --only rtl';

export const rtlStep: DemoStep = {
  name: 'rtl',
  async run(ctx) {
    const prog = loadProgram(join(ctx.examplesDir, 'rtl.nacc'));
    const spec = prog.accelerators.find((a) => a.name === 'kc_ws');
    const net = prog.networks.find((n) => n.name === 'rtl_layers');
    if (!spec || !net) return { status: 'failed', summary: 'examples/rtl.nacc lacks accelerator kc_ws or network rtl_layers' };
    const g = generateAccelerator(spec, net, { seed: ctx.seed });
    const out = join(ctx.outDir, 'rtl', 'kc_ws');
    for (const f of g.files) {
      mkdirSync(dirname(join(out, f.path)), { recursive: true });
      writeFileSync(join(out, f.path), f.text);
    }
    ctx.log(
      `rtl: ${g.manifest.designFiles.length} modules, ${g.hardware.peCount} PEs, ${g.programs.length} layer programs -> ${relative(ctx.outDir, out)}`,
    );
    // The run folder as `nacc rtl --out` and `nacc verify` leave it, so the report shows predicted against measured cycles.
    writeRunManifest(out, { kind: 'rtl', title: `RTL: ${spec.name} running ${net.name}`, command: DEMO_COMMAND });
    const r = await verifyAccelerator(out, { sims: ['iverilog'], log: (m) => ctx.log(`rtl: ${m}`) });
    writeVerifyResult(out, r);
    // The section names the design relative to the demo folder: outDir is renamed when the demo completes.
    const section = verifySection(JSON.parse(JSON.stringify({ ...r, design: relative(ctx.outDir, out) })), join(out, 'verify.json'));
    if (section) writeReportSection(out, 'verify', section);
    const sim = r.sims[0];
    const model = r.layers
      .filter((l) => l.model_error_pct != null)
      .map((l) => `${l.name} ${l.model_error_pct! > 0 ? '+' : ''}${l.model_error_pct!.toFixed(0)}%`);
    const worst = Math.max(...r.layers.map((l) => Math.abs(l.error_pct ?? Infinity)));
    // The cost model alone (serial load, one-output-per-cycle drain) must agree within 10% too.
    const worstModel = Math.max(...r.layers.map((l) => Math.abs(l.model_error_pct ?? Infinity)));
    // Layers larger than the buffer: examples/rtl-tiled.nacc's 10 KB K x C array runs them as tiles.
    const tiledProg = loadProgram(join(ctx.examplesDir, 'rtl-tiled.nacc'));
    const tSpec = tiledProg.accelerators.find((a) => a.name === 'kc_small');
    const tNet = tiledProg.networks.find((n) => n.name === 'rtl_tiled');
    if (!tSpec || !tNet) return { status: 'failed', summary: 'examples/rtl-tiled.nacc lacks accelerator kc_small or network rtl_tiled' };
    const tg = generateAccelerator(tSpec, tNet, { seed: ctx.seed });
    const tOut = join(ctx.outDir, 'rtl', 'kc_small-tiled');
    for (const f of tg.files) {
      mkdirSync(dirname(join(tOut, f.path)), { recursive: true });
      writeFileSync(join(tOut, f.path), f.text);
    }
    const tiles = tg.manifest.layers.reduce((s, l) => s + l.tile_count, 0);
    ctx.log(`rtl: ${tNet.name} on ${tSpec.name} (${tSpec.globalBufferBytes} B buffer) as ${tiles} tiles -> ${relative(ctx.outDir, tOut)}`);
    writeRunManifest(tOut, { kind: 'rtl', title: `RTL: ${tSpec.name} running ${tNet.name} as tiles`, command: DEMO_COMMAND });
    const tr = await verifyAccelerator(tOut, { sims: ['iverilog'], log: (m) => ctx.log(`rtl: ${m}`) });
    writeVerifyResult(tOut, tr);
    const tsim = tr.sims[0];
    const tWorst = Math.max(...tr.layers.map((l) => Math.abs(l.error_pct ?? Infinity)));
    const summary =
      `kc_ws (4x4 KxC) x ${sim.layers.length} layers: ${sim.passed} outputs ${sim.failed ? `with ${sim.failed} MISMATCHES` : 'bit-exact'} in Icarus, ` +
      `lint ${r.lint.warnings} warnings, ${sim.cycles} cycles vs ${r.predicted_cycles} predicted (worst ${worst.toFixed(1)}%); cost model alone ${model.join(', ')}; ` +
      `tiled (${tSpec.name}, ${tiles} tiles): ${tsim.passed} outputs ${tsim.failed ? `with ${tsim.failed} MISMATCHES` : 'bit-exact'}, ${tsim.cycles} cycles vs ${tr.predicted_cycles} predicted (worst ${tWorst.toFixed(1)}%)`;
    const ok = r.ok && worst <= 10 && worstModel <= 10 && tr.ok && tWorst <= 10;
    return { status: ok ? 'ok' : 'failed', summary, artifacts: [join(out, 'manifest.json'), join(tOut, 'manifest.json')] };
  },
};
