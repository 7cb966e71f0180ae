// Front-end entry: .nacc text -> Program (lowered IR) with diagnostics.
// Pipeline: lexer.ts -> parser.ts (CST, with recovery) -> cst-to-ast.ts -> lower-network.ts
// and lower-config.ts -> cross-references (a space's resources, a job's network).
import { readFileSync } from 'node:fs';
import { SourceFile, UserError, fail, type Diagnostic } from '../diagnostics/index.ts';
import type { Program } from '../ir/program.ts';
import type { Declaration, FileAst, Span } from './ast.ts';
import { fileToAst } from './cst-to-ast.ts';
import { Codes } from './diagnostic-codes.ts';
import { naccLexer } from './lexer.ts';
import { lowerConfig } from './lower-config.ts';
import { checkBlock, lowerNetwork } from './lower-network.ts';
import { naccParser } from './parser.ts';

export interface ParseResult {
  program: Program;
  diagnostics: Diagnostic[];
  ast?: FileAst;
}

/** At most this many syntax errors are reported per file: recovery's later guesses add noise. */
const MAX_SYNTAX_ERRORS = 10;

export function parseSource(source: SourceFile): { ast?: FileAst; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lex = naccLexer.tokenize(source.text);
  for (const e of lex.errors) {
    const ch = source.text.slice(e.offset, e.offset + e.length);
    diagnostics.push({ severity: 'error', code: Codes.lexical, message: `unexpected character '${ch}'`, location: source.locationAt(e.offset, e.length) });
  }
  naccParser.input = lex.tokens;
  const cst = naccParser.file();
  const seenLines = new Set<number>();
  for (const e of naccParser.errors) {
    const t = e.token;
    const atEnd = t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset);
    const prev = (e as { previousToken?: { endOffset?: number; image: string } }).previousToken;
    // A missing token is reported just after the token it should follow (where the user left it out).
    const missing = e.name === 'MismatchedTokenException' && prev && prev.endOffset !== undefined && !Number.isNaN(prev.endOffset);
    const offset = missing ? prev!.endOffset! + 1 : atEnd ? source.text.length : t.startOffset;
    const loc = source.locationAt(Math.max(0, Math.min(offset, source.text.length)), missing || atEnd ? 1 : t.image.length);
    if (seenLines.has(loc.line)) continue;
    seenLines.add(loc.line);
    const found = atEnd ? 'end of file' : `'${t.image}'`;
    const message = syntaxMessage(e.message, found) + (missing ? ` (after '${prev!.image}')` : '');
    diagnostics.push({ severity: 'error', code: Codes.syntax, message, location: loc });
    if (seenLines.size >= MAX_SYNTAX_ERRORS) break;
  }
  if (diagnostics.length) return { diagnostics };
  return { ast: fileToAst(cst), diagnostics };
}

/** Chevrotain's messages name token types; say it in the language's own words. */
function syntaxMessage(raw: string, found: string): string {
  const names: Record<string, string> = {
    Identifier: 'a name', NumberLiteral: 'a number', StringLiteral: 'a string', LBrace: "'{'", RBrace: "'}'", LParen: "'('", RParen: "')'",
    LBracket: "'['", RBracket: "']'", Comma: "','", Colon: "':'", Equals: "'='", DotDot: "'..'", Star: "'*'", Slash: "'/'", Plus: "'+'", Minus: "'-'",
  };
  const expecting = raw.match(/Expecting token of type --> (\w+) <--/);
  if (expecting) return `expected ${names[expecting[1]] ?? `'${expecting[1].toLowerCase()}'`}, found ${found}`;
  if (/Expecting: one of these possible Token sequences/.test(raw) || /Expecting:/.test(raw)) {
    const first = [...raw.matchAll(/\[([A-Za-z]+)/g)].map((m) => names[m[1]] ?? `'${m[1].toLowerCase()}'`);
    const uniq = [...new Set(first)].slice(0, 6);
    return uniq.length ? `expected ${uniq.join(', ')}; found ${found}` : `unexpected ${found}`;
  }
  if (/Redundant input/.test(raw)) return `unexpected ${found}`;
  return `${raw.split('\n')[0]} (found ${found})`;
}

/** Parse and lower a .nacc source; never throws for user errors (they are in diagnostics). */
export interface CompileOptions {
  /**
   * Accelerator and network names other files of the same invocation define (`--with`):
   * references to them are not errors here. 'any' skips cross-references altogether.
   */
  external?: 'any' | { accelerators?: readonly string[]; networks?: readonly string[] };
}

export function compileSource(source: SourceFile, options: CompileOptions = {}): ParseResult {
  const program: Program = { file: source.path, networks: [], accelerators: [], spaces: [], mcus: [], pointaccs: [], federated: [] };
  const { ast, diagnostics } = parseSource(source);
  if (!ast) return { program, diagnostics };

  const loc = (s: Span) => source.locationAt(s.start, s.end - s.start);
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
      const net = lowerNetwork(d, blocks, source, diagnostics);
      if (net) program.networks.push(net);
    } else if (d.kind === 'config') {
      const c = lowerConfig(d, source, diagnostics);
      if (!c) continue;
      if (c.kind === 'accelerator') program.accelerators.push(c.value);
      else if (c.kind === 'space') program.spaces.push(c.value);
      else if (c.kind === 'mcu') program.mcus.push(c.value);
      else if (c.kind === 'pointacc') program.pointaccs.push(c.value);
      else program.federated.push(c.value);
    }
  }
  // Cross-references by name.
  const ext = options.external;
  const known = (kind: 'accelerators' | 'networks', name: string): boolean => ext === 'any' || (ext?.[kind]?.includes(name) ?? false);
  for (const s of program.spaces) {
    if (s.resources && !program.accelerators.some((a) => a.name === s.resources) && !known('accelerators', s.resources)) {
      diagnostics.push({ severity: 'error', code: Codes.unknownReference, message: `space '${s.name}': resources names an unknown accelerator '${s.resources}'`, location: s.location });
    }
  }
  for (const j of program.federated) {
    if (!namespaces.get('network')?.has(j.network) && !known('networks', j.network)) {
      diagnostics.push({ severity: 'error', code: Codes.unknownReference, message: `federated '${j.name}': unknown network '${j.network}'`, location: j.location });
    }
  }
  diagnostics.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
  return { program, diagnostics, ast };
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
  };
}
