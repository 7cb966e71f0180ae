// Front-end entry: .nacc text -> Program (lowered IR) with diagnostics.
// Pipeline: parse.ts (lexer.ts -> parser.ts, with recovery -> cst-to-ast.ts) -> lower-network.ts
// and lower-config.ts -> cross-references. Every error of a file is reported in one run; a
// program with any error is never handed on (loadProgram throws).
import { readFileSync } from 'node:fs';
import { SourceFile, UserError, fail, type Diagnostic } from '../diagnostics/index.ts';
import type { Program } from '../ir/program.ts';
import type { Declaration, FileAst, Span } from './ast.ts';
import { Codes } from './diagnostic-codes.ts';
import { lowerConfig } from './lower-config.ts';
import { checkBlock, lowerNetwork } from './lower-network.ts';
import { parseSource } from './parse.ts';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
  ast?: FileAst;
}

export { parseSource };

/** At most this many diagnostics are reported per file (tsc and rustc stop too): the first ones matter. */
export const MAX_DIAGNOSTICS = 50;

/** Parse and lower a .nacc source; never throws for user errors (they are in diagnostics). */
export interface CompileOptions {
  /**
   * Accelerator and network names other files of the same invocation define (`--with`):
   * references to them are not errors here. 'any' skips cross-references altogether.
   */
  external?: 'any' | { accelerators?: readonly string[]; networks?: readonly string[] };
}

export function compileSource(source: SourceFile, options: CompileOptions = {}): ParseResult {
  const program: Program = {
    file: source.path,
    networks: [],
    accelerators: [],
    spaces: [],
    mcus: [],
    pointaccs: [],
    federated: [],
    supernets: [],
  };
  // Lowering runs on the recovered AST too, so errors independent of a syntax error are
  // reported with it; broken declarations are checked but never lowered into the program.
  const { ast, diagnostics } = parseSource(source);
  if (ast.declarations.length === 0 && diagnostics.length === 0) {
    diagnostics.push({
      severity: 'error',
      code: Codes.emptyFile,
      message: `${source.path} declares nothing (a .nacc file holds network, block, accelerator, space, mcu, pointacc, federated or supernet declarations)`,
      location: source.locationAt(0, 0),
    });
  }

  const loc = (s: Span) => source.locationAt(s.start, s.end - s.start);
  // A name in text the parser skipped may be a declaration's: references to it are not errors.
  const unread = (name: string) => ast.unread !== undefined && (ast.unread.anyName || ast.unread.names.includes(name));
  const namespaces = new Map<string, Map<string, Declaration>>();
  const blocks = new Map<string, Extract<Declaration, { kind: 'block' }>>();
  for (const d of ast.declarations) {
    const ns = d.kind === 'config' ? d.configKind : d.kind;
    const table = namespaces.get(ns) ?? new Map<string, Declaration>();
    namespaces.set(ns, table);
    const prev = table.get(d.name);
    if (prev) {
      diagnostics.push({
        severity: 'error',
        code: Codes.duplicateDefinition,
        message: `duplicate definition of ${ns} '${d.name}'`,
        location: loc(d.nameSpan),
        notes: [{ message: 'first defined here', location: loc(prev.nameSpan) }],
      });
      continue;
    }
    table.set(d.name, d);
    if (d.kind === 'block') {
      checkBlock(d, source, diagnostics);
      blocks.set(d.name, d);
    }
  }
  for (const d of ast.declarations) {
    if (namespaces.get(d.kind === 'config' ? d.configKind : d.kind)?.get(d.name) !== d) continue;
    if (d.kind === 'network') {
      const net = lowerNetwork(d, blocks, source, diagnostics, unread);
      if (net) program.networks.push(net);
    } else if (d.kind === 'config') {
      const c = lowerConfig(d, source, diagnostics);
      if (!c) continue;
      if (c.kind === 'accelerator') program.accelerators.push(c.value);
      else if (c.kind === 'space') program.spaces.push(c.value);
      else if (c.kind === 'mcu') program.mcus.push(c.value);
      else if (c.kind === 'pointacc') program.pointaccs.push(c.value);
      else if (c.kind === 'supernet') program.supernets.push(c.value);
      else program.federated.push(c.value);
    }
  }
  // Cross-references by name.
  const ext = options.external;
  const known = (kind: 'accelerators' | 'networks', name: string): boolean =>
    ext === 'any' || (ext?.[kind]?.includes(name) ?? false) || unread(name);
  for (const s of program.spaces) {
    // Declared names, not lowered ones: an accelerator with errors of its own is still declared.
    if (s.resources && !namespaces.get('accelerator')?.has(s.resources) && !known('accelerators', s.resources)) {
      diagnostics.push({
        severity: 'error',
        code: Codes.unknownReference,
        message: `space '${s.name}': resources names an unknown accelerator '${s.resources}'`,
        location: s.location,
      });
    }
  }
  for (const j of program.federated) {
    if (!namespaces.get('network')?.has(j.network) && !known('networks', j.network)) {
      diagnostics.push({
        severity: 'error',
        code: Codes.unknownReference,
        message: `federated '${j.name}': unknown network '${j.network}'`,
        location: j.location,
      });
    }
  }
  return { program, diagnostics: reportable(diagnostics), ast };
}

/**
 * In source order, each once (a block's body is checked at every call), and at most
 * MAX_DIAGNOSTICS of them, followed by a note saying how many more there were.
 */
function reportable(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = `${d.location?.line}:${d.location?.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
  if (unique.length <= MAX_DIAGNOSTICS) return unique;
  const more = unique.length - MAX_DIAGNOSTICS;
  return [
    ...unique.slice(0, MAX_DIAGNOSTICS),
    {
      severity: 'note',
      code: Codes.tooManyErrors,
      message: `${more} more error${more === 1 ? '' : 's'} not shown; nacc reports at most ${MAX_DIAGNOSTICS} per file`,
    },
  ];
}

/** Read, parse and lower a .nacc file; throws UserError with every diagnostic on failure. */
export function loadProgram(path: string, options: CompileOptions = {}): Program {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail(Codes.cannotRead, `cannot read file '${path}'`);
  }
  const result = compileSource(new SourceFile(path, text), options);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new UserError(result.diagnostics);
  return result.program;
}

/**
 * Several .nacc files read as one program (a command's FILE plus its `--with` files): each
 * file may refer to accelerators and networks another one defines. The result is named after
 * the first file and holds every declaration of all of them.
 */
export function loadPrograms(paths: string[]): Program {
  // Names each file defines, from a first pass that ignores cross-file references.
  const names = { accelerators: [] as string[], networks: [] as string[] };
  for (const p of paths) {
    try {
      const first = loadProgram(p, { external: 'any' });
      names.accelerators.push(...first.accelerators.map((a) => a.name));
      names.networks.push(...first.networks.map((n) => n.name));
    } catch {
      // Reported with its location by the second pass below.
    }
  }
  const progs = paths.map((p) => loadProgram(p, { external: names }));
  const first = progs[0];
  return {
    ...first,
    networks: progs.flatMap((x) => x.networks),
    accelerators: progs.flatMap((x) => x.accelerators),
    spaces: progs.flatMap((x) => x.spaces),
    mcus: progs.flatMap((x) => x.mcus),
    pointaccs: progs.flatMap((x) => x.pointaccs),
    federated: progs.flatMap((x) => x.federated),
    supernets: progs.flatMap((x) => x.supernets),
  };
}
