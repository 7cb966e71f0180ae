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
