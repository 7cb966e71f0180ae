// Conditions under which MAESTRO itself stops (exit 255, or a crash) turned into user errors:
// the layer or directive that caused them is attached by the caller that knows its location.
import type { Location } from '../../diagnostics/index.ts';

export class MaestroAnalysisError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly location?: Location,
  ) {
    super(message);
    this.name = 'MaestroAnalysisError';
  }
}
