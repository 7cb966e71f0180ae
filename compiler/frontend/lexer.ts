// Lexer for .nacc. The token list here is the one source the editor grammar is generated
// from and tested against (editors/vscode), so keywords and units are exported as data.
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });

/** Identifiers may hold inner hyphens (`cortex-m4`); write `a - b` with spaces to subtract. */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/ });

const keyword = (word: string) =>
  createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Identifier });

export const Network = keyword('network');
export const Block = keyword('block');
export const Return = keyword('return');
export const Input = keyword('input');
export const Output = keyword('output');
export const Accelerator = keyword('accelerator');
export const Space = keyword('space');
export const Mcu = keyword('mcu');
export const Pointacc = keyword('pointacc');
export const Federated = keyword('federated');
export const Supernet = keyword('supernet');
export const True = keyword('true');
export const False = keyword('false');

/** Declaration keywords that open a `NAME { key: value ... }` configuration block. */
export const CONFIG_KEYWORDS = [Accelerator, Space, Mcu, Pointacc, Federated, Supernet];
export const KEYWORD_TOKENS = [Network, Block, Return, Input, Output, ...CONFIG_KEYWORDS, True, False];
export const KEYWORDS = KEYWORD_TOKENS.map((t) => (t.PATTERN as RegExp).source.replace('\\b', ''));

export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\n]|\\.)*"/ });

export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const LBrace = createToken({ name: 'LBrace', pattern: /{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /}/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
/** An upper bound on a property's value (`area: <= 1.5 mm2`). */
export const LessEqual = createToken({ name: 'LessEqual', pattern: /<=/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  BlockComment,
  LineComment,
  ...KEYWORD_TOKENS,
  Identifier,
  NumberLiteral,
  StringLiteral,
  DotDot,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Equals,
  // Before any token that could match '<' alone (none today).
  LessEqual,
  Star,
  Slash,
  Plus,
  Minus,
];

/**
 * Units written after a number, and their value in the base unit of their dimension
 * (bytes, milliseconds, MHz, Mbit/s). `B/cycle` and `Mbit/s` are written as unit `/` unit.
 */
export const UNITS: Record<
  string,
  { dimension: 'bytes' | 'bits' | 'time' | 'frequency' | 'bandwidth' | 'per-cycle' | 'area'; scale: number }
> = {
  B: { dimension: 'bytes', scale: 1 },
  KB: { dimension: 'bytes', scale: 1024 },
  MB: { dimension: 'bytes', scale: 1024 * 1024 },
  GB: { dimension: 'bytes', scale: 1024 * 1024 * 1024 },
  bit: { dimension: 'bits', scale: 1 },
  bits: { dimension: 'bits', scale: 1 },
  s: { dimension: 'time', scale: 1000 },
  ms: { dimension: 'time', scale: 1 },
  us: { dimension: 'time', scale: 1e-3 },
  ns: { dimension: 'time', scale: 1e-6 },
  Hz: { dimension: 'frequency', scale: 1e-6 },
  kHz: { dimension: 'frequency', scale: 1e-3 },
  MHz: { dimension: 'frequency', scale: 1 },
  GHz: { dimension: 'frequency', scale: 1000 },
  kbit: { dimension: 'bits', scale: 1e3 },
  Mbit: { dimension: 'bits', scale: 1e6 },
  Gbit: { dimension: 'bits', scale: 1e9 },
  cycle: { dimension: 'per-cycle', scale: 1 },
  // Silicon area, in mm² (a space's `area:` bound).
  um2: { dimension: 'area', scale: 1e-6 },
  mm2: { dimension: 'area', scale: 1 },
};

/** Words with a meaning after a value: `520 B per pe`, `2..32 step 2`. */
export const CONTEXT_WORDS = ['per', 'step'];

export const naccLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });
