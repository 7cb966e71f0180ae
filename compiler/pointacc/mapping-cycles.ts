// Cycle counts of the mapping unit's operations, from its microarchitecture
// (compiler/rtl/pointacc/*): W points per cycle through distance -> sort -> top-B merge.
// The RTL benches measure the same quantities; tests hold the two within 10%.

const rowsOf = (n: number, w: number): number => Math.ceil(n / w);

/**
 * Farthest point sampling of m centers from n points: index 0 is free; every further center
 * streams all rows (R cycles) and waits for the 3-stage pipeline to produce the argmax before
 * the next pass can start (it needs the new center's coordinates).
 */
export function fpsCycles(n: number, m: number, w: number): number {
  if (m <= 1) return 2;
  return 1 + (m - 1) * (rowsOf(n, w) + 3);
}

/** kNN or ball query of m centers over n points: R rows per center, centers back to back, plus drain. */
export function neighbourSearchCycles(n: number, m: number, w: number): number {
  return m * rowsOf(n, w) + 4;
}

/**
 * Full sort of n records on the mapping unit: one W-wide chunk sorted per cycle, then
 * ceil(log2(n / W)) merge passes streaming one record per cycle (+1 cycle per pass to switch).
 */
export function sortCycles(n: number, w: number): number {
  const chunks = rowsOf(n, w);
  const passes = chunks > 1 ? Math.ceil(Math.log2(chunks)) : 0;
  return chunks + passes * (n + 1);
}

/**
 * Kernel map of a sparse conv: sort the input and output coordinate lists (in parallel), then
 * per kernel offset one merge-intersect over both sorted lists (at most nIn + nOut cycles: the
 * equality detector writes out[o] -> in into a slot table) and one scan of the slot table in
 * output order (nOut cycles), which yields the pairs sorted by output.
 */
export function kernelMapCycles(nIn: number, nOut: number, volume: number, w: number): number {
  return Math.max(sortCycles(nIn, w), sortCycles(nOut, w)) + volume * (nIn + 2 * nOut + 2);
}

/**
 * Shared MLP / dense layer on an R x C weight-stationary systolic array: every (C_in tile,
 * C_out tile) pair loads its weights (R cycles), then streams all rows through, with R + C - 1
 * cycles of skew fill and drain; one cycle to finish.
 */
export function matrixCycles(rows: number, cin: number, cout: number, arrayRows: number, arrayCols: number): number {
  const tiles = Math.ceil(cin / arrayRows) * Math.ceil(cout / arrayCols);
  return tiles * (rows + 2 * arrayRows + arrayCols - 1) + 1;
}
