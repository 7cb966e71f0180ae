// MAESTRO reference cases (`cases/<name>/cmd.txt` + inputs + MAESTRO's CSV): reads the
// command line the way MAESTRO's option parser does, evaluates with our model, compares per layer.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { D, UserError, type Diagnostic } from '../../compiler/diagnostics/index.ts';
import {
  evaluateNetwork,
  MaestroAnalysisError,
  MAESTRO_DEFAULTS,
  type MaestroHardware,
  type MaestroLayerResult,
} from '../../compiler/naas/maestro/index.ts';
import { parseMaestroHw, parseMaestroMapping } from '../../compiler/importers/maestro/parse.ts';

/** Options of the `maestro` binary that change what it computes (the rest are accepted and ignored). */
const OPTIONS = [
  'Mapping_file',
  'HW_file',
  'num_pes',
  'noc_bw_cstr',
  'offchip_bw_cstr',
  'noc_hops',
  'noc_hop_latency',
  'num_simd_lanes',
  'l1_size_cstr',
  'l2_size_cstr',
  'print_res',
  'print_res_csv_file',
  'print_log_file',
  'msg_print_lv',
  'dataflow_file',
  'layer_file',
  'noc_mc_support',
  'top_bw_only',
  'bw_sweep',
  'do_implicit_reduction',
  'do_fg_sync',
  'do_reduction_op',
  'full_buffer',
  'do_dse',
  'verbose',
  'print_design_space',
  'print_space',
  'min_num_PEs',
  'min_noc_bw',
  'max_num_PEs',
  'max_noc_bw',
  'pe_tick',
  'bw_tick',
  'area_constraint',
  'power_constraint',
  'optimization_target',
] as const;

export interface MaestroCommand {
  mappingFile: string;
  hwFile?: string;
  hw: MaestroHardware;
}

/** Parses a `maestro --key=value ...` command line; option names may be unique prefixes (boost). */
export function parseMaestroCommand(cmd: string, where: string): MaestroCommand {
  const words = cmd.trim().split(/\s+/).slice(1);
  const opts = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('--'))
      throw new UserError([{ severity: 'error', code: D.maestroCaseArgument.code, message: `${where}: unexpected argument '${w}'` }]);
    let [key, val] = w.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (val === undefined) val = words[++i] ?? '';
    const exact = OPTIONS.find((o) => o === key);
    const matches = exact ? [exact] : OPTIONS.filter((o) => o.startsWith(key));
    if (matches.length !== 1)
      throw new UserError([
        {
          severity: 'error',
          code: D.maestroCaseOption.code,
          message: `${where}: ${matches.length === 0 ? 'unknown' : 'ambiguous'} option --${key} (MAESTRO aborts)`,
        },
      ]);
    opts.set(matches[0], val);
  }
  const int = (k: string, d: number): number => {
    const v = opts.get(k);
    if (v === undefined) return d;
    if (!/^[+-]?\d+$/.test(v))
      throw new UserError([
        { severity: 'error', code: D.maestroCaseInteger.code, message: `${where}: --${k} needs an integer, found '${v}'` },
      ]);
    return Number(v);
  };
  if (opts.get('bw_sweep') === 'true' && opts.get('top_bw_only') === 'true') {
    throw new UserError([
      {
        severity: 'error',
        code: D.maestroCaseBwSweep.code,
        message: `${where}: the bandwidth sweep mode (--bw_sweep --top_bw_only) is not modelled`,
      },
    ]);
  }
  const mappingFile = opts.get('Mapping_file');
  if (!mappingFile) throw new UserError([{ severity: 'error', code: D.maestroCaseMapping.code, message: `${where}: no --Mapping_file` }]);
  const hw: MaestroHardware = {
    numPes: int('num_pes', MAESTRO_DEFAULTS.numPes),
    nocBw: int('noc_bw_cstr', MAESTRO_DEFAULTS.nocBw),
    nocLatency: int('noc_hop_latency', 0) * int('noc_hops', 1),
    offchipBw: int('offchip_bw_cstr', MAESTRO_DEFAULTS.offchipBw),
    simdLanes: int('num_simd_lanes', 1),
    l1Size: int('l1_size_cstr', MAESTRO_DEFAULTS.l1Size),
    l2Size: int('l2_size_cstr', MAESTRO_DEFAULTS.l2Size),
  };
  return { mappingFile, hwFile: opts.get('HW_file'), hw };
}

export interface ReferenceRow {
  name: string;
  runtime: number;
  energyNj: number;
  macs: number;
  /** input, filter, output: l1 read, l1 write, l2 read, l2 write. */
  counts: number[];
}

/** MAESTRO's CSV: header, then one row per layer (52 columns). */
export function parseMaestroCsv(text: string): ReferenceRow[] {
  // MAESTRO appends to an existing CSV: a later run brings its own header line.
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Neural Network Name'));
  return lines.map((l) => {
    const f = l.split(',').map((x) => x.trim());
    const n = (col: number) => Number(f[col - 1]);
    const counts = [27, 28, 29, 30, 32, 33, 34, 35, 37, 38, 39, 40].map(n);
    return { name: f[1], runtime: n(4), energyNj: n(5), macs: n(22), counts };
  });
}

export const COUNT_FIELDS = [
  'input.l1_read',
  'input.l1_write',
  'input.l2_read',
  'input.l2_write',
  'filter.l1_read',
  'filter.l1_write',
  'filter.l2_read',
  'filter.l2_write',
  'output.l1_read',
  'output.l1_write',
  'output.l2_read',
  'output.l2_write',
];

export function ourCounts(r: MaestroLayerResult): number[] {
  const c = r.counts;
  return [c.input, c.filter, c.output].flatMap((k) => [k.l1Read, k.l1Write, k.l2Read, k.l2Write]);
}

