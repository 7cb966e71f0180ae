// The TFLite models under ../shared/models and their TFLite Micro reference folders.
import { needShared, type Requirement } from '../helpers/requires.ts';

export interface SharedModel {
  name: string;
  tflite: string;
  reference: string;
}

const MODELS = '../shared/models';
const REFERENCE = '../shared/reference/tflm';

export const SHARED_MODELS: SharedModel[] = [
  ['mcunet-vww1', 'mcunet/mcunet-vww1'],
  ['kws_ref_model', 'mlperf-tiny/kws_ref_model'],
  ['model_ToyCar_quant_fullint_micro_intio', 'mlperf-tiny/model_ToyCar_quant_fullint_micro_intio'],
  ['pretrainedResnet_quant', 'mlperf-tiny/pretrainedResnet_quant'],
  ['vww_96_int8', 'mlperf-tiny/vww_96_int8'],
].map(([name, path]) => ({ name, tflite: `${MODELS}/${path}.tflite`, reference: `${REFERENCE}/${name}` }));

/** What a test of the shared models needs (for describeNeeds / itNeeds). */
export const NEED_MODELS: Requirement[] = [needShared('models'), needShared('reference', 'tflm')];
