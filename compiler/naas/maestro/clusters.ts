// Splits a layer's dataflow into cluster levels (MAESTRO's ClusterAnalysis): each `Cluster`
// closes a level; missing directives are inherited from the level above or unrolled, output
// rows/cols become input rows/cols, and strides widen the maps on input rows/cols.
import { DimensionTable } from './dimensions.ts';
import { MaestroAnalysisError } from './errors.ts';
import { idiv, type Directive, type LayerType, type MaestroLayer } from './types.ts';
import { D } from '../../diagnostics/index.ts';

export interface Tensor {
  readonly name: 'input' | 'filter' | 'output';
  readonly isOutput: boolean;
  readonly vars: readonly string[];
}

/** The three tensors of a layer type, over MAESTRO's dimension names (API's ConfigConvTensors). */
export function tensorsFor(type: LayerType, batch: boolean): Tensor[] {
  const n = batch ? ['N'] : [];
  const t = (input: string[], filter: string[], output: string[]): Tensor[] => [
    { name: 'input', isOutput: false, vars: input },
    { name: 'filter', isOutput: false, vars: filter },
    { name: 'output', isOutput: true, vars: output },
  ];
  switch (type) {
    case 'DSCONV':
      return t([...n, 'C', 'Y', 'X'], ['C', 'R', 'S'], [...n, 'C', 'Y', 'X']);
    case 'NGCONV':
      return t([...n, 'G', 'C', 'Y', 'X'], ['G', 'K', 'C', 'R', 'S'], [...n, 'G', 'K', 'C', 'Y', 'X']);
    case 'GEMM':
      return t(['M', 'K'], ['K', 'N'], ['M', 'N']);
    case 'CONV':
      return t([...n, 'C', 'Y', 'X'], ['K', 'C', 'R', 'S'], [...n, 'K', 'Y', 'X']);
  }
}

/** Sorted, de-duplicated dimensions of the input tensors (inputs and filters). */
export function inputTensorVars(tensors: readonly Tensor[]): string[] {
  const vars = new Set<string>();
  for (const t of tensors) if (!t.isOutput) for (const v of t.vars) vars.add(v);
  return [...vars].sort(byteOrder);
}

export const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The layer's full dimension table: given dims plus output rows/cols Y' and X', and overlaps. */
export function layerDimensionTable(layer: MaestroLayer): DimensionTable {
  const table = new DimensionTable();
  const get = (n: string) => layer.dims.find((d) => d.name === n);
  for (const d of layer.dims) table.add(d.name, d.size, d.stride);
  if (layer.type === 'GEMM') return table;
  const pairs: [string, string, string][] = [
    ['X', "X'", 'S'],
    ['Y', "Y'", 'R'],
  ];
  for (const [inName, outName, filt] of pairs) {
    const i = get(inName);
    const o = get(outName);
    const f = get(filt);
    if (i && o)
      throw new MaestroAnalysisError(D.maestroBothSides.code, `layer ${layer.name} defines both ${inName} and ${outName}`, layer.location);
    if ((i || o) && !f)
      throw new MaestroAnalysisError(
        D.maestroNoFilter.code,
        `layer ${layer.name} defines ${i ? inName : outName} but not ${filt}`,
        layer.location,
      );
    if (i && f) table.add(outName, i.size - f.size + 1, i.stride);
    if (o && f) table.add(inName, o.size + f.size - 1, o.stride);
  }
  table.overlaps = [
    ['X', 'S'],
    ['Y', 'R'],
  ];
  return table;
}

/** One cluster level: its dataflow, tile dimensions, size and spatial edge shape (ClusterUnit). */
export class ClusterUnit {
  /** Index of the first SpatialMap in the dataflow. */
  readonly spatialIdx: number;
  /** Sub-clusters active in the last (edge) spatial iteration. */
  readonly numEdgeClusters: number;

  constructor(
    readonly level: number,
    /** Number of sub-clusters (PEs at the innermost level). */
    readonly size: number,
    readonly dataflow: Directive[],
    readonly dims: DimensionTable,
    readonly where: Directive | undefined,
  ) {
    convertTableToInputCentric(dataflow);
    const spatial = dataflow.flatMap((d, i) => (d.kind === 'spatial' ? [i] : []));
    if (spatial.length === 0)
      throw new MaestroAnalysisError(D.maestroNoSpatialMap.code, `cluster level ${level} has no SpatialMap`, where?.location);
    if (spatial.length > 2)
      throw new MaestroAnalysisError(
        D.maestroSpatialMaps.code,
        `cluster level ${level} has more than two SpatialMaps`,
        dataflow[spatial[2]].location,
      );
    this.spatialIdx = spatial[0];
    this.numEdgeClusters = this.spatialEdgeClusters();
  }

