// Worker-thread entry for piscina: evaluates one accelerator candidate.
import { runCandidate, type CandidateTask, type CandidateResult } from './candidate.ts';

export default function evaluateCandidate(task: CandidateTask): CandidateResult {
  return runCandidate(task);
}