/** The CSV MAESTRO writes for a command line: the mapping file's name without up to two leading folders, cut at the first '.'. */
export function csvNameFor(cmd: string): string | undefined {
  const m = /--Mapping_file[=\s]+(\S+)/.exec(cmd);
  if (!m) return undefined;
  let name = m[1];
  for (let i = 0; i < 2; i++) name = name.slice(name.indexOf('/') + 1);
  const dot = name.indexOf('.');
  return `${dot < 0 ? name : name.slice(0, dot)}.csv`;
}

export interface MaestroCaseResult {
  name: string;
  layers: number;
  runtime: { ours: number | null; reference: number | null };
  energy: { ours: number | null; reference: number | null };
  counts_match: boolean;
  /** MAESTRO rejected the input (non-zero exit, no CSV), and whether we did. */
  rejected: { ours: boolean; reference: boolean };
  /** Every layer's runtime and counts equal, energy within tolerance, or both rejected. */
  match: boolean;
  /** Our error when we rejected the case, as `file:line:col: error[CODE]: message`. */
  error?: string;
  mismatches: { layer: string; field: string; ours: number; reference: number }[];
}

/** Every case folder (one holding cmd.txt) under root, sorted by name. */
export function findMaestroCases(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e === 'cmd.txt') out.push(d);
    }
  };
  walk(root);
  return out;
}

/** One line per diagnostic, `file:line:col: error[CODE]: message` (no code frame, for JSON). */
const render = (ds: Diagnostic[]): string =>
  ds
    .map((d) => `${d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : ''}${d.severity}[${d.code}]: ${d.message}`)
    .join('\n');

/** Evaluates one case folder and compares it with MAESTRO's CSV; `tolerance` is on energy. */
export function checkMaestroCase(dir: string, root: string, tolerance: number): MaestroCaseResult {
  const name = relative(root, dir) || basename(dir);
  const exitCode = existsSync(join(dir, 'exit_code.txt')) ? Number(readFileSync(join(dir, 'exit_code.txt'), 'utf8').trim()) : 0;
  const csvs = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  const csv = csvs.find((f) => f === csvNameFor(readFileSync(join(dir, 'cmd.txt'), 'utf8'))) ?? csvs[0];
  const referenceRejected = exitCode !== 0 || csv === undefined;
  const reference = referenceRejected ? [] : parseMaestroCsv(readFileSync(join(dir, csv), 'utf8'));
  let ours: MaestroLayerResult[] | undefined;
  let error: string | undefined;
  try {
    const cmd = parseMaestroCommand(readFileSync(join(dir, 'cmd.txt'), 'utf8'), join(dir, 'cmd.txt'));
    const mapPath = resolve(dir, cmd.mappingFile);
    const net = parseMaestroMapping(readFileSync(mapPath, 'utf8'), relative(process.cwd(), mapPath) || mapPath);
    let hw = cmd.hw;
    if (cmd.hwFile) {
      const hwPath = resolve(dir, cmd.hwFile);
      const fromFile = parseMaestroHw(readFileSync(hwPath, 'utf8'), hwPath);
      hw = { ...fromFile, simdLanes: cmd.hw.simdLanes };
    }
    ours = evaluateNetwork(net, hw);
  } catch (e) {
    if (e instanceof UserError) error = render(e.diagnostics);
    else if (e instanceof MaestroAnalysisError)
      error = render([{ severity: 'error', code: e.code, message: e.message, location: e.location }]);
    else throw e;
  }
  const mismatches: MaestroCaseResult['mismatches'] = [];
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (ours && !referenceRejected) {
    if (ours.length !== reference.length) mismatches.push({ layer: '*', field: 'layers', ours: ours.length, reference: reference.length });
    for (let i = 0; i < Math.min(ours.length, reference.length); i++) {
      const o = ours[i];
      const r = reference[i];
      if (o.runtime !== r.runtime) mismatches.push({ layer: r.name, field: 'runtime', ours: o.runtime, reference: r.runtime });
      if (o.macs !== r.macs) mismatches.push({ layer: r.name, field: 'macs', ours: o.macs, reference: r.macs });
      const oc = ourCounts(o);
      oc.forEach((v, j) => {
        if (v !== r.counts[j]) mismatches.push({ layer: r.name, field: COUNT_FIELDS[j], ours: v, reference: r.counts[j] });
      });
      if (Math.abs(o.csvEnergyNj - r.energyNj) > tolerance * Math.abs(r.energyNj))
        mismatches.push({ layer: r.name, field: 'energy_nj', ours: o.csvEnergyNj, reference: r.energyNj });
    }
  }
  const countsMatch =
    !!ours &&
    !referenceRejected &&
    ours.length === reference.length &&
    !mismatches.some((m) => m.field.includes('.l') || m.field === 'layers');
  const both = ours && !referenceRejected;
  const eOurs = ours ? sum(ours.map((o) => o.csvEnergyNj)) : null;
  const eRef = referenceRejected ? null : sum(reference.map((r) => r.energyNj));
  const energyOk = eOurs !== null && eRef !== null && Math.abs(eOurs - eRef) <= tolerance * Math.abs(eRef);
  const match = referenceRejected ? !ours : !!both && mismatches.length === 0 && energyOk;
  return {
    name,
    layers: referenceRejected ? (ours?.length ?? 0) : reference.length,
    runtime: {
      ours: ours ? sum(ours.map((o) => o.runtime)) : null,
      reference: referenceRejected ? null : sum(reference.map((r) => r.runtime)),
    },
    energy: { ours: eOurs, reference: eRef },
    counts_match: referenceRejected ? !ours : countsMatch,
    rejected: { ours: !ours, reference: referenceRejected },
    match,
    ...(error ? { error } : {}),
    mismatches,
  };
}
