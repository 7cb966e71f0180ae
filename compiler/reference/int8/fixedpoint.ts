// Integer arithmetic of TFLite's quantised kernels (QuantizeMultiplier, the gemmlowp
// fixed-point primitives, softmax's exp and reciprocal), exact in JS numbers: every value
// is an int32 and 64-bit products are split so that no intermediate loses a bit.

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** C's std::round: half away from zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** frexp: x = m * 2^e with |m| in [0.5, 1). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  let m = x / 2 ** e;
  while (Math.abs(m) >= 1) {
    m /= 2;
    e++;
  }
  while (Math.abs(m) < 0.5) {
    m *= 2;
    e--;
  }
  return [m, e];
}

/** TFLite QuantizeMultiplier: a double multiplier as a Q31 significand and a shift. */
export function quantizeMultiplier(m: number): { multiplier: number; shift: number } {
  if (m === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(m);
  let shift = e;
  let qFixed = roundHalfAway(q * 2147483648);
  if (qFixed === 2147483648) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  return { multiplier: qFixed, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul for int32. */
export function srdhm(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const neg = a !== 0 && b !== 0 && a < 0 !== b < 0;
  const bh = b >> 16;
  const bl = b & 0xffff;
  const t1 = a * bh; // |t1| < 2^46
  const t2 = a * bl; // |t2| < 2^47
  const nudge = neg ? 1 - (1 << 30) : 1 << 30;
  // X = t1 * 2^16 + t2 + nudge; result = trunc(X / 2^31)
  const q1 = Math.floor(t1 / 32768);
  const r1 = t1 - q1 * 32768;
  const rest = r1 * 65536 + t2 + nudge;
  const q2 = Math.floor(rest / 2147483648);
  const r2 = rest - q2 * 2147483648;
  let r = q1 + q2;
  if (neg && r2 !== 0) r += 1;
  return r | 0;
}

/** gemmlowp RoundingDivideByPOT: rounding arithmetic right shift, exponent in [0, 31]. */
export function rdbpot(x: number, exponent: number): number {
  const mask = exponent === 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}

/** TFLite MultiplyByQuantizedMultiplier (double rounding, int32 input). */
export function mbqm(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return rdbpot(srdhm(Math.imul(x, (2 ** left) | 0), multiplier), right);
}

// ---- gemmlowp fixed point, for softmax --------------------------------------------------

/** SaturatingRoundingMultiplyByPOT with a positive exponent (saturating left shift). */
function satShiftLeft(x: number, exponent: number): number {
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x << exponent) | 0;
}

/** Multiply by 2^exponent, rounding (negative) or saturating (positive). */
export function srmbpot(x: number, exponent: number): number {
  if (exponent === 0) return x;
  return exponent > 0 ? satShiftLeft(x, exponent) : rdbpot(x, -exponent);
}

/** Rescale a fixed-point raw value from srcIntBits to dstIntBits integer bits. */
export function rescale(x: number, srcIntBits: number, dstIntBits: number): number {
  return srmbpot(x, srcIntBits - dstIntBits);
}

const add = (a: number, b: number) => (a + b) | 0;
const sub = (a: number, b: number) => (a - b) | 0;

/** exp(x) for x in [-1/4, 0), Q0.31 in and out. */
function expOnIntervalNegQuarterTo0(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const constant1Over3 = 715827883;
  const x = add(a, 1 << 28);
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = srmbpot(x4, -2);
  const poly = srmbpot(add(srdhm(add(x4Over4, x3), constant1Over3), x2), -1);
  return add(constantTerm, srdhm(constantTerm, add(x, poly)));
}

/** exp(a) for a <= 0 given with `intBits` integer bits; result Q0.31. */
export function expOnNegativeValues(a: number, intBits: number): number {
  const fracBits = 31 - intBits;
  const oneQuarter = 1 << (fracBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusQuarter = sub(a & mask, oneQuarter);
  let result = expOnIntervalNegQuarterTo0(rescale(aModQuarterMinusQuarter, intBits, 0));
  const remainder = sub(aModQuarterMinusQuarter, a);
  const barrel: [number, number][] = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [exponent, multiplier] of barrel) {
    if (intBits > exponent) {
      const shiftAmount = fracBits + exponent;
      if (remainder & (1 << shiftAmount)) result = srdhm(result, multiplier);
    }
  }
  if (intBits > 5) {
    const clamp = -(1 << (36 - intBits));
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** 1 / (1 + x) for x in [0, 1), Q0.31 in and out. */
export function oneOverOnePlusX(a: number): number {
  // RoundingHalfSum(a, One) with 64-bit sum
  const sum = a + INT32_MAX;
  const halfDenominator = Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2) | 0;
  const c48over17 = 1515870810; // Q2.29
  const cNeg32over17 = -1010580540;
  let x = add(c48over17, srdhm(halfDenominator, cNeg32over17));
  const oneQ2 = 1 << 29;
  for (let i = 0; i < 3; i++) {
    const hdx = srdhm(halfDenominator, x); // Q2
    const oneMinus = sub(oneQ2, hdx);
    x = add(x, rescale(srdhm(x, oneMinus), 4, 2));
  }
  // ExactMulByPot<-1>: Q2 -> Q1 same raw; Rescale<0> from Q1
  return rescale(x, 1, 0);
}

export function countLeadingZeros32(x: number): number {
  return Math.clz32(x >>> 0);
}

/** TFLite GetReciprocal: reciprocal of a Q(xIntBits) sum and the bits over unit. */
export function getReciprocal(x: number, xIntegerDigits: number): { scale: number; numBitsOverUnit: number } {
  const headroomPlusOne = countLeadingZeros32(x);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  const shiftedSumMinusOne = ((((x >>> 0) * 2 ** headroomPlusOne) % 2 ** 32) - 2 ** 31) | 0;
  return { scale: oneOverOnePlusX(shiftedSumMinusOne), numBitsOverUnit };
}
