// `nacc pointacc` (PointAcc performance model, or RTL + vectors for one mapping op) and
// `nacc pointops` (a golden point-cloud op on a user's cloud). I/O lives here; the stages are
// compiler/pointacc/ (model, op runner) and compiler/rtl/pointacc/ (generators).
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { D, ExitCode, fail, pickDeclared } from '../diagnostics/index.ts';
import { SHARED_DEFAULTS, invocation, nextStep, parseSeed } from './options.ts';
import { VERIFY_RESULT, writeRunManifest } from '../report/run-manifest.ts';
import { loadProgram } from '../frontend/index.ts';
import type { PointAccConfig } from '../ir/targets.ts';
import type { Program } from '../ir/program.ts';
import type { Network } from '../ir/network.ts';
import { type Cloud, parseCloud, SYNTHETIC_CLOUDS, syntheticCloud, bunnyCloud } from '../reference/pointcloud/cloud.ts';
import { voxelize } from '../reference/pointcloud/mapping.ts';
import { runPointOp } from '../pointacc/pointops.ts';
import { buildRtlPackage, type RtlOp, RTL_OPS } from '../rtl/pointacc/index.ts';
import type { RtlPackage } from '../rtl/pointacc/point-search-package.ts';
import { modelNetwork, perfJson, perfText, type PerfOptions } from '../pointacc/perf-model.ts';
import { measureCpuBaseline } from '../pointacc/cpu-baseline.ts';
import { writeOutputDir } from '../util/atomic-output.ts';
import { buildLayerRtl } from '../rtl/pointacc/layer-select.ts';
import { shellWord } from '../util/names.ts';

const usage = (code: string, message: string): never => fail(code, message, undefined, ExitCode.usage);

/**
 * A cloud from a file (.xyz, .ply, raw float32) or, when no such file exists, a generated one
 * named `KIND[:N[:SEED]]` (KIND one of sphere, planes, clutter, duplicates, ties, sparse, bunny).
 */
export function resolveCloud(spec: string, defaultSeed: number): Cloud {
  if (existsSync(spec)) return parseCloud(new Uint8Array(readFileSync(spec)), spec);
  const m = spec.match(/^([a-z]+)(?::(\d+))?(?::(\d+))?$/);
  if (m && (SYNTHETIC_CLOUDS as readonly string[]).includes(m[1])) {
    const n = m[2] ? Number(m[2]) : m[1] === 'bunny' ? 0 : 1000;
    return m[1] === 'bunny' ? bunnyCloud(n || undefined) : syntheticCloud(m[1], n, m[3] ? Number(m[3]) : defaultSeed);
  }
  return fail(D.cannotRead, `cannot read cloud '${spec}' (not a file, nor a generated cloud ${SYNTHETIC_CLOUDS.join('|')}[:N[:SEED]])`);
}

