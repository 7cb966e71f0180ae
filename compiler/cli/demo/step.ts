// A demo step runs one capability end to end and reports a one-line summary.
export interface DemoContext {
  /** Root folder for this demo run's outputs (each step uses its own subfolder): a temporary sibling of finalDir until the run completes. */
  outDir: string;
  /** Where outDir will be once the demo completes (default outDir): for paths shown to people. Files record paths relative to outDir. */
  finalDir?: string;
  seed: number;
  /** Absolute path of the project's examples/ folder. */
  examplesDir: string;
  /** Progress and detail for humans (stderr). */
  log(message: string): void;
}

export interface DemoResult {
  status: 'ok' | 'failed';
  /** One line for the summary table: the figures that matter. */
  summary: string;
  /** Files the step wrote that a person would open. */
  artifacts?: string[];
}

export interface DemoStep {
  /** Capability name shown in the summary table, e.g. "inspect", "naas search". */
  name: string;
  run(ctx: DemoContext): Promise<DemoResult>;
}
