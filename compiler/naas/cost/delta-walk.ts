// Temporal deltas of a tile under the loops above it: how many words a level receives as its
// tile moves, walked as Timeloop's extrapolating nest analysis walks a loop nest (v3.0.3).
//
// The walk reads its loops from shared scratch (wN counts, wT translation rows, wExt tile
// extents, wSuffix running suffix sums, wDeltas and wEq per loop) that callers stage after
// ensureWalk(); the arrays are live exports, replaced when they grow.
//
//
// Loops are outermost first. T_j is the translation when loop j steps 0 -> 1 while every
// inner loop falls back 1 -> 0 (u_j minus the sum of the inner loops' steps). The walk
// visits iteration 0 of every loop once and lets iteration 1 stand for the other n-1, so
// its tiles are the leaves of a binary counter over the loops (innermost bit lowest); the
// step into a leaf is the loop whose bit turns on. A step costs its delta (tile minus
// overlap with the moved tile) when nothing is remembered or it repeats the remembered
// translation (then remembered), and the whole tile otherwise (then nothing is remembered);
// the very first tile costs the whole tile.
//
// Every other step of a binary counter is the innermost loop's, so before any other step
// the memory holds nothing or T_{k-1}; and a sub-walk over loops j..k-1 first steps the
// innermost loop, so it only depends on whether the memory on entry is compatible with
// T_{k-1} (nothing or T_{k-1}) or not. That gives a linear recurrence over two classes,
// needing per loop only its delta and whether T_j equals T_{k-1}:
//   H(j, c) = H(j+1, c) + (n_j - 1) * (leaf(j, end of H(j+1, c)) + H(j+1, class after it)).
// Its association differs from the plain recursion, which is exact for integer terms (every
// term is an integer when projection coefficients are); with fractional coefficients the
// plain recursion (walkOrdered) runs instead so sums stay bit-identical.

export let wT = new Float64Array(256);
export let wN = new Float64Array(32);
export let wExt = new Float64Array(16);
export let wSuffix = new Float64Array(16);
export let wDeltas = new Float64Array(32);
/** wEq[j]: T_j equals T_{k-1}. */
export let wEq = new Uint8Array(32);
let wCanon = new Int32Array(32);

/** Makes the walk scratch hold k loops over na axes. */
export function ensureWalk(k: number, na: number): void {
  if (wT.length < k * na) wT = new Float64Array(2 * k * na);
  if (wN.length < k) {
    wN = new Float64Array(2 * k);
    wDeltas = new Float64Array(2 * k);
    wEq = new Uint8Array(2 * k);
    wCanon = new Int32Array(2 * k);
  }
  if (wExt.length < na) {
    wExt = new Float64Array(2 * na);
    wSuffix = new Float64Array(2 * na);
  }
}

/** Size of the tile minus its overlap with the tile moved by wT[off..off+na). */
function stepDeltaAt(off: number, na: number, size: number): number {
  let axis = -1;
  for (let a = 0; a < na; a++) {
    if (wT[off + a] !== 0) {
      if (axis >= 0) return size;
      axis = a;
    }
  }
  if (axis < 0) return 0;
  const t = Math.abs(wT[off + axis]);
  if (t >= wExt[axis]) return size;
  return (size / wExt[axis]) * t;
}

/** The walk over k >= 1 loops staged in wN, wDeltas and wEq (integer terms). */
export function walkClasses(k: number, size: number): number {
  // H(k-1, .): compatible memory -> the step's delta, remembering T_{k-1} ("star");
  // incompatible -> the whole tile, remembering nothing.
  const m = wN[k - 1] - 1;
  let hA = 0 + m * (wDeltas[k - 1] + 0);
  let starA = true;
  let hB = 0 + m * (size + 0);
  let starB = false;
  for (let j = k - 2; j >= 0; j--) {
    const mj = wN[j] - 1;
    const d = wDeltas[j];
    const eq = wEq[j] === 1;
    // Entering with class A: H(j+1, A) ends in memory starA ? T_{k-1} : nothing.
    let lv: number;
    let toA: boolean;
    if (!starA) {
      lv = d; // nothing remembered: delta, remember T_j (compatible iff T_j = T_{k-1})
      toA = eq;
    } else if (eq) {
      lv = d;
      toA = true;
    } else {
      lv = size; // a different translation: whole tile, memory cleared (compatible)
      toA = true;
    }
    const nA = hA + mj * (lv + (toA ? hA : hB));
    const nStarA: boolean = toA ? starA : starB;
    if (!starB) {
      lv = d;
      toA = eq;
    } else if (eq) {
      lv = d;
      toA = true;
    } else {
      lv = size;
      toA = true;
    }
    const nB = hB + mj * (lv + (toA ? hA : hB));
    const nStarB: boolean = toA ? starA : starB;
    hA = nA;
    starA = nStarA;
    hB = nB;
    starB = nStarB;
  }
  return size + hA;
}