export function findConfig(program: Program, name: string | undefined, file: string): PointAccConfig {
  if (!name) {
    if (program.pointaccs.length === 1) return program.pointaccs[0];
    if (program.pointaccs.length === 0) usage(D.noPointaccConfig.code, `${file} declares no pointacc configuration`);
    usage(
      D.severalPointaccConfigs.code,
      `${file} has several pointacc configurations; pick one with --config (${program.pointaccs.map((p) => p.name).join(', ')})`,
    );
  }
  return pickDeclared('pointacc configuration', name!, program.pointaccs, file);
}

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** Write an RTL package and its manifest (what `nacc verify` reads). */
export function writeRtlPackage(dir: string, pkg: RtlPackage, extra: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  for (const f of pkg.files) writeFileSync(join(dir, f.path), f.text);
  const manifest = {
    generator: 'pointacc',
    top: pkg.top,
    files: [...pkg.designFiles, pkg.testbench],
    design_files: pkg.designFiles,
    testbench: pkg.testbench,
    predicted_cycles: pkg.predictedCycles,
    params: pkg.params,
    ...extra,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return join(dir, 'manifest.json');
}

interface PointaccOpts {
  network?: string;
  config?: string;
  json?: boolean;
  op?: string;
  cloud?: string;
  out?: string;
  centers?: string;
  k?: string;
  radius?: string;
  mode?: string;
  kernel?: string;
  stride?: string;
  voxel?: string;
  seed: string;
  fusion?: boolean;
  cache?: boolean;
  baseline?: boolean;
  points?: string;
  rows?: string;
  cin?: string;
  cout?: string;
  rowBytes?: string;
  layer?: string;
}

export function registerPointacc(program: Command): void {
  program
    .command('pointacc <file>')
    .description('PointAcc: per-layer performance model of a network (--network), or RTL + vectors for one mapping op (--op ... --out)')
    .option('--network <name>', 'network to model')
    .option(
      '--layer <name>',
      'with --network and --out: RTL of one whole layer (a set_abstraction or a sparse_conv3d reading the network input)',
    )
    .option('--config <name>', 'pointacc configuration (default: the only one in the file)')
    .option('--op <op>', `emit RTL for one op: ${RTL_OPS.join('|')}`)
    .option(
      '--cloud <cloud>',
      'cloud for --op: .xyz/.ply/raw float32 file, or KIND[:N[:SEED]] (default clutter:512, kernel_map: voxelised bunny)',
    )
    .option('--out <dir>', 'output folder for --op (e.g. rtl-out/NAME)')
    .option('--centers <m>', 'centers for fps/knn/ball_query (default 16)')
    .option('--k <k>', `neighbours per center for knn/ball_query (default ${SHARED_DEFAULTS.k}, or the cloud's points when fewer)`)
    .option('--radius <r>', 'ball-query radius in cloud units (default 0.2 x the bounding-box diagonal)')
    .option('--mode <mode>', 'ball query: pointnet2|nearest', 'pointnet2')
    .option('--kernel <k>', 'kernel_map kernel size', '3')
    .option('--stride <s>', 'kernel_map conv stride', '1')
    .option('--rows <n>', 'shared_mlp: rows of the layer (default 64)')
    .option('--cin <n>', 'shared_mlp: input channels (default 64)')
    .option('--cout <n>', 'shared_mlp: output channels (default 64)')
    .option('--row-bytes <n>', 'gather: bytes per feature row (default 16)')
    .option('--voxel <size>', 'voxel size when a float cloud is voxelised for kernel_map (default: bounding box / 16)')
    .option('--no-fusion', 'performance model: disable layer fusion')
    .option('--no-cache', 'performance model: disable the gather cache')
    .option('--baseline', 'performance model: also measure the -O3 C baseline on this machine (gcc)')
    .option('--points <n>', 'performance model: override the network input size (points or voxels)')
    .option('--seed <n>', 'seed for generated clouds and weights', '1')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: PointaccOpts) => {
      const prog = loadProgram(file);
      const config = findConfig(prog, opts.config, file);
      const seed = parseSeed(opts.seed);
      if (opts.op) {
        const opName: string = opts.op;
        if (!(RTL_OPS as readonly string[]).includes(opts.op))
          usage(D.unknownRtlPointOp.code, `--op must be one of ${RTL_OPS.join(', ')}, got '${opts.op}'`);
        if (!opts.out) usage(D.pointaccNeedsOut.code, '--op needs --out DIR (e.g. rtl-out/knn)');
        const op = opts.op as RtlOp;
        let cloud = resolveCloud(opts.cloud ?? (opName === 'kernel_map' ? 'bunny' : 'clutter:512'), seed);
        if (opName === 'kernel_map' && Array.from(cloud.xyz).some((v) => !Number.isInteger(v))) {
          const size = num(opts.voxel) ?? defaultVoxel(cloud);
          cloud = voxelize(cloud, size).voxels;
        }
        const pkg = buildRtlPackage(op, cloud, config, {
          centers: num(opts.centers),
          k: num(opts.k),
          radius: num(opts.radius),
          mode: opts.mode === 'nearest' ? 'nearest' : 'pointnet2',
          kernel: Number(opts.kernel),
          stride: Number(opts.stride),
          seed,
          rows: num(opts.rows),
          cin: num(opts.cin),
          cout: num(opts.cout),
          rowBytes: num(opts.rowBytes),
        });
        const dir = resolve(opts.out!);
        // The folder appears only when complete; the previous design's simulator builds go, a user's own files stay.
        await writeOutputDir(
          dir,
          (tmp) => {
            writeRunManifest(tmp, {
              kind: 'pointacc',
              title: `PointAcc ${opName} on ${config.name} (${cloud.name})`,
              command: invocation(),
            });
            return writeRtlPackage(tmp, pkg, { config: config.name, cloud: cloud.name });
          },
          { carryOver: (name) => !name.startsWith('build') && name !== VERIFY_RESULT },
        );
        const manifest = join(dir, 'manifest.json');
        const summary = {
          out: dir,
          manifest,
          top: pkg.top,
          files: pkg.files.map((f) => f.path),
          predicted_cycles: pkg.predictedCycles,
          params: pkg.params,
        };
        if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        else {
          process.stdout.write(`wrote ${pkg.files.length} files to ${dir} (top ${pkg.top}); predicted ${pkg.predictedCycles} cycles\n`);
          nextStep(`nacc verify ${shellWord(opts.out!)} --sim both`);
        }
        return;
      }
      if (!opts.network) usage(D.pointaccNeedsWhat.code, 'give --network N (performance model) or --op OP --out DIR (RTL)');
      const net = pickDeclared('network', opts.network!, prog.networks, file);
      if (opts.layer) {
        await writeLayerRtl(net!, config, opts, seed);
        return;
      }
      if (opts.out) usage(D.pointaccOutNeedsLayer.code, '--out with --network needs --layer L (the RTL of one whole layer)');
      const perfOpts: PerfOptions = { fusion: opts.fusion !== false, cache: opts.cache !== false, points: num(opts.points) };
      const report = modelNetwork(net!, config, perfOpts);
      const baseline = opts.baseline
        ? await measureCpuBaseline(net!, { points: num(opts.points), seed, workDir: resolve('rtl-out', `.baseline-${net!.name}`) })
        : undefined;
      if (opts.json) process.stdout.write(JSON.stringify(perfJson(report, baseline), null, 2) + '\n');
      else process.stdout.write(perfText(report, baseline) + '\n');
    });

  program
    .command('pointops <op>')
    .description('run a golden point-cloud op (fps|knn|ball_query|kernel_map) on a cloud')
    .requiredOption('--cloud <cloud>', '.xyz (x y z per line), .ply (ASCII or binary) or raw float32 triples; or KIND[:N[:SEED]]')
    .option('--centers <m>', 'centers: the first M points of the FPS order (default 16)')
    .option('--k <k>', `neighbours per center (default ${SHARED_DEFAULTS.k}, or the cloud's points when fewer)`)
    .option('--radius <r>', 'ball-query radius (strict: d^2 < r^2)')
    .option('--mode <mode>', 'ball query: pointnet2 (first K hits in index order) | nearest (nearest K within r)', 'pointnet2')
    .option('--kernel <k>', 'kernel_map kernel size', '3')
    .option('--stride <s>', 'kernel_map conv stride', '1')
    .option('--seed <n>', 'seed for generated clouds', '1')
    .option('--json', 'print JSON')
    .action(
      (
        op: string,
        opts: {
          cloud: string;
          centers?: string;
          k?: string;
          radius?: string;
          mode?: string;
          kernel?: string;
          stride?: string;
          seed: string;
          json?: boolean;
        },
      ) => {
        const cloud = resolveCloud(opts.cloud, parseSeed(opts.seed));
        const res = runPointOp(op, cloud, {
          centers: num(opts.centers),
          k: num(opts.k),
          radius: num(opts.radius),
          mode: opts.mode as 'pointnet2' | 'nearest',
          kernel: num(opts.kernel),
          stride: num(opts.stride),
        });
        if (opts.json) {
          process.stdout.write(JSON.stringify(res) + '\n');
          return;
        }
        process.stdout.write(pointOpText(op, res) + '\n');
      },
    );
}

