// A mapping of a problem onto an architecture: for every storage level (outermost first),
// temporal loops in order (outermost first), spatial loops on the array axes below that
// level, and the data spaces the level keeps (the others bypass it).

export interface TemporalLoop {
  dim: string;
  bound: number;
}

export interface SpatialLoop {
  dim: string;
  bound: number;
  axis: 'X' | 'Y';
}

export interface LevelMapping {
  level: string;
  temporal: TemporalLoop[];
  spatial: SpatialLoop[];
  keep: string[];
}

export interface Mapping {
  levels: LevelMapping[];
}

/** The Timeloop-style loop nest, one line per loop, as `timeloop-model` prints it. */
export function formatLoopNest(m: Mapping): string {
  const out: string[] = [];
  let depth = 0;
  for (const lv of m.levels) {
    const head = `${lv.level} [ ${lv.keep.join(' ')}${lv.keep.length ? ' ' : ''}] `;
    out.push(head, '-'.repeat(head.length - 1));
    const loops = [
      ...lv.temporal.map((l) => ({ ...l, tag: '' })),
      ...lv.spatial.map((l) => ({ dim: l.dim, bound: l.bound, tag: ` (Spatial-${l.axis})` })),
    ];
    for (const l of loops) {
      if (l.bound <= 1) continue;
      out.push(`|${' '.repeat(depth * 2 + 1)}for ${l.dim} in [0:${l.bound})${l.tag}`);
      depth++;
    }
    out.push('');
  }
  return out.join('\n');
}
