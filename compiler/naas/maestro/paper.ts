// The NAAS paper's evaluation protocol: every design costed by MAESTRO (energy = on-chip
// accesses + MACs, no DRAM), baselines mapped with MAESTRO's fixed templates, and a NAAS
// search (PE array shape, parallel dimensions, L1/L2 split; per layer loop order and tiles)
// within the baseline's PEs, on-chip buffer and NoC bandwidth.
import type { AcceleratorSpec } from '../../ir/targets.ts';
import type { Problem } from '../../ir/problem.ts';
import { Prng } from '../../util/prng.ts';
import { MaestroAnalysisError } from './errors.ts';
import { evaluateNetwork } from './evaluate.ts';
import { problemToMaestro, type MaestroShape } from './from-problem.ts';
import { templateDataflow, type TemplateName } from './templates.ts';
import type { Directive, MaestroHardware, MaestroLayer } from './types.ts';
import { D } from '../../diagnostics/index.ts';

/** A baseline's resources as the paper's MAESTRO runs state them (sizes in elements). */
export interface PaperResources {
  template: TemplateName;
  numPes: number;
  /** Per-PE L1 and shared L2, in elements (MAESTRO's "bytes"). */
  l1: number;
  l2: number;
  nocBw: number;
  offchipBw: number;
}

/**
 * The paper's baselines, as in ../shared/reference/maestro (Eyeriss-like, ShiDianNao-like,
 * NVDLA-like 256 and 1024): the one place these numbers live.
 */
export const PAPER_RESOURCES: Record<string, PaperResources> = {
  eyeriss: { template: 'rs', numPes: 168, l1: 512, l2: 110592, nocBw: 64, offchipBw: 16 },
  shidiannao: { template: 'ykp_os', numPes: 64, l1: 64, l2: 294912, nocBw: 64, offchipBw: 16 },
  nvdla_256: { template: 'kcp_ws', numPes: 256, l1: 512, l2: 524288, nocBw: 256, offchipBw: 64 },
  nvdla_1024: { template: 'kcp_ws', numPes: 1024, l1: 512, l2: 524288, nocBw: 1024, offchipBw: 256 },
};

const TEMPLATE_OF: Record<string, TemplateName> = {
  row_stationary: 'rs',
  output_stationary: 'ykp_os',
  weight_stationary: 'kcp_ws',
  input_stationary: 'xp_ws',
};

/** A named paper baseline, else the accelerator's own PEs, buffers (one element per word) and a NoC as wide as the array. */
export function paperResources(spec: AcceleratorSpec): PaperResources {
  const known = PAPER_RESOURCES[spec.name];
  if (known) return known;
  const numPes = spec.peArray.reduce((a, b) => a * b, 1);
  const word = Math.max(1, spec.wordBits / 8);
  return {
    template: TEMPLATE_OF[spec.dataflow ?? 'weight_stationary'] ?? 'kcp_ws',
    numPes,
    l1: Math.floor(spec.registerFileBytesPerPe / word),
    l2: Math.floor(spec.globalBufferBytes / word),
    nocBw: Math.max(...spec.peArray),
    offchipBw: Math.max(1, Math.floor(spec.dramBandwidthBytesPerCycle / word)),
  };
}

export const hardwareOf = (r: Pick<PaperResources, 'numPes' | 'l1' | 'l2' | 'nocBw' | 'offchipBw'>): MaestroHardware => ({
  numPes: r.numPes,
  nocBw: r.nocBw,
  nocLatency: 0,
  offchipBw: r.offchipBw,
  simdLanes: 1,
  l1Size: r.l1,
  l2Size: r.l2,
});

export interface PaperLayerCost {
  name: string;
  cycles: number;
  energyNj: number;
  dataflow: Directive[];
}

export interface PaperNetworkCost {
  name: string;
  cycles: number;
  energyNj: number;
  edp: number;
  layers: PaperLayerCost[];
}

export interface PaperWorkloads {
  networks: { name: string; layers: { name: string; key: string }[] }[];
  problems: Record<string, Problem>;
}

interface ShapeCost {
  cycles: number;
  energyNj: number;
  dataflow: Directive[];
  l1Req: number;
  l2Req: number;
}

