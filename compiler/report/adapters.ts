// Recognises the JSON other commands write for their own purposes (`--json`, `--out`) by its
// schema and turns it into report sections, so `nacc report` works on runs made before a
// command wrote section files. One adapter per known schema; unknown JSON yields nothing.
import { SECTION_KINDS, isObject, sectionProblems, type ReportSection } from './sections.ts';

export interface NativeAdapter {
  /** What it reads, for docs/report.md and error messages. */
  describes: string;
  /** Sections read from json (found in file; paths in them are relative to its folder). */
  adapt(json: unknown, file: string): ReportSection[] | undefined;
}

/** A bare section object (the section schema without the file wrapper). */
const bareSection: NativeAdapter = {
  describes: 'a bare section object with "kind"',
  adapt(json) {
    if (!isObject(json) || !(SECTION_KINDS as unknown[]).includes(json.kind)) return undefined;
    return sectionProblems(json).length ? undefined : [json as unknown as ReportSection];
  },
};

export const NATIVE_ADAPTERS: NativeAdapter[] = [bareSection];

/** Sections from the first adapter that recognises json; [] when none does. */
export function adaptNative(json: unknown, file: string): ReportSection[] {
  for (const a of NATIVE_ADAPTERS) {
    let r: ReportSection[] | undefined;
    try {
      r = a.adapt(json, file);
    } catch {
      r = undefined; // a schema we half-recognise is still not ours
    }
    if (r && r.length) return r;
  }
  return [];
}
