// "did you mean" suggestions, shared by the language's diagnostics and the CLI's: the closest
// candidate within a small edit distance, or the one candidate a word abbreviates.
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * What a user probably meant: a close spelling, else the only candidate the word begins or is a
 * whole word of (`naas` for `naas search`, `mobilenet` for `mobilenet_v2`).
 */
export function suggestion(word: string, candidates: readonly string[]): string | undefined {
  const near = closest(word, candidates);
  if (near !== undefined || word.length < 2) return near;
  const w = word.toLowerCase();
  const partOf = candidates.filter(
    (c) =>
      c.toLowerCase().startsWith(w) ||
      c
        .toLowerCase()
        .split(/[\s_.-]+/)
        .includes(w),
  );
  return partOf.length === 1 ? partOf[0] : undefined;
}