  find(variable: string): Directive | undefined {
    return this.dataflow.find((d) => d.variable === variable);
  }

  isInitEdge(variable: string): boolean {
    const d = this.find(variable);
    if (!d) return false;
    return d.kind === 'temporal' ? d.size > this.dims.size(variable) : d.ofs * this.size > this.dims.size(variable);
  }

  clusters(edge: boolean): number {
    return edge ? this.numEdgeClusters : this.size;
  }

  private spatialEdgeClusters(): number {
    const d = this.dataflow[this.spatialIdx];
    const dim = this.dims.size(d.variable);
    const map = d.size;
    const ofs = d.ofs;
    const cs = this.size;
    if (cs <= 0)
      throw new MaestroAnalysisError(
        D.maestroClusterSize.code,
        `cluster level ${this.level} has no sub-clusters (a Cluster groups more units than there are PEs)`,
        this.where?.location,
      );
    const full = ofs * (cs - 1) + map;
    let edge: number;
    if (dim > full) {
      const steady = idiv(idiv(dim - map, ofs) + 1, cs) - 1;
      const remaining = dim - (steady + 1) * ofs * cs;
      edge = remaining < map ? 1 : idiv(remaining - map, ofs) + 1;
    } else if (dim > map) {
      edge = idiv(dim - map, ofs) + 1;
      if (ofs * (edge - 1) + map < dim) edge++;
    } else edge = 1;
    if (dim <= map) edge = 1;
    return edge;
  }
}

/** DirectiveTable::ConvertToInputCentric: any X'/Y' left becomes X/Y widened by S/R. */
function convertTableToInputCentric(dataflow: Directive[]): void {
  let sizeS: number | undefined;
  let sizeR = 0;
  for (const d of dataflow) {
    if (d.variable === 'S') sizeS = d.size;
    else if (d.variable === 'R') sizeR = d.size;
  }
  for (const d of dataflow) {
    if (d.variable === "X'") {
      if (sizeS === undefined)
        throw new MaestroAnalysisError(D.maestroMapPair.code, "a map on X' needs a map on S at the same cluster level", d.location);
      d.variable = 'X';
      d.size = d.size + sizeS - 1;
    } else if (d.variable === "Y'") {
      d.variable = 'Y';
      d.size = d.size + sizeR - 1;
    }
  }
}

/** ClusterAnalysis::ConvertToInputCentric: the first X'/Y' map becomes X/Y when none is given. */
function convertToInputCentric(dataflow: Directive[]): void {
  let ix = false;
  let iy = false;
  let ox: number | undefined;
  let oy: number | undefined;
  let r: number | undefined;
  let s: number | undefined;
  for (const d of dataflow) {
    if (d.variable === 'Y') iy = true;
    else if (d.variable === 'X') ix = true;
    else if (d.variable === "Y'") oy = d.size;
    else if (d.variable === "X'") ox = d.size;
    else if (d.variable === 'R') r = d.size;
    else if (d.variable === 'S') s = d.size;
  }
  const convert = (out: string, inp: string, outSize: number, filt: number | undefined, filtName: string) => {
    const d = dataflow.find((x) => x.variable === out)!;
    if (filt === undefined)
      throw new MaestroAnalysisError(
        D.maestroMapPair.code,
        `a map on ${out} needs a map on ${filtName} at the same cluster level`,
        d.location,
      );
    d.variable = inp;
    d.size = outSize + filt - 1;
  };
  if (!ix && ox !== undefined) convert("X'", 'X', ox, s, 'S');
  if (!iy && oy !== undefined) convert("Y'", 'Y', oy, r, 'R');
}

/**
 * The cluster levels of one layer, outermost first. Like MAESTRO it rewrites `dataflow` in
 * place (appends the innermost Cluster, turns X'/Y' into X/Y, widens strided maps): layers
 * that inherited this list see those changes, so callers pass a copy of the whole network.
 */
