// Training speed of nacc's float trainer on the example supernet's largest and smallest
// subnets (images per second, forward + backward, batch 32), to track the trainer's kernels.
//   npx tsx bench/nas-train-speed.ts [--seconds 5] [--bn]
import { loadavg } from 'node:os';
import { loadPrograms } from '../compiler/frontend/index.ts';
import { Trainer, compileModel, initParams } from '../compiler/fl/trainer.ts';
import { largestConfig, lowerSubnet, smallestConfig } from '../compiler/nas/supernet.ts';
import { Prng } from '../compiler/util/prng.ts';

const args = process.argv.slice(2);
const seconds = Number(args.includes('--seconds') ? args[args.indexOf('--seconds') + 1] : 5);
const spec = loadPrograms(['examples/supernet.nacc']).supernets.find((s) => s.name === 'fashion_supernet')!;
const BATCH = 32;
const batchNorm = args.includes('--bn');
for (const [name, c] of [
  ['largest', largestConfig(spec)],
  ['smallest', smallestConfig(spec)],
] as const) {
  const model = compileModel(lowerSubnet(spec, c), { batchNorm });
  const t = new Trainer(model, BATCH);
  const p = initParams(model, 1, 'he');
  const rng = new Prng(3);
  const x = Float32Array.from({ length: BATCH * model.inputSize }, () => rng.next());
  const y = Int32Array.from({ length: BATCH }, () => rng.int(10));
  t.lossAndGradient(p, x, y, BATCH);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let steps = 0;
  while (performance.now() - t0 < seconds * 1000) {
    t.lossAndGradient(p, x, y, BATCH);
    steps++;
  }
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const ips = (steps * BATCH) / s;
  const cpuIps = (steps * BATCH) / cpuS;
  // Per CPU-second figures hold up when other work shares the cores; wall figures do not.
  console.log(
    `${name}: ${ips.toFixed(0)} images/s wall, ${cpuIps.toFixed(0)} images per CPU-second (${((cpuIps * model.forwardMacs * 3) / 1e9).toFixed(2)} GMAC per CPU-second fwd+bwd, ${model.forwardMacs} MACs/image), load ${loadavg()[0].toFixed(2)}`,
  );
}
