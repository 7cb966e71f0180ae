// Demo: parse every example, analyse every network, and check the three reference MAC counts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { DemoStep } from './step.ts';
import { loadProgram } from '../../frontend/index.ts';
import { analyzeNetwork, type NetworkStats } from '../../analysis/analyze.ts';
import type { Network } from '../../ir/network.ts';
import { inspectJson } from '../inspect.ts';

const REFERENCE_MACS: Record<string, number> = { resnet50: 4_089_184_256, vgg16: 15_470_264_320, mobilenet_v2: 300_774_272 };

export const inspectStep: DemoStep = {
  name: 'inspect',
  async run(ctx) {
    const files = readdirSync(ctx.examplesDir)
      .filter((f) => f.endsWith('.nacc'))
      .sort();
    let networks = 0;
    let layers = 0;
    const mismatches: string[] = [];
    const all: NetworkStats[] = [];
    const nets: Network[] = [];
    for (const f of files) {
      const program = loadProgram(join(ctx.examplesDir, f));
      for (const n of program.networks) {
        const s = analyzeNetwork(n);
        networks++;
        layers += s.layers.length;
        all.push(s);
        nets.push(n);
        const want = REFERENCE_MACS[n.name];
        if (want !== undefined && want !== s.totals.macs) mismatches.push(`${n.name}: ${s.totals.macs} != ${want}`);
      }
    }
    const out = join(ctx.outDir, 'inspect.json');
    writeFileSync(out, JSON.stringify(inspectJson(all, nets), null, 2));
    const checked = Object.keys(REFERENCE_MACS).filter((k) => nets.some((n) => n.name === k)).length;
    return {
      status: mismatches.length ? 'failed' : 'ok',
      summary: mismatches.length
        ? `MAC mismatch: ${mismatches.join('; ')}`
        : `${files.length} files, ${networks} networks, ${layers} layers; ${checked}/3 reference MAC counts exact`,
      artifacts: [out],
    };
  },
};
