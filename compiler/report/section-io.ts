// Reading and writing report sections on disk: the one API other commands call for their
// `--out` (writeReportSection) and the folder scan behind `nacc report DIR`.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { D, UserError, type Diagnostic } from '../diagnostics/index.ts';
import { adaptNative, adaptNativeGroup } from './adapters.ts';
import { RUN_MANIFEST, parseRunManifest, sectionsOfRun } from './run-manifest.ts';
import {
  SECTION_FORMAT,
  SECTION_KINDS,
  SECTION_SUFFIX,
  isObject,
  sectionProblems,
  type LocatedSection,
  type ReportSection,
} from './sections.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Write one part of a report: `DIR/NAME.section.json`. Call it from a command's `--out DIR`
 * with data already in the section schema (sections.ts). Paths inside the section (waveform,
 * log) may be relative to DIR. Returns the file written. Throws on data that does not match
 * the schema: that is a bug in the caller, not a user error.
 */
export function writeReportSection(dir: string, name: string, data: ReportSection): string {
  if (!NAME.test(name)) throw new Error(`writeReportSection: name '${name}' must match ${NAME}`);
  const problems = sectionProblems(data);
  if (problems.length) throw new Error(`writeReportSection(${name}): ${problems.join('; ')}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name + SECTION_SUFFIX);
  writeFileSync(file, JSON.stringify({ nacc_report_section: SECTION_FORMAT, name, ...data }, null, 2) + '\n');
  return file;
}

/** Parse a section file's JSON; problems are returned, not thrown. */
export function parseSectionFile(json: unknown, file: string): { section?: ReportSection; name: string; problems: string[] } {
  const fallback = fileBase(file);
  if (!isObject(json)) return { name: fallback, problems: ['not a JSON object'] };
  const { nacc_report_section: format, name, ...rest } = json;
  const problems: string[] = [];
  if (format !== SECTION_FORMAT) problems.push(`"nacc_report_section" must be ${SECTION_FORMAT} (got ${JSON.stringify(format)})`);
  problems.push(...sectionProblems(rest));
  const sectionName = typeof name === 'string' && NAME.test(name) ? name : fallback;
  return problems.length ? { name: sectionName, problems } : { section: rest as unknown as ReportSection, name: sectionName, problems };
}

const fileBase = (file: string) =>
  file
    .split(/[\\/]/)
    .pop()!
    .replace(/\.section\.json$|\.json$/, '');

const SKIP_DIRS = new Set(['node_modules', '.git', '.nacc-cache']);
const MAX_DEPTH = 8;
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Every JSON file under dir, sorted, skipping hidden and dependency folders. */
export function listJsonFiles(dir: string): string[] {
  return listFiles(dir, '.json');
}

/** Every file under dir whose name ends with ext, sorted, skipping hidden and dependency folders. */
export function listFiles(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p, depth + 1);
      } else if (e.isFile() && e.name.endsWith(ext)) out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * Every section under dir: `*.section.json` files (a malformed one is a user error naming the
 * file and the fields), then other JSON files recognised by their schema (adapters.ts) in
 * folders that hold no section file — a command that wrote its own section is taken at its word.
 */
export function collectSections(dir: string): LocatedSection[] {
  const root = checkedFolder(dir);
  const files = listJsonFiles(root);
  const sectionFiles = files.filter((f) => f.endsWith(SECTION_SUFFIX));
  const manifests = files.filter((f) => f.endsWith(`${sep}${RUN_MANIFEST}`));
  // A run folder (it holds a manifest) and a folder with section files are taken at their word.
  const foldersWithSections = new Set([...sectionFiles, ...manifests].map((f) => dirname(f)));
  const found: LocatedSection[] = [];
  const errors: Diagnostic[] = [];

  for (const file of manifests) {
    const json = readJson(file, errors);
    if (json === undefined) continue;
    const m = parseRunManifest(json);
    if (typeof m === 'string') {
      errors.push({ severity: 'error', code: D.reportSection.code, message: `${rel(root, file)}: not a valid run manifest: ${m}` });
      continue;
    }
    const folder = rel(root, dirname(file)) || m.kind;
    for (const section of sectionsOfRun(dirname(file), m))
      found.push({ name: folder.replace(/[^A-Za-z0-9._-]+/g, '-'), baseDir: dirname(file), file, section, runKind: m.kind });
  }

  for (const file of sectionFiles) {
    const json = readJson(file, errors);
    if (json === undefined) continue;
    const r = parseSectionFile(json, file);
    if (!r.section) {
      errors.push({
        severity: 'error',
        code: D.reportSection.code,
        message: `${rel(root, file)}: not a valid report section: ${r.problems.join('; ')}`,
      });
      continue;
    }
    found.push({ name: r.name, baseDir: dirname(file), file, section: r.section });
  }
  if (errors.length) throw new UserError(errors);

  const unclaimed: { file: string; json: unknown }[] = [];
  for (const file of files) {
    if (file.endsWith(SECTION_SUFFIX) || foldersWithSections.has(dirname(file))) continue;
    if (statSync(file).size > MAX_JSON_BYTES) continue;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue; // not ours: any JSON file may sit in a run folder
    }
    const sections = adaptNative(json, file).filter((s) => sectionProblems(s).length === 0);
    if (sections.length === 0) unclaimed.push({ file, json });
    sections.forEach((section, i, all) => {
      found.push({ name: fileBase(file) + (all.length > 1 ? `-${i + 1}` : ''), baseDir: dirname(file), file, section });
    });
  }
  for (const g of adaptNativeGroup(unclaimed)) {
    if (sectionProblems(g.section).length) continue;
    found.push({ name: fileBase(g.files[0]), baseDir: dirname(g.files[0]), file: g.files[0], section: g.section });
  }
  return orderAndName(found, root);
}

/** A standalone SVG figure a command wrote (not from a section), to show as it is. */
export interface ExternalPlot {
  /** Path relative to the report folder's root, '/'-separated. */
  name: string;
  file: string;
  svg: string;
}

const MAX_SVG_BYTES = 8 * 1024 * 1024;

/**
 * SVG figures under dir in folders that hold no section file (a command that wrote a section
 * draws its plots from it; its own SVG would repeat them), XML prologue and scripts removed.
 */
export function collectExternalPlots(dir: string): ExternalPlot[] {
  const root = checkedFolder(dir);
  const sectionFolders = new Set(
    listJsonFiles(root)
      .filter((f) => f.endsWith(SECTION_SUFFIX) || f.endsWith(`${sep}${RUN_MANIFEST}`))
      .map((f) => dirname(f)),
  );
  const out: ExternalPlot[] = [];
  for (const file of listFiles(root, '.svg')) {
    if (sectionFolders.has(dirname(file)) || statSync(file).size > MAX_SVG_BYTES) continue;
    const svg = cleanSvg(readFileSync(file, 'utf8'));
    if (svg) out.push({ name: rel(root, file), file, svg });
  }
  return out;
}

/** Files a person would open from the report: other HTML reports, waveforms, generated designs. */
export const LINKED_EXTENSIONS = ['.html', '.vcd', '.nacc'];

/**
 * Files under dir worth a link (LINKED_EXTENSIONS), except `exclude` (the report itself) and
 * waveforms a section already links to. Sorted; at most `max`.
 */
export function collectLinkedFiles(dir: string, exclude: string[], max = 200): string[] {
  const root = checkedFolder(dir);
  const skip = new Set(exclude.map((f) => resolve(f)));
  const out: string[] = [];
  for (const ext of LINKED_EXTENSIONS) for (const f of listFiles(root, ext)) if (!skip.has(f)) out.push(f);
  return out.sort().slice(0, max);
}

/** The <svg> element alone: no XML declaration, doctype, comments before it, or scripts. */
export function cleanSvg(text: string): string | undefined {
  const start = text.search(/<svg\b/);
  const end = text.lastIndexOf('</svg>');
  if (start < 0 || end < start) return undefined;
  return text
    .slice(start, end + 6)
    .replace(/<script\b[\s\S]*?<\/script>/gi, '')
    .replace(/\son[a-z]+="[^"]*"/gi, '');
}

function checkedFolder(dir: string): string {
  const root = resolve(dir);
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new UserError([{ severity: 'error', code: D.reportFolder.code, message: `report: no such folder '${dir}'` }]);
  }
  if (!st.isDirectory())
    throw new UserError([{ severity: 'error', code: D.reportFolder.code, message: `report: '${dir}' is not a folder` }]);
  return root;
}

function readJson(file: string, errors: Diagnostic[]): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    errors.push({ severity: 'error', code: D.reportSection.code, message: `${file}: not valid JSON: ${(e as Error).message}` });
    return undefined;
  }
}

const rel = (root: string, file: string) => relative(root, file).split(sep).join('/');

/** Pipeline order, then path; names made unique by prefixing the folder when they collide. */
function orderAndName(found: LocatedSection[], root: string): LocatedSection[] {
  const sorted = [...found].sort((a, b) => {
    const k = SECTION_KINDS.indexOf(a.section.kind) - SECTION_KINDS.indexOf(b.section.kind);
    if (k) return k;
    const fa = rel(root, a.file),
      fb = rel(root, b.file);
    return fa < fb ? -1 : fa > fb ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  const count = new Map<string, number>();
  for (const s of sorted) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  const used = new Set<string>();
  return sorted.map((s) => {
    let name = s.name;
    if ((count.get(name) ?? 0) > 1) {
      const folder = rel(root, s.baseDir).replace(/[^A-Za-z0-9._-]+/g, '-');
      name = folder && folder !== '.' ? `${folder}-${name}` : name;
    }
    let unique = name;
    for (let i = 2; used.has(unique); i++) unique = `${name}-${i}`;
    used.add(unique);
    return { ...s, name: unique };
  });
}
