import type { DemoStep } from './step.ts';

export const inspectStep: DemoStep = {
  name: 'inspect',
  async run() {
    return { status: 'failed', summary: 'not implemented yet' };
  },
};
