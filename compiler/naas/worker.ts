// Worker-thread entry for piscina: evaluates one accelerator candidate.
import type { CandidateTask, CandidateResult } from './candidate.ts';
import { runCandidate } from './run-candidate.ts';

export default function evaluateCandidate(task: CandidateTask): CandidateResult {
  return runCandidate(task);
}
