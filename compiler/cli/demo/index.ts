// The demo steps, in the order they run. Each capability adds its step here when it lands.
import type { DemoStep } from './step.ts';
import { doctorStep } from './doctor-step.ts';
import { inspectStep } from './inspect-step.ts';
import { onnxStep } from './onnx-step.ts';
import { flStep } from './fl-step.ts';
import { reportStep } from './report-step.ts'; // reportStep stays LAST in DEMO_STEPS: it reads every other step's output
import { naasStep } from './naas-step.ts';
import { pointaccStep } from './pointacc-step.ts';
import { mcuStep } from './mcu-step.ts';
import { rtlStep } from './rtl-step.ts';
import { mcuPatchStep } from './mcu-patch-step.ts';

export const DEMO_STEPS: DemoStep[] = [
  doctorStep,
  inspectStep,
  onnxStep,
  flStep,
  naasStep,
  pointaccStep,
  mcuStep,
  mcuPatchStep,
  rtlStep,
  reportStep,
];