/**
 * `--network N --layer L --out DIR`: the whole layer on the PointAcc top, with its vectors and
 * bench, and next to the RTL-faithful prediction the performance model's cycles for the same
 * layer, configuration, options and cloud (model_cycles, what `nacc verify` compares with).
 */
async function writeLayerRtl(net: Network, config: PointAccConfig, opts: PointaccOpts, seed: number): Promise<void> {
  if (!opts.out) usage(D.pointaccNeedsOut.code, '--layer needs --out DIR (e.g. rtl-out/NAME)');
  const fusion = opts.fusion !== false;
  const cache = opts.cache !== false;
  let cloud = opts.cloud ? resolveCloud(opts.cloud, seed) : undefined;
  const voxelInput = net.inputs[0]?.type.kind === 'voxels';
  if (cloud && voxelInput && Array.from(cloud.xyz).some((v) => !Number.isInteger(v)))
    cloud = voxelize(cloud, num(opts.voxel) ?? defaultVoxel(cloud)).voxels;
  const rtl = buildLayerRtl(net, opts.layer!, config, { cloud, points: num(opts.points), fusion, cache, seed });
  const report = modelNetwork(net, config, { fusion, cache, cloud: rtl.cloud, seed });
  const parts = report.layers.filter((l) => rtl.modelLayers.includes(l.name));
  const modelCycles = parts.reduce((a, l) => a + l.cycles, 0);
  const pkg = rtl.pkg;
  const accesses = pkg.hits + pkg.misses;
  const extra = {
    config: config.name,
    cloud: rtl.cloud.name,
    network: net.name,
    layer: opts.layer,
    kind: rtl.kind,
    options: { fusion, cache },
    model_cycles: modelCycles,
    model_layers: parts.map((l) => ({ name: l.name, cycles: l.cycles, dram_bytes: l.dram_bytes })),
    predicted_phases: pkg.model,
    dram_bytes: pkg.dramBytes,
    model_dram_bytes: parts.reduce((a, l) => a + l.dram_bytes, 0),
    cache: { hits: pkg.hits, misses: pkg.misses, hit_rate: accesses ? pkg.hits / accesses : null },
  };
  const dir = resolve(opts.out!);
  await writeOutputDir(
    dir,
    (tmp) => {
      writeRunManifest(tmp, {
        kind: 'pointacc',
        title: `PointAcc ${rtl.kind} ${opts.layer} of ${net.name} on ${config.name}`,
        command: invocation(),
      });
      return writeRtlPackage(tmp, pkg, extra);
    },
    { carryOver: (name) => !name.startsWith('build') && name !== VERIFY_RESULT },
  );
  const summary = {
    out: dir,
    manifest: join(dir, 'manifest.json'),
    top: pkg.top,
    files: pkg.files.map((f) => f.path),
    predicted_cycles: pkg.predictedCycles,
    params: pkg.params,
    ...extra,
  };
  if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else {
    process.stdout.write(
      `wrote ${pkg.files.length} files to ${dir} (${rtl.kind} ${opts.layer} of ${net.name}, top ${pkg.top}); predicted ${pkg.predictedCycles} cycles, performance model ${modelCycles}\n`,
    );
    nextStep(`nacc verify ${shellWord(opts.out!)} --sim both`);
  }
}

function defaultVoxel(c: Cloud): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of c.xyz) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return (hi - lo) / 16 || 1;
}

function pointOpText(op: string, res: Record<string, unknown>): string {
  if (op === 'fps') return `fps: ${(res.result as number[]).join(' ')}`;
  if (op === 'kernel_map') {
    const r = res.result as { offset: number[]; pairs: number[][] }[];
    return r.map((e) => `offset [${e.offset.join(', ')}]: ${e.pairs.length} pairs`).join('\n');
  }
  const rows = res.result as number[][];
  const count = res.count as number[] | undefined;
  return rows.map((row, j) => `center ${j}: ${row.join(' ')}${count ? `  (count ${count[j]})` : ''}`).join('\n');
}