/** One layer under one dataflow: MAESTRO's runtime and the layer's own energy, or undefined if MAESTRO would stop. */
function costShape(shape: MaestroShape, dataflow: Directive[], hw: MaestroHardware, name: string): ShapeCost | undefined {
  const layer: MaestroLayer = { name, type: shape.type, dims: shape.dims, dataflow };
  try {
    const [r] = evaluateNetwork({ name, layers: [layer] }, hw);
    if (!(r.runtime > 0) || !Number.isFinite(r.energyNj)) return undefined;
    return { cycles: r.runtime * shape.copies, energyNj: r.energyNj * shape.copies, dataflow, l1Req: r.l1SizeReq, l2Req: r.l2SizeReq };
  } catch (e) {
    if (e instanceof MaestroAnalysisError || e instanceof RangeError) return undefined;
    throw e;
  }
}

function assemble(workloads: PaperWorkloads, perShape: Map<string, ShapeCost>): PaperNetworkCost[] {
  return workloads.networks.map((n) => {
    const layers = n.layers.map((l) => {
      const c = perShape.get(l.key)!;
      return { name: l.name, cycles: c.cycles, energyNj: c.energyNj, dataflow: c.dataflow };
    });
    const cycles = layers.reduce((a, l) => a + l.cycles, 0);
    const energyNj = layers.reduce((a, l) => a + l.energyNj, 0);
    return { name: n.name, cycles, energyNj, edp: cycles * energyNj, layers };
  });
}

/** The baseline under the paper's protocol: its template on every layer, `dpt` on depthwise ones. */
export function evaluatePaperBaseline(workloads: PaperWorkloads, res: PaperResources): PaperNetworkCost[] {
  const hw = hardwareOf(res);
  const perShape = new Map<string, ShapeCost>();
  for (const [key, p] of Object.entries(workloads.problems)) {
    const shape = problemToMaestro(p);
    const df = templateDataflow(res.template, shape.type, shape.dims);
    const c = costShape(shape, df, hw, p.name);
    if (!c) throw new MaestroAnalysisError(D.maestroTemplate.code, `the ${res.template} template cannot map layer ${p.name} under MAESTRO`);
    perShape.set(key, c);
  }
  return assemble(workloads, perShape);
}

/** A searched accelerator: a 2-level PE array (clusters x PEs per cluster), what each level parallelises, and its L1/L2 split. */
export interface PaperDesign {
  clusters: number;
  clusterSize: number;
  /** Dimension spread across clusters, and across the PEs of a cluster (K, C, Y' or X'). */
  outerParallel: string;
  innerParallel: string;
  l1: number;
  l2: number;
  nocBw: number;
  offchipBw: number;
}

const LOOP_DIMS = ['K', 'C', "Y'", "X'"];

/** Per layer: top-level loop order (outermost first) and tiles per level, in output units. */
interface LayerMapping {
  order: string[];
  outer: Record<string, number>;
  inner: Record<string, number>;
}

const dimsOf = (shape: MaestroShape): string[] => LOOP_DIMS.filter((d) => !(shape.type === 'DSCONV' && d === 'K'));
const boundOf = (shape: MaestroShape, d: string): number => {
  const g = (n: string) => shape.dims.find((x) => x.name === n)!;
  if (d === "Y'") return Math.floor((g('Y').size - g('R').size) / g('Y').stride) + 1;
  if (d === "X'") return Math.floor((g('X').size - g('S').size) / g('X').stride) + 1;
  return g(d).size;
};
const strideOf = (shape: MaestroShape, d: string): number =>
  d === "Y'" ? shape.dims.find((x) => x.name === 'Y')!.stride : d === "X'" ? shape.dims.find((x) => x.name === 'X')!.stride : 1;

/** A directive mapping `tile` outputs of d per step (output rows/cols are written in input-row units MAESTRO converts). */
function directive(shape: MaestroShape, kind: 'temporal' | 'spatial', d: string, tile: number): Directive {
  const s = strideOf(shape, d);
  const size = d === "Y'" || d === "X'" ? (tile - 1) * s + 1 : tile;
  return { kind, size, ofs: size, variable: d };
}

