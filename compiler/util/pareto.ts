// The Pareto front on two objectives, both minimised: the search's explored designs (cycles,
// energy; naas/search.ts) and the report's plotted points (latency, energy; report/plots.ts).

/** The points no other point beats on both x and y, by ascending x (then y); of equal points the first. */
export function paretoFront2<T>(points: readonly T[], x: (p: T) => number, y: (p: T) => number): T[] {
  const sorted = [...points].sort((a, b) => x(a) - x(b) || y(a) - y(b));
  const front: T[] = [];
  let minY = Infinity;
  for (const p of sorted) {
    if (y(p) < minY) {
      front.push(p);
      minY = y(p);
    }
  }
  return front;
}
