// Every CLI command, one registration function per file. Add a command by adding a line here.
import type { Command } from 'commander';
import { registerInspect } from './inspect.ts';
import { registerDoctor } from './doctor.ts';
import { registerDemo } from './demo.ts';
import { registerTimeloop } from './timeloop.ts';
import { registerSearch, registerCost } from './search.ts';
import { registerReport } from './report.ts';
import { registerFl } from './fl.ts';
import { registerRtl } from './rtl.ts';
import { registerVerify } from './verify.ts';
import { registerMcuSchedule } from './mcu-schedule.ts';
import { registerMcu } from './mcu.ts';
import { registerPointacc } from './pointacc.ts';

export const COMMANDS: ((program: Command) => void)[] = [registerInspect, registerDoctor, registerDemo, registerTimeloop, registerSearch, registerCost, registerReport, registerFl, registerRtl, registerVerify, registerMcuSchedule, registerMcu, registerPointacc];
