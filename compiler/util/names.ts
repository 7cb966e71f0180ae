// Sanitisers for user-controlled text (model, tensor, layer, accelerator names; file paths) on its
// way into generated C, Make, linker scripts, Verilog and printed command lines: one per context.
//
// Every generator interpolates a user name only through one of these. Comments keep a readable
// rendering (printable ASCII; anything else, and any character that could end or open a comment
// in that context, is written as <U+XXXX>); identifiers are rewritten to the language's rules and
// made unique with `UniqueNames`. Tools are always run with argument arrays, never through a shell.

/** How a character that may not appear literally is shown in comments. */
const escaped = (cp: number): string => `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;

/**
 * Printable ASCII (space to `~`) only: other code points, and those `unsafe` picks by position,
 * become <U+XXXX>. Never contains a newline, CR, tab, NUL, bidi or zero-width character.
 */
function printable(text: string, unsafe: (chars: string[], i: number) => boolean = () => false): string {
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i].codePointAt(0)!;
    out += cp < 0x20 || cp > 0x7e || unsafe(chars, i) ? escaped(cp) : chars[i];
  }
  return out;
}

/**
 * Text safe inside a C comment of either kind (and in a linker script's /* comment): no newline or
 * line splice (`\`, the `??/` trigraph), no `*` + `/` or `/` + `*` pair, nothing at either end that
 * could pair with the delimiters around it; gcc's -Wcomment, -Wtrigraphs and -Wbidi-chars stay quiet.
 */
export function cComment(text: string): string {
  return printable(text, (c, i) => {
    const ch = c[i];
    if (ch === '\\') return true;
    if (ch === '?') return c[i + 1] === '?' || c[i - 1] === '?';
    if (ch === '/') return c[i - 1] === '*' || c[i + 1] === '*' || i === 0 || i === c.length - 1;
    if (ch === '*') return i === 0 || i === c.length - 1;
    return false;
  });
}

/** A linker script comment uses the C comment's rules (GNU ld's /* ... *\/ comments). */
export const linkerScriptComment = cComment;

/** A C99 string literal (with its quotes) holding `text`'s UTF-8 bytes; no trigraph, no splice. */
export function cStringLiteral(text: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out += byte >= 0x20 && byte <= 0x7e && ch !== '"' && ch !== '\\' && ch !== '?' ? ch : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

const C_RESERVED = new Set(
  `auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool _Complex _Imaginary main NULL`.split(
    ' ',
  ),
);

/** Longest identifier emitted; longer names are cut and get a hash of the whole name. */
const MAX_IDENTIFIER = 64;

/** FNV-1a of the UTF-16 units, 8 hex digits: a stable tag that keeps cut names distinct. */
function hash8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Every character outside [A-Za-z0-9_] becomes `_`; `prefix` goes before a leading digit or an empty result. */
function wordOf(name: string, prefix: string): string {
  const s = Array.from(name, (ch) => (/[A-Za-z0-9_]/.test(ch) ? ch : '_')).join('');
  return s === '' || /^[0-9]/.test(s) ? `${prefix}${s}` : s;
}

/** At most MAX_IDENTIFIER characters: a longer `word` is cut and tagged with a hash of the whole `name`. */
function bounded(word: string, name: string): string {
  return word.length > MAX_IDENTIFIER ? `${word.slice(0, MAX_IDENTIFIER - 9)}_${hash8(name)}` : word;
}

/**
 * A legal C identifier for `name` (not yet unique; see UniqueNames): keywords, `main` and the
 * implementation's reserved spellings (`_X...`, `__...`) get an `n_` prefix.
 */
export function cIdentifier(name: string): string {
  const s = wordOf(name, 'n_');
  return bounded(/^_[A-Z_]/.test(s) || C_RESERVED.has(s) ? `n_${s}` : s, name);
}

/** IEEE 1800-2017 reserved words (Verilator and Icarus -g2012 parse SystemVerilog). */
const VERILOG_KEYWORDS = new Set(
  `accept_on alias always always_comb always_ff always_latch and assert assign assume automatic before begin bind bins binsof bit break buf bufif0 bufif1 byte case casex casez cell chandle checker class clocking cmos config const constraint context continue cover covergroup coverpoint cross deassign default defparam design disable dist do edge else end endcase endchecker endclass endclocking endconfig endfunction endgenerate endgroup endinterface endmodule endpackage endprimitive endprogram endproperty endspecify endsequence endtable endtask enum event eventually expect export extends extern final first_match for force foreach forever fork forkjoin function generate genvar global highz0 highz1 if iff ifnone ignore_bins illegal_bins implements implies import incdir include initial inout input inside instance int integer interconnect interface intersect join join_any join_none large let liblist library local localparam logic longint macromodule matches medium modport module nand negedge nettype new nexttime nmos nor noshowcancelled not notif0 notif1 null or output package packed parameter pmos posedge primitive priority program property protected pull0 pull1 pulldown pullup pulsestyle_ondetect pulsestyle_onevent pure rand randc randcase randsequence rcmos real realtime ref reg reject_on release repeat restrict return rnmos rpmos rtran rtranif0 rtranif1 s_always s_eventually s_nexttime s_until s_until_with scalared sequence shortint shortreal showcancelled signed small soft solve specify specparam static string strong strong0 strong1 struct super supply0 supply1 sync_accept_on sync_reject_on table tagged task this throughout time timeprecision timeunit tran tranif0 tranif1 tri tri0 tri1 triand trior trireg type typedef union unique unique0 unsigned until until_with untyped use uwire var vectored virtual void wait wait_order wand weak weak0 weak1 while wildcard wire with within wor xnor xor`.split(
    /\s+/,
  ),
);

export function isVerilogKeyword(name: string): boolean {
  return VERILOG_KEYWORDS.has(name);
}

/**
 * A legal simple Verilog identifier for `name` (not yet unique; see UniqueNames): hyphens and
 * every other character outside [A-Za-z0-9_] become `_` (no `$`, no escaped identifiers), a
 * leading digit gets `n_`, a keyword gets a trailing `_`.
 */
export function verilogIdentifier(name: string): string {
  const s = wordOf(name, 'n_');
  return bounded(VERILOG_KEYWORDS.has(s) ? `${s}_` : s, name);
}

/**
 * Text safe in a Verilog `//` comment: one line of printable ASCII, and it cannot start a tool
 * metacomment (`// verilator ...`, `// synopsys ...`, `// synthesis ...`, `// pragma ...`).
 */
