// Shared fixtures of the NAAS tests: Eyeriss's resources and the full NAAS space over them.
import type { AcceleratorSpec, DesignSpace } from '../../compiler/ir/targets.ts';

export const eyeriss: AcceleratorSpec = {
  name: 'eyeriss',
  peArray: [12, 14],
  dataflow: 'row_stationary',
  registerFileBytesPerPe: 520,
  globalBufferBytes: 110592,
  dramBandwidthBytesPerCycle: 8,
  wordBits: 16,
};

export const naasSpace: DesignSpace = {
  name: 'naas',
  resources: 'eyeriss',
  arrayDims: { min: 1, max: 3, step: 1 },
  peCount: { min: 8, max: 168, step: 8 },
  arraySize: { min: 2, max: 64, step: 2 },
  parallel: 'search',
  registerFileBytes: { min: 16, max: 1024, step: 16 },
  globalBufferBytes: { min: 16384, max: 110592, step: 16 },
  objective: 'edp',
};
