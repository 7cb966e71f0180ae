// MAESTRO's fixed dataflow templates (its tools/frontend/dataflow/*.m, MIT) as directive lists
// for a layer's dimensions: the mappings the paper gives its baselines.
import type { Directive, LayerDimension, LayerType } from './types.ts';

export type TemplateName = 'rs' | 'ykp_os' | 'kcp_ws' | 'xp_ws' | 'dpt';

type Size = number | 'R' | 'S';
type Step = ['T' | 'P', Size, Size, string] | ['C', Size];

// Eyeriss-like row stationary.
const RS: Step[] = [
  ['P', 1, 1, "Y'"],
  ['T', 1, 1, "X'"],
  ['T', 1, 1, 'C'],
  ['T', 16, 16, 'K'],
  ['T', 'R', 'R', 'R'],
  ['T', 'S', 'S', 'S'],
  ['C', 'R'],
  ['P', 1, 1, 'Y'],
  ['P', 1, 1, 'R'],
  ['T', 'S', 'S', 'S'],
];
// ShiDianNao-like output stationary; the shipped file's R/S offsets of 7 are Sz(R)/Sz(S), since
// MAESTRO rejects a TemporalMap on R/S whose offset differs from its size.
const YKP_OS: Step[] = [
  ['T', 16, 16, 'K'],
  ['P', 'R', 1, 'Y'],
  ['T', 'S', 1, 'X'],
  ['T', 1, 1, 'C'],
  ['C', 16],
  ['P', 1, 1, 'K'],
  ['T', 'R', 1, 'Y'],
  ['T', 'S', 1, 'X'],
  ['T', 'R', 'R', 'R'],
  ['T', 'S', 'S', 'S'],
];
// NVDLA-like weight stationary.
const KCP_WS: Step[] = [
  ['P', 1, 1, 'K'],
  ['T', 64, 64, 'C'],
  ['T', 'R', 'R', 'R'],
  ['T', 'S', 'S', 'S'],
  ['T', 'R', 1, 'Y'],
  ['T', 'S', 1, 'X'],
  ['C', 64],
  ['P', 1, 1, 'C'],
  ['T', 'R', 1, 'Y'],
  ['T', 'S', 1, 'X'],
  ['T', 'R', 'R', 'R'],
  ['T', 'S', 'S', 'S'],
];
// X-partitioned weight stationary.
const XP_WS: Step[] = [
  ['T', 1, 1, 'K'],
  ['T', 1, 1, 'C'],
  ['T', 'R', 1, 'Y'],
  ['P', 'S', 1, 'X'],
  ['T', 'R', 'R', 'R'],
  ['T', 'S', 'S', 'S'],
];
// Depthwise: channels across PEs.
const DPT: Step[] = [
  ['P', 1, 1, 'C'],
  ['T', 'R', 1, 'Y'],
  ['T', 'S', 1, 'X'],
  ['T', 'R', 'R', 'R'],
  ['T', 'S', 'S', 'S'],
];

const TEMPLATES: Record<TemplateName, Step[]> = { rs: RS, ykp_os: YKP_OS, kcp_ws: KCP_WS, xp_ws: XP_WS, dpt: DPT };

/**
 * The template's directives for a layer. Depthwise layers always get `dpt`, as MAESTRO's
 * modelfile_to_mapping.py pastes it into every DSCONV block whatever template was chosen.
 */
export function templateDataflow(name: TemplateName, type: LayerType, dims: readonly LayerDimension[]): Directive[] {
  const steps = TEMPLATES[type === 'DSCONV' ? 'dpt' : name];
  const sz = (s: Size): number => (typeof s === 'number' ? s : (dims.find((d) => d.name === s)?.size ?? 1));
  return steps.map((s): Directive =>
    s[0] === 'C'
      ? { kind: 'cluster', size: sz(s[1]), ofs: 0, variable: '' }
      : { kind: s[0] === 'T' ? 'temporal' : 'spatial', size: sz(s[1]), ofs: sz(s[2]), variable: s[3] },
  );
}