/** The MAESTRO dataflow of a searched design and layer mapping. */
export function designDataflow(shape: MaestroShape, design: PaperDesign, m: LayerMapping): Directive[] {
  const dims = dimsOf(shape);
  const outerP = dims.includes(design.outerParallel) ? design.outerParallel : 'C';
  const innerP = dims.includes(design.innerParallel) ? design.innerParallel : 'C';
  const R = shape.dims.find((x) => x.name === 'R')!.size;
  const S = shape.dims.find((x) => x.name === 'S')!.size;
  const full = (v: string, n: number): Directive => ({ kind: 'temporal', size: n, ofs: n, variable: v });
  const top: Directive[] = m.order
    .filter((d) => dims.includes(d))
    .map((d) => directive(shape, d === outerP ? 'spatial' : 'temporal', d, m.outer[d]));
  const inner: Directive[] = m.order
    .filter((d) => dims.includes(d))
    .map((d) => directive(shape, d === innerP ? 'spatial' : 'temporal', d, d === innerP ? 1 : Math.min(m.inner[d], m.outer[d])));
  return [
    ...top,
    full('R', R),
    full('S', S),
    { kind: 'cluster', size: design.clusterSize, ofs: 0, variable: '' },
    ...inner,
    full('R', R),
    full('S', S),
  ];
}

