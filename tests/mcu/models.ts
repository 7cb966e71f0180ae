// The TFLite models under ../shared/models and their TFLite Micro reference folders.
import { existsSync } from 'node:fs';

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

export const HAVE_MODELS = existsSync(MODELS) && existsSync(REFERENCE);
if (!HAVE_MODELS) console.warn(`MCU tests skipped: ${MODELS} or ${REFERENCE} is missing`);
