// A supernet: a MobileNetV2-style chain of stages whose depth, width multiplier, expand
// ratio and kernel size are chosen per stage, plus the input resolution. Any choice lowers
// to an ordinary network (compiler/nas/supernet.ts); the weights of all choices are shared.
import type { Location } from '../diagnostics/diagnostic.ts';
import type { ElementType } from './network.ts';
import type { DataSpec } from './targets.ts';

export interface SupernetStage {
  /** Output channels at width multiplier 1.0. */
  out: number;
  /** Stride of the stage's first block (the others use 1). */
  stride: number;
  /** Choices, each sorted ascending and without repeats. */
  depth: number[];
  width: number[];
  expand: number[];
  kernel: number[];
}

export interface SupernetSpec {
  name: string;
  /** Input channels and element type; height and width come from the resolution. */
  channels: number;
  dtype: ElementType;
  /** Input resolution choices (square images), ascending. */
  resolution: number[];
  /** The stem: a 3x3 convolution with this many output channels and stride. */
  stem: { out: number; stride: number };
  stages: SupernetStage[];
  /** Channels of the 1x1 convolution before global pooling (0: none). */
  head: number;
  classes: number;
  /** The data set the `train` accuracy source trains and tests on (`data: fashion_mnist(...)`). */
  data?: DataSpec;
  location?: Location;
}

/** One subnet: a choice for every stage, and a resolution. */
export interface SubnetConfig {
  resolution: number;
  stages: { depth: number; width: number; expand: number; kernel: number }[];
}
