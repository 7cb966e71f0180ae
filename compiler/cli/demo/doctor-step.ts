import type { DemoStep } from './step.ts';
import { probeTools } from '../../../testbench/tools/tools.ts';

export const doctorStep: DemoStep = {
  name: 'doctor',
  async run() {
    const tools = await probeTools();
    const missing = tools.filter((t) => !t.found).map((t) => t.name);
    return {
      status: missing.length ? 'failed' : 'ok',
      summary: missing.length ? `missing: ${missing.join(', ')}` : `${tools.length} external tools found`,
    };
  },
};