// The plain recursion memoised over (loop j, incoming step t, remembered canonical
// translation s), summing in the recursion's own order (for fractional terms).
let memoStamp = new Uint32Array(4096);
let memoSum = new Float64Array(4096);
let memoState = new Int32Array(4096);
let stamp = 0;
let wk = 0;
let wW = 0;
let wS = 0;
let wSize = 0;
/** State after the last walkOrdered() call returned. */
let wOut = -1;

function walkOrdered(j: number, t: number, s: number): number {
  if (j === wk) {
    if (t === -2) {
      wOut = -1;
      return wSize;
    }
    if (s === -1) {
      wOut = wCanon[t];
      return wDeltas[t];
    }
    if (wCanon[t] === s) {
      wOut = s;
      return wDeltas[t];
    }
    wOut = -1;
    return wSize;
  }
  const key = (j * wW + (t + 2)) * wS + (s + 1);
  if (memoStamp[key] === stamp) {
    wOut = memoState[key];
    return memoSum[key];
  }
  const a = walkOrdered(j + 1, t, s);
  const b = walkOrdered(j + 1, j, wOut);
  const sum = a + (wN[j] - 1) * b;
  memoStamp[key] = stamp;
  memoSum[key] = sum;
  memoState[key] = wOut;
  return sum;
}

/**
 * The walk over k >= 1 loops whose T rows (k x na) are in wT, counts in wN and extents in
 * wExt: deltas and equalities from the rows, then the two-class recurrence (integral) or
 * the ordered recursion.
 */
export function walkDense(k: number, na: number, size: number, integral: boolean): number {
  const last = (k - 1) * na;
  for (let j = 0; j < k; j++) {
    const off = j * na;
    wDeltas[j] = stepDeltaAt(off, na, size);
    let eq = 1;
    for (let a = 0; a < na; a++) if (wT[off + a] !== wT[last + a]) eq = 0;
    wEq[j] = eq;
  }
  if (integral) return walkClasses(k, size);
  // Canonical ids so equal translation vectors compare equal.
  for (let j = 0; j < k; j++) {
    wCanon[j] = j;
    for (let i = 0; i < j; i++) {
      let eq = true;
      for (let a = 0; a < na; a++) if (wT[i * na + a] !== wT[j * na + a]) eq = false;
      if (eq) {
        wCanon[j] = i;
        break;
      }
    }
  }
  const S = k + 1;
  const W = k + 2;
  const need = k * W * S;
  if (memoStamp.length < need) {
    memoStamp = new Uint32Array(need * 2);
    memoSum = new Float64Array(need * 2);
    memoState = new Int32Array(need * 2);
    stamp = 0;
  }
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    memoStamp.fill(0);
    stamp = 1;
  }
  wk = k;
  wS = S;
  wW = W;
  wSize = size;
  return walkOrdered(0, -2, -1);
}

/**
 * Sum of temporal deltas of a tile with box extents `ext` moved by the given loops (outermost
 * first, each with its unit translation), walked as Timeloop's extrapolating nest analysis
 * does: iteration 0 once, iteration 1 standing for the other n-1.
 */
export function temporalDeltaSum(ext: number[], loops: { n: number; u: number[] }[]): number {
  let size = 1;
  for (const e of ext) size *= e;
  const k = loops.length;
  if (k === 0) return size;
  const na = ext.length;
  ensureWalk(k, na);
  let integral = Number.isInteger(size);
  for (let a = 0; a < na; a++) {
    wExt[a] = ext[a];
    wSuffix[a] = 0;
    if (!Number.isInteger(ext[a])) integral = false;
  }
  // T_j from suffix sums of the inner loops' steps.
  for (let j = k - 1; j >= 0; j--) {
    const u = loops[j].u;
    wN[j] = loops[j].n;
    if (!Number.isInteger(loops[j].n)) integral = false;
    for (let a = 0; a < na; a++) {
      wT[j * na + a] = u[a] - wSuffix[a];
      wSuffix[a] += u[a];
      if (!Number.isInteger(u[a])) integral = false;
    }
  }
  return walkDense(k, na, size, integral);
}
