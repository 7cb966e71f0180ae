// A cluster level's dimension sizes and which pairs of dimensions overlap (an input row Y
// and the filter rows R that slide over it): MAESTRO's DimensionTable.
import { MaestroAnalysisError } from './errors.ts';
import { D } from '../../diagnostics/index.ts';

export interface DimEntry {
  size: number;
  stride: number;
}

export class DimensionTable {
  private readonly dims = new Map<string, DimEntry>();
  /** (reference, sliding) pairs, shared between a level and the levels below it. */
  overlaps: [string, string][];

  constructor(overlaps: [string, string][] = []) {
    this.overlaps = overlaps;
  }

  has(name: string): boolean {
    return this.dims.has(name);
  }

  /** Adds a dimension unless it is already there (std::map::insert keeps the first). */
  add(name: string, size: number, stride = 1): void {
    if (!this.dims.has(name)) this.dims.set(name, { size, stride });
  }

  size(name: string): number {
    const d = this.dims.get(name);
    if (!d) throw new MaestroAnalysisError(D.maestroUndefinedDimension.code, `dimension ${name} is not defined at this cluster level`);
    return d.size;
  }

  stride(name: string): number {
    const d = this.dims.get(name);
    if (!d) throw new MaestroAnalysisError(D.maestroUndefinedDimension.code, `dimension ${name} is not defined at this cluster level`);
    return d.stride;
  }

  isOverlapped(dim: string): boolean {
    return this.overlaps.some(([r, s]) => r === dim || s === dim);
  }

  isSliding(dim: string): boolean {
    return this.overlaps.some(([, s]) => s === dim);
  }

  /** The other half of dim's overlap pair ('' if none); the last pair naming it wins. */
  counterpart(dim: string): string {
    let ret = '';
    for (const [r, s] of this.overlaps) {
      if (dim === s) ret = r;
      else if (dim === r) ret = s;
    }
    return ret;
  }

  /** A string equal for equal tables (memoises the analysis of a sub-cluster tile). */
  key(): string {
    let k = '';
    for (const [n, d] of this.dims) k += `${n}:${d.size}/${d.stride},`;
    for (const [r, s] of this.overlaps) k += `${r}~${s},`;
    return k;
  }

  /** Reference dimension (input rows/cols) of an overlap pair, not the sliding filter dimension. */
  isReference(dim: string): boolean {
    return this.isOverlapped(dim) && !this.isSliding(dim);
  }
}
