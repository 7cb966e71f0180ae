// What `nacc rtl FILE --accelerator A --network N` programs for real networks: the mapper's best
// mapping per layer under the RTL predicate (compiler/cli/rtl-from.ts mapperLayers), planned on
// the generated hardware (planAccelerator, no vectors, no simulation). Prints per (network,
// accelerator): layers replaying the mapper's mapping, programs, buffer used, and the schedule
// formula (the RTL's cycles) against the cost model for the same mappings (planner layers: summed over their programs).
//   npx tsx bench/rtl-mapper-networks.ts [file:network[@searchdir] ...]   (default: ds_cnn, ResNet-18, MobileNetV2 on the three baselines)
//   npx tsx bench/rtl-mapper-networks.ts --all   (every image network in examples/ and ../shared/dsl-examples/: no layer refused)
// With @searchdir (a `nacc search --rtl --out` folder) the design is its naas_best and the layers
// replay its searched mappings (`nacc rtl FILE --from searchdir`), the mapper's where they cannot.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPrograms } from '../compiler/frontend/index.ts';
import { UserError } from '../compiler/diagnostics/index.ts';
import { acceleratorNetwork } from '../compiler/rtl/accelerator/problem.ts';
import { mapperLayers, readSearchedLayers } from '../compiler/cli/rtl-from.ts';
import { planAccelerator } from '../compiler/rtl/accelerator/index.ts';
import { predictCycles } from '../compiler/rtl/accelerator/schedule.ts';
import { modelArchitecture, modelOf, modelPrediction } from '../compiler/rtl/accelerator/model.ts';

const SHARED = '../shared/dsl-examples';
/** Every network with image layers (conv, depthwise, dense) in the .nacc files of these folders, as file:network. */
function allNetworks(dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.nacc') && f !== 'accelerators.nacc')
      .sort()
      .flatMap((f) =>
        loadPrograms([join(dir, f)])
          .networks.filter(acceleratorNetwork)
          .map((n) => `${join(dir, f)}:${n.name}`),
      ),
  );
}
const args = process.argv.slice(2);
const cases = args.includes('--all')
  ? allNetworks([SHARED, 'examples'])
  : args.length
    ? args
    : [`${SHARED}/tiny.nacc:ds_cnn`, `${SHARED}/resnet18.nacc:resnet18`, `${SHARED}/mobilenetv2.nacc:mobilenetv2`];
const accelerators = ['eyeriss', 'shidiannao', 'nvdla_256'];
/** The table's network column: with --all, which file it is from too (examples/ has two VGG-16s). */
const label = (file: string, network: string) => (args.includes('--all') ? `${file}:${network}` : network);

console.log(
  '| network | accelerator | layers | replayed (searched or mapper) | planner | programs | buffer used (B) | schedule cycles | model cycles | schedule / model − 1 | worst layer | map + plan s |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const c of cases) {
  const [file, rest] = c.split(':');
  const [network, from] = rest.split('@');
  for (const acc of from ? ['naas_best'] : accelerators) {
    try {
      await row(file, network, from, acc);
    } catch (e) {
      // A refusal is a row of the table (a located user error), never the end of the run.
      if (!(e instanceof UserError)) throw e;
      console.log(
        `| ${label(file, network)} | ${acc} | refused: ${e.diagnostics[0].code} ${e.diagnostics[0].message.replace(/\|/g, '/')} |`,
      );
    }
  }
}

/** One network on one design: what `nacc rtl` programs (searched, mapper or planner per layer), planned without vectors. */
async function row(file: string, network: string, from: string | undefined, acc: string): Promise<void> {
  const t0 = performance.now();
  // The baselines of the shared file (a file of examples/ may declare its own of the same name).
  const spec = loadPrograms([from ? `${from}/design.nacc` : `${SHARED}/accelerators.nacc`]).accelerators.find((a) => a.name === acc)!;
  const net = loadPrograms([file]).networks.find((n) => n.name === network)!;
  const searched = from ? readSearchedLayers(from, spec, net) : undefined;
  const rest = searched ? [...searched.missing, ...Object.keys(searched.notReplayed)] : undefined;
  // as nacc rtl: a search's mappings keep the double buffer they were sized for, else the mapper picks
  const byMapper = !rest || rest.length ? await mapperLayers(spec, net, rest, 1, undefined, searched ? 'double' : 'best') : undefined;
  const mapped = { searched: { ...(byMapper?.searched ?? {}), ...(searched?.searched ?? {}) } };
  if (byMapper?.reason) console.error(`${network} on ${acc}: ${byMapper.reason}; those layers run the planner's program`);
  if (searched)
    console.error(
      `${network} on ${from}: ${Object.keys(searched.searched).length} searched, ${rest!.length} not (${Object.values(searched.notReplayed).flat().join('; ')})`,
    );
  const plan = planAccelerator(spec, net, {
    searched: mapped.searched,
    ...(byMapper?.doubleBuffer === false ? { doubleBuffer: false } : {}),
  });
  const arch = modelArchitecture(spec, plan.hardware);
  let schedule = 0;
  let model = 0;
  let worst = { layer: '', error: 0 };
  let predictedLayers = 0;
  plan.problems.forEach((p, i) => {
    const s = plan.tiles[i].reduce((sum, t, j) => sum + predictCycles(plan.hardware, plan.mappings[i][j], t.load, t.problem.macs).total, 0);
    const searched = mapped.searched[p.layer]?.searched;
    // A planner layer: the model on each of its programs, summed (every program's spatial factors divide its bounds).
    const tileModels = plan.tiles[i].map(
      (t, j) => modelPrediction(arch, plan.hardware, t.problem, plan.mappings[i][j], t.lastChunk).cycles,
    );
    const m = searched
      ? modelOf(searched.problem, arch, searched.mapping).cycles
      : tileModels.some((c) => c === null)
        ? null
        : tileModels.reduce((a: number, c) => a + c!, 0);
    schedule += s;
    if (m !== null) {
      predictedLayers++;
      model += m;
      const e = s / m - 1;
      if (Math.abs(e) > Math.abs(worst.error)) worst = { layer: p.layer, error: e };
    }
  });
  const mapperCount = Object.keys(mapped.searched).length;
  const unpredicted = plan.problems.length - predictedLayers;
  const programs = plan.tiles.reduce((s, t) => s + t.length, 0);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
  console.log(
    `| ${label(file, network)} | ${from ? `${acc} (${from})` : acc} | ${plan.problems.length} | ${mapperCount} | ${plan.problems.length - mapperCount} | ${programs} | ${plan.hardware.globalBufferUsed} | ${schedule} | ${unpredicted ? '-' : model} | ${unpredicted ? '-' : pct(schedule / model - 1)} | ${worst.layer ? `${worst.layer} ${pct(worst.error)}` : '-'} | ${((performance.now() - t0) / 1000).toFixed(1)} |`,
  );
}
