// The generated designs the area model is calibrated on (bench/area-calibration.ts): 1-3-D
// arrays, several connectivities (dataflows) and sizes; `fit` ones fit the model, `check` ones are held back.
import type { AcceleratorSpec } from '../compiler/ir/targets.ts';

type Design = {
  set: 'fit' | 'check';
  spec: Pick<AcceleratorSpec, 'name' | 'peArray' | 'parallel' | 'registerFileBytesPerPe' | 'globalBufferBytes'>;
};
const d = (set: 'fit' | 'check', name: string, peArray: number[], parallel: string[], rf: number, glb = 16384): Design => ({
  set,
  spec: { name, peArray, parallel, registerFileBytesPerPe: rf, globalBufferBytes: glb },
});

export const CALIBRATION_DESIGNS: Design[] = [
  d('fit', 'k4', [4], ['K'], 64),
  d('fit', 'kc4x4', [4, 4], ['K', 'C'], 64),
  d('fit', 'pq2x2', [2, 2], ['P', 'Q'], 16),
  d('fit', 'kcs2x2x3', [2, 2, 3], ['K', 'C', 'S'], 64),
  d('fit', 'rp3x4', [3, 4], ['R', 'P'], 32),
  d('fit', 'kq8x2', [8, 2], ['K', 'Q'], 64),
  d('fit', 'p8', [8], ['P'], 32),
  d('check', 'c8', [8], ['C'], 64),
  d('check', 'pq4x4', [4, 4], ['P', 'Q'], 64),
  d('check', 'ck2x4', [2, 4], ['C', 'K'], 32),
  d('check', 'kpq2x2x2', [2, 2, 2], ['K', 'P', 'Q'], 32),
  d('check', 'kc8x4', [8, 4], ['K', 'C'], 16),
  d('check', 'q2', [2], ['Q'], 64),
  d('check', 'rs3x3', [3, 3], ['R', 'S'], 64),
];
