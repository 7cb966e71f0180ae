// The demo's step names in run order, without loading the steps (every back-end): what
// `nacc demo --help` lists and `--only` is checked against. index.ts must match (a test checks).
export const DEMO_STEP_NAMES = [
  'doctor',
  'inspect',
  'onnx',
  'fl',
  'naas search',
  'pointacc',
  'mcu',
  'mcu patch-based',
  'rtl',
  'report',
] as const;
