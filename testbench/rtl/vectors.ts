// $readmemh vector files: one two's-complement hex word per line, `bits` wide.

export function hexWord(value: number | bigint, bits: number): string {
  const mask = (1n << BigInt(bits)) - 1n;
  const v = BigInt(value) & mask;
  return v.toString(16).padStart(Math.ceil(bits / 4), '0');
}

export function hexLines(values: ArrayLike<number | bigint>, bits: number): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; i++) out.push(hexWord(values[i], bits));
  return out.join('\n') + '\n';
}
