// Parses what a nacc testbench prints: `N passed, M failed`, `cycles=C`, the first
// `MISMATCH ...` line and `vcd: FILE`. One format for every generated bench (accelerator, PointAcc).

export interface TestbenchReport {
  /** Undefined when the bench never printed its summary line (it crashed or timed out). */
  passed?: number;
  failed?: number;
  cycles?: number;
  /** Text after the first `MISMATCH` (names the first mismatching output). */
  firstMismatch?: string;
  /** Waveform the bench says it wrote. */
  vcd?: string;
}

export function parseTestbenchOutput(text: string): TestbenchReport {
  const r: TestbenchReport = {};
  for (const line of text.split(/\r?\n/)) {
    const s = line.match(/(\d+) passed, (\d+) failed/);
    if (s) {
      r.passed = Number(s[1]);
      r.failed = Number(s[2]);
    }
    const c = line.match(/\bcycles=(\d+)/);
    if (c) r.cycles = Number(c[1]);
    const m = line.match(/MISMATCH\s*(.*)$/);
    if (m && r.firstMismatch === undefined) r.firstMismatch = m[1].trim();
    const v = line.match(/^vcd: (\S+)/);
    if (v) r.vcd = v[1];
  }
  return r;
}