function divisorsUpTo(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

function randomMapping(shape: MaestroShape, rng: Prng): LayerMapping {
  const dims = dimsOf(shape);
  const order = rng.shuffle([...dims]);
  const outer: Record<string, number> = {};
  const inner: Record<string, number> = {};
  for (const d of dims) {
    const ds = divisorsUpTo(boundOf(shape, d));
    outer[d] = ds[rng.int(ds.length)];
    const di = divisorsUpTo(outer[d]);
    inner[d] = di[rng.int(di.length)];
  }
  return { order, outer, inner };
}

function mutateMapping(shape: MaestroShape, m: LayerMapping, rng: Prng): LayerMapping {
  const dims = dimsOf(shape);
  const next: LayerMapping = { order: [...m.order], outer: { ...m.outer }, inner: { ...m.inner } };
  const d = dims[rng.int(dims.length)];
  const what = rng.int(3);
  if (what === 0) {
    const i = rng.int(next.order.length);
    const j = rng.int(next.order.length);
    [next.order[i], next.order[j]] = [next.order[j], next.order[i]];
  } else if (what === 1) {
    const ds = divisorsUpTo(boundOf(shape, d));
    next.outer[d] = ds[rng.int(ds.length)];
    if (next.inner[d] > next.outer[d] || next.outer[d] % next.inner[d] !== 0) next.inner[d] = 1;
  } else {
    const di = divisorsUpTo(next.outer[d]);
    next.inner[d] = di[rng.int(di.length)];
  }
  return next;
}

export interface PaperBudget {
  /** Hardware generations and designs per generation. */
  generations: number;
  population: number;
  /** Mapping samples and then hill-climbing steps per layer shape and design. */
  mappingSamples: number;
  mappingSteps: number;
}

interface DesignResult {
  design: PaperDesign;
  valid: boolean;
  networks: PaperNetworkCost[];
  /** Geometric mean of the networks' EDPs. */
  edp: number;
  evaluations: number;
}

const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

/** Best mapping of every layer shape on one design (random samples, then hill climbing on EDP). */
function evaluateDesign(
  workloads: PaperWorkloads,
  shapes: Map<string, MaestroShape>,
  design: PaperDesign,
  budget: PaperBudget,
  rng: Prng,
): DesignResult {
  const hw = hardwareOf({
    numPes: design.clusters * design.clusterSize,
    l1: design.l1,
    l2: design.l2,
    nocBw: design.nocBw,
    offchipBw: design.offchipBw,
  });
  const perShape = new Map<string, ShapeCost>();
  let evaluations = 0;
  for (const [key, shape] of shapes) {
    const fits = (c: ShapeCost | undefined): c is ShapeCost => !!c && c.l1Req <= design.l1 && c.l2Req <= design.l2;
    const score = (c: ShapeCost) => c.cycles * c.energyNj;
    let best: { m: LayerMapping; c: ShapeCost } | undefined;
    const tryMapping = (m: LayerMapping) => {
      evaluations++;
      const c = costShape(shape, designDataflow(shape, design, m), hw, key);
      if (fits(c) && (!best || score(c) < score(best.c))) best = { m, c };
    };
    for (let i = 0; i < budget.mappingSamples; i++) tryMapping(randomMapping(shape, rng));
    for (let i = 0; i < budget.mappingSteps && best; i++) tryMapping(mutateMapping(shape, best.m, rng));
    if (!best) return { design, valid: false, networks: [], edp: Infinity, evaluations };
    perShape.set(key, best.c);
  }
  const networks = assemble(workloads, perShape);
  return { design, valid: true, networks, edp: geomean(networks.map((n) => n.edp)), evaluations };
}

function randomDesign(res: PaperResources, rng: Prng): PaperDesign {
  const clusterSize = 1 + rng.int(Math.min(64, res.numPes));
  const maxClusters = Math.floor(res.numPes / clusterSize);
  // Mostly the whole array; sometimes fewer clusters to buy buffer.
  const clusters = rng.next() < 0.7 ? maxClusters : 1 + rng.int(maxClusters);
  const pes = clusters * clusterSize;
  const budget = res.numPes * res.l1 + res.l2;
  const l1Max = Math.max(16, Math.floor((budget - 1024) / pes));
  const l1 = Math.min(l1Max, 16 * (1 + rng.int(Math.max(1, Math.floor(Math.min(1024, l1Max) / 16)))));
  return {
    clusters,
    clusterSize,
    outerParallel: LOOP_DIMS[rng.int(LOOP_DIMS.length)],
    innerParallel: LOOP_DIMS[rng.int(LOOP_DIMS.length)],
    l1,
    l2: budget - pes * l1,
    nocBw: res.nocBw,
    offchipBw: res.offchipBw,
  };
}

function mutateDesign(res: PaperResources, d: PaperDesign, rng: Prng): PaperDesign {
  const r = randomDesign(res, rng);
  const pick = rng.int(4);
  const next = { ...d };
  if (pick === 0) {
    next.clusterSize = r.clusterSize;
    next.clusters = Math.max(1, Math.min(Math.floor(res.numPes / r.clusterSize), d.clusters));
  } else if (pick === 1) next.outerParallel = r.outerParallel;
  else if (pick === 2) next.innerParallel = r.innerParallel;
  else next.l1 = r.l1;
  const budget = res.numPes * res.l1 + res.l2;
  const pes = next.clusters * next.clusterSize;
  next.l1 = Math.min(next.l1, Math.max(16, Math.floor((budget - 1024) / pes)));
  next.l2 = budget - pes * next.l1;
  return next;
}

export interface PaperSearchResult {
  best: DesignResult;
  evaluations: number;
  history: { generation: number; best_edp: number }[];
}

/** NAAS under the paper's protocol: an evolutionary search over designs within `res`, each mapped per layer. */
export function searchPaper(
  workloads: PaperWorkloads,
  res: PaperResources,
  budget: PaperBudget,
  seed: number,
  onGeneration?: (g: number, bestEdp: number) => void,
): PaperSearchResult {
  const rng = new Prng(seed);
  const shapes = new Map<string, MaestroShape>(Object.entries(workloads.problems).map(([k, p]) => [k, problemToMaestro(p)]));
  let evaluations = 0;
  const run = (d: PaperDesign): DesignResult => {
    const r = evaluateDesign(workloads, shapes, d, budget, rng);
    evaluations += r.evaluations;
    return r;
  };
  let population: DesignResult[] = [];
  for (let i = 0; i < budget.population; i++) population.push(run(randomDesign(res, rng)));
  const history: PaperSearchResult['history'] = [];
  const byEdp = (a: DesignResult, b: DesignResult) => a.edp - b.edp;
  for (let g = 0; g < budget.generations; g++) {
    population.sort(byEdp);
    history.push({ generation: g, best_edp: population[0].edp });
    onGeneration?.(g, population[0].edp);
    if (g === budget.generations - 1) break;
    const parents = population.slice(0, Math.max(1, Math.ceil(population.length / 2)));
    const children = parents.map((p) => run(mutateDesign(res, p.design, rng)));
    population = [...parents, ...children].sort(byEdp).slice(0, budget.population);
  }
  population.sort(byEdp);
  return { best: population[0], evaluations, history };
}

/** Totals of a cost over networks: cycles and energy summed, EDP the networks' geometric mean. */
export function paperTotals(networks: PaperNetworkCost[]): { cycles: number; energy_nj: number; edp: number } {
  return {
    cycles: networks.reduce((a, n) => a + n.cycles, 0),
    energy_nj: networks.reduce((a, n) => a + n.energyNj, 0),
    edp: geomean(networks.map((n) => n.edp)),
  };
}

/** Baseline / design: speedup (cycles), energy ratio and EDP ratio, geometric means over networks. */
export function paperRatios(
  baseline: PaperNetworkCost[],
  best: PaperNetworkCost[],
): { speedup: number; energy_ratio: number; edp_ratio: number } {
  const r = (f: (n: PaperNetworkCost) => number) => geomean(baseline.map((b, i) => f(b) / f(best[i])));
  return { speedup: r((n) => n.cycles), energy_ratio: r((n) => n.energyNj), edp_ratio: r((n) => n.edp) };
}