export function analyzeClusters(
  numPes: number,
  tensors: readonly Tensor[],
  fullDims: DimensionTable,
  dataflow: Directive[],
): ClusterUnit[] {
  const userClusters = dataflow.filter((d) => d.kind === 'cluster');
  const numLevels = userClusters.length;
  if (numLevels > 3)
    throw new MaestroAnalysisError(
      D.maestroClusterCount.code,
      `at most 3 Cluster directives are supported (MAESTRO models 4 NoC levels)`,
      userClusters[3].location,
    );
  let uppermost = 1;
  for (const c of userClusters) uppermost *= c.size;
  const last = numLevels > 0 ? userClusters[numLevels - 1].size : numPes;
  dataflow.push({ kind: 'cluster', size: last, ofs: 0, variable: '', location: undefined });
  if (uppermost > numPes)
    throw new MaestroAnalysisError(
      D.maestroClusterSize.code,
      `the Cluster directives group ${uppermost} units but there are only ${numPes} PEs`,
      userClusters[0]?.location,
    );
  const numUnitClusters = uppermost * idiv(numPes, uppermost);
  const inputVars = inputTensorVars(tensors);
  const units: ClusterUnit[] = [];
  let level = numLevels;
  let lastClusterSize = numUnitClusters;
  let clusterDataflow: Directive[] = [];
  let prevDataflow: Directive[] | undefined;
  let clusterDims = fullDims;
  let opening: Directive | undefined = dataflow[0];
  for (const d of [...dataflow]) {
    if (d.kind !== 'cluster') {
      clusterDataflow.push(d);
      continue;
    }
    convertToInputCentric(clusterDataflow);
    if (prevDataflow) {
      for (const up of prevDataflow) {
        if (!clusterDataflow.some((x) => x.variable === up.variable))
          clusterDataflow.unshift({ kind: 'temporal', size: up.size, ofs: up.ofs, variable: up.variable });
      }
    }
    for (const v of inputVars) {
      if (!clusterDataflow.some((x) => x.variable === v) && clusterDims.has(v)) {
        const sz = clusterDims.size(v);
        clusterDataflow.push({ kind: 'temporal', size: sz, ofs: sz, variable: v });
      }
    }
    const isTop = level === numLevels;
    applyOuterStride(isTop, clusterDataflow, clusterDims, fullDims);
    const size = isTop ? idiv(numUnitClusters, uppermost) : lastClusterSize;
    units.push(new ClusterUnit(level, size, clusterDataflow, clusterDims, opening));
    lastClusterSize = d.size;
    const prevDims = clusterDims;
    clusterDims = new DimensionTable(prevDims.overlaps);
    for (const v of inputVars) {
      const dir = clusterDataflow.find((x) => x.variable === v);
      if (!dir)
        throw new MaestroAnalysisError(
          D.maestroUndefinedDimension.code,
          `dimension ${v} is not defined at cluster level ${level}`,
          opening?.location,
        );
      clusterDims.add(v, Math.min(dir.size, prevDims.size(v)), prevDims.stride(v));
    }
    prevDataflow = clusterDataflow;
    clusterDataflow = [];
    opening = d;
    level--;
  }
  return units;
}

/** Widens maps on input rows/cols (X, Y) of strided layers to whole output steps. */
function applyOuterStride(isTop: boolean, dataflow: Directive[], dims: DimensionTable, fullDims: DimensionTable): void {
  for (const d of dataflow) {
    const v = d.variable;
    if (!dims.has(v))
      throw new MaestroAnalysisError(
        D.maestroUndefinedDimension.code,
        `dimension ${v} is not defined for this layer or cluster level`,
        d.location,
      );
    const stride = dims.stride(v);
    if (!(dims.isReference(v) && stride !== 1)) continue;
    const target = dataflow.find((x) => x.variable === v)!;
    const slidingSize = fullDims.size(dims.counterpart(v));
    const mapSize = d.size;
    if (mapSize >= slidingSize) {
      const outMap = idiv(mapSize + stride - slidingSize, stride);
      target.size = outMap * Math.min(stride, slidingSize) + Math.max(slidingSize - stride, 0);
      target.ofs = !isTop && slidingSize < stride ? outMap * slidingSize : outMap * stride;
    }
  }
}
