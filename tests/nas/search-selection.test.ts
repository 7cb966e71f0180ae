// Selection of the joint network search: NSGA-II crowding distance, which keeps the population
// spread along the front (the low-SRAM / low-EDP end too) rather than crowded at the accurate end.
import { describe, expect, it } from 'vitest';
import { crowding, type NasPoint } from '../../compiler/nas/search.ts';

const pt = (config: string, accuracy: number, value: number): NasPoint => ({
  config,
  accuracy,
  accuracy_source: 'test',
  value,
  macs: 0,
  feasible: true,
});

describe('crowding distance', () => {
  it("a front's ends are kept first; inner points by the normalised gap to their neighbours on both objectives", () => {
    // one front: accuracy rises with the hardware value (log scale: 1, e, e^4)
    const front = [pt('a', 0.5, 1), pt('b', 0.6, Math.E), pt('c', 0.9, Math.E ** 4), pt('d', 0.7, Math.E ** 2)];
    const d = crowding(front, [0, 0, 0, 0]);
    expect(d[0]).toBe(Infinity);
    expect(d[2]).toBe(Infinity);
    // b: neighbours a and d -> (0.7 - 0.5) / 0.4 + (2 - 0) / 4; d: neighbours b and c -> (0.9 - 0.6) / 0.4 + (4 - 1) / 4
    expect(d[1]).toBeCloseTo(0.5 + 0.5, 9);
    expect(d[3]).toBeCloseTo(0.75 + 0.75, 9);
  });

  it('ranks are crowded separately; a rank of one point is an end', () => {
    const pts = [pt('a', 0.5, 1), pt('b', 0.9, 10), pt('c', 0.4, 5), pt('d', 0.45, 20), pt('e', 0.3, 30)];
    const d = crowding(pts, [0, 0, 1, 1, 2]);
    expect(d[4]).toBe(Infinity);
    expect(d.slice(0, 4).every((x) => x === Infinity)).toBe(true);
  });
});
