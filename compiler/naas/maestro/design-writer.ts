// A searched design as MAESTRO input (the MAESTRO DesignWriter of `nacc search --out`): each
// layer's loop nest as data-centric directives — the array's Y axis across clusters, its X axis
// across the PEs of a cluster, loops above the array as top-level tiles in their order, loops
// inside a PE one element at a time — and the storage hierarchy as a HW file.
import { maestroHwText, maestroMappingText } from './export.ts';
import type { Architecture } from '../../ir/architecture.ts';
import type { Mapping } from '../../ir/mapping.ts';
import type { Problem } from '../../ir/problem.ts';
import type { DesignExport, DesignWriter } from '../design-export.ts';
import { problemToMaestro, type MaestroShape } from './from-problem.ts';
import type { Directive, MaestroHardware, MaestroLayer } from './types.ts';

/** nacc (Timeloop-oriented) dimension -> MAESTRO dimension of the layer the shape describes. */
function dimName(shape: MaestroShape, d: string): string | undefined {
  if (d === 'Q') return "Y'";
  if (d === 'P') return "X'";
  if (d === 'S') return 'R';
  if (d === 'R') return 'S';
  if (shape.type === 'DSCONV') return d === 'G' ? 'C' : undefined;
  return d === 'K' || d === 'C' ? d : undefined;
}

const LOOP_DIMS = ['K', 'C', "Y'", "X'"];

/** A map of `tile` elements of d per step; output rows/cols in the input-row units MAESTRO converts. */
function map(shape: MaestroShape, kind: Directive['kind'], d: string, tile: number): Directive {
  const stride =
    d === "Y'" ? shape.dims.find((x) => x.name === 'Y')!.stride : d === "X'" ? shape.dims.find((x) => x.name === 'X')!.stride : 1;
  const size = d === "Y'" || d === "X'" ? (tile - 1) * stride + 1 : tile;
  return { kind, size, ofs: size, variable: d };
}

/** The MAESTRO dataflow of one layer's mapping (R and S are always whole: MAESTRO's rule). */
export function mappingToDirectives(problem: Problem, mapping: Mapping, shape: MaestroShape = problemToMaestro(problem)): Directive[] {
  const dims = LOOP_DIMS.filter((d) => !(shape.type === 'DSCONV' && d === 'K'));
  const spatialAt = mapping.levels.findIndex((l) => l.spatial.some((s) => s.bound > 1));
  const arrayLevel = spatialAt < 0 ? mapping.levels.length - 1 : spatialAt;
  const outer: string[] = [];
  const innerTile: Record<string, number> = Object.fromEntries(dims.map((d) => [d, 1]));
  let acrossClusters: { dim: string; bound: number } | undefined;
  let acrossPes: { dim: string; bound: number } | undefined;
  mapping.levels.forEach((lv, i) => {
    for (const t of lv.temporal) {
      const d = dimName(shape, t.dim);
      if (!d || !dims.includes(d) || t.bound <= 1) continue;
      if (i <= arrayLevel) {
        if (!outer.includes(d)) outer.push(d);
      } else innerTile[d] *= t.bound;
    }
    if (i !== arrayLevel) return;
    for (const s of lv.spatial) {
      const d = dimName(shape, s.dim);
      if (!d || !dims.includes(d) || s.bound <= 1) continue;
      // One SpatialMap per MAESTRO level: the first loop on an axis spreads, others join the tile.
      if (s.axis === 'Y' && !acrossClusters) acrossClusters = { dim: d, bound: s.bound };
      else if (s.axis === 'X' && !acrossPes) acrossPes = { dim: d, bound: s.bound };
      else innerTile[d] *= s.bound;
    }
  });
  const R = shape.dims.find((x) => x.name === 'R')!.size;
  const S = shape.dims.find((x) => x.name === 'S')!.size;
  const whole = (v: string, n: number): Directive => ({ kind: 'temporal', size: n, ofs: n, variable: v });
  const topSpatial = acrossClusters?.dim ?? acrossPes?.dim ?? dims[0];
  const order = [...outer, ...dims.filter((d) => !outer.includes(d))];
  if (!order.includes(topSpatial)) order.unshift(topSpatial);
  // A step of the top level gives the whole cluster array this tile of d.
  const topTile = (d: string) => innerTile[d] * (acrossPes?.dim === d ? acrossPes.bound : 1);
  const top = order.map((d) => map(shape, d === topSpatial ? 'spatial' : 'temporal', d, topTile(d)));
  const clusterSize = acrossClusters ? (acrossPes?.bound ?? 1) : 1;
  const innerSpatial = acrossClusters ? (acrossPes?.dim ?? dims[0]) : topSpatial;
  const inner = order.map((d) => map(shape, d === innerSpatial ? 'spatial' : 'temporal', d, 1));
  return [
    ...top,
    whole('R', R),
    whole('S', S),
    { kind: 'cluster', size: clusterSize, ofs: 0, variable: '' },
    ...inner,
    whole('R', R),
    whole('S', S),
  ];
}

/** MAESTRO's resources for a storage hierarchy: PEs = instances of the innermost level, L1/L2 its and the next level's words. */
export function architectureToMaestroHw(arch: Architecture): MaestroHardware {
  const storage = arch.levels;
  const pe = storage[storage.length - 1];
  const l2 = storage.length >= 2 ? storage[storage.length - 2] : pe;
  const dram = storage[0];
  const pes = Math.max(1, pe?.instances ?? 1);
  return {
    numPes: pes,
    l1Size: pe?.sizeWords ?? 2147483647,
    l2Size: l2?.sizeWords ?? 2147483647,
    nocBw: Math.max(1, Math.round(l2?.readBandwidth ?? pes)),
    nocLatency: 0,
    offchipBw: Math.max(1, Math.round(dram?.readBandwidth ?? dram?.sharedBandwidth ?? 70000)),
    simdLanes: 1,
  };
}

/**
 * `maestro/hw.m` and `maestro/<network>.m` per design; a grouped convolution is written as one
 * group (MAESTRO evaluates it once; multiply by the groups noted in the layer's comment).
 */
export function maestroWriter(): DesignWriter {
  return (d: DesignExport) => {
    const hw = architectureToMaestroHw(d.arch);
    const byNet = new Map<string, MaestroLayer[]>();
    for (const l of d.layers) {
      const shape = problemToMaestro(l.problem);
      const layer: MaestroLayer = {
        name: l.layer,
        type: shape.type,
        dims: shape.dims,
        dataflow: mappingToDirectives(l.problem, l.mapping, shape),
      };
      if (!byNet.has(l.network)) byNet.set(l.network, []);
      byNet.get(l.network)!.push(layer);
    }
    const files: [string, string][] = [['maestro/hw.m', maestroHwText(hw)]];
    for (const [net, layers] of byNet) {
      files.push([
        `maestro/${net}.m`,
        maestroMappingText(
          { name: net, layers },
          `${d.name}: ${net}, written by nacc from the searched loop nests\nrun: maestro --HW_file=hw.m --Mapping_file=${net}.m --print_res=true --print_res_csv_file=true --print_log_file=false`,
        ),
      ]);
    }
    return files;
  };
}