export function verilogComment(text: string): string {
  const s = printable(text, (c, i) => c[i] === '\\');
  return /^\s*(verilator|synopsys|synthesis|pragma|translate_o)/i.test(s) ? `- ${s}` : s;
}

/**
 * Text safe in a Makefile `#` comment: one line of printable ASCII without `\` (a trailing
 * backslash would continue the comment onto the next line).
 */
export function makeComment(text: string): string {
  return printable(text, (c, i) => c[i] === '\\');
}

/**
 * A word the generator itself puts into a Makefile rule or variable (flags, file names): checked,
 * never rewritten, because user text must not reach Make at all. Throws on anything else.
 */
export function makeWord(word: string): string {
  if (!/^[A-Za-z0-9_.,+=\/-]+$/.test(word))
    throw new Error(`internal: '${word}' is not a plain Make word; user text must not reach a Makefile`);
  return word;
}

/**
 * A path as one shell word a user can paste into a printed command (`'...'`, `'` written as
 * '\''), read as a path and not an option (`./` before a leading `-`).
 */
export function shellWord(path: string): string {
  const p = toolPathArg(path);
  return /^[A-Za-z0-9_.,+=\/:@%-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** A path given to a tool as one argument: a relative path starting with `-` gets `./` so it is never read as an option. */
export function toolPathArg(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

/**
 * Unique legal names in one scope, allocated in order of first request: the same source name
 * always gets the same result, and two names that legalise alike get `_1`, `_2`, ... suffixes.
 */
export class UniqueNames {
  private readonly used = new Set<string>();
  private readonly map = new Map<string, string>();
  constructor(
    private readonly legal: (name: string) => string,
    reserved: Iterable<string> = [],
  ) {
    for (const r of reserved) this.used.add(r);
  }
  declare(name: string): string {
    const existing = this.map.get(name);
    if (existing !== undefined) return existing;
    const base = this.legal(name);
    let s = base;
    for (let i = 1; this.used.has(s); i++) s = `${base}_${i}`;
    this.used.add(s);
    this.map.set(name, s);
    return s;
  }
  get(name: string): string | undefined {
    return this.map.get(name);
  }
}

/** A user's name (a model, network or target) as one file-name component of a default output folder. */
export function fileNameSegment(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.-]+/, '');
  return s || 'unnamed';
}
