// Whether a real (wall-clock) federated run computed what its virtual-clock simulation did.
// Agreement is about arithmetic and protocol, never speed: times are reported, not judged.
import { loadavg } from 'node:os';
import type { FlRunResult } from './simulator.ts';

export interface RealSimAgreement {
  /** True when every computed quantity matches exactly. */
  agree: boolean;
  /** One line per disagreement, naming the quantity and both values. */
  mismatches: string[];
  /** Real / simulated time to target (or total time when a target is missing); null when undefined. */
  time_ratio: number | null;
  /** Which times the ratio compares. */
  time_basis: 'time_to_target' | 'total_time';
  /** The host's 1, 5 and 15 minute load averages when the comparison was made. */
  load_average: [number, number, number];
}

/**
 * Compare a real run with the simulation of the same setup. The two share the schedule and
 * the arithmetic, so accuracies (final and per evaluated round), rounds, steps and message
 * counts must be identical; the wall clock depends on the host's load and is only reported.
 */
export function compareRealToSimulated(sim: FlRunResult, real: FlRunResult): RealSimAgreement {
  const mismatches: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (a !== b) mismatches.push(`${what}: simulated ${String(a)}, real ${String(b)}`);
  };
  same('final accuracy', sim.final_accuracy, real.final_accuracy);
  same('rounds', sim.rounds, real.rounds);
  same('steps per worker', sim.steps_per_worker, real.steps_per_worker);
  same('workers', sim.workers, real.workers);
  same('messages to the aggregator', sim.messages, real.messages);
  same('message bytes', sim.message_bytes, real.message_bytes);
  same('evaluated rounds', sim.curve.map((p) => p.round).join(','), real.curve.map((p) => p.round).join(','));
  const n = Math.min(sim.curve.length, real.curve.length);
  for (let i = 0; i < n; i++) {
    if (sim.curve[i].accuracy !== real.curve[i].accuracy) {
      mismatches.push(`accuracy after round ${sim.curve[i].round}: simulated ${sim.curve[i].accuracy}, real ${real.curve[i].accuracy}`);
      break;
    }
  }
  const targetBoth = sim.time_to_target_s !== null && real.time_to_target_s !== null;
  // Reaching the target is a property of the accuracy curve, which must match; only when does not.
  if ((sim.time_to_target_s === null) !== (real.time_to_target_s === null)) {
    mismatches.push(`target accuracy reached: simulated ${sim.time_to_target_s !== null}, real ${real.time_to_target_s !== null}`);
  }
  const [num, den] = targetBoth ? [real.time_to_target_s!, sim.time_to_target_s!] : [real.total_time_s, sim.total_time_s];
  const [l1, l5, l15] = loadavg();
  return {
    agree: mismatches.length === 0,
    mismatches,
    time_ratio: den > 0 ? num / den : null,
    time_basis: targetBoth ? 'time_to_target' : 'total_time',
    load_average: [l1, l5, l15],
  };
}
