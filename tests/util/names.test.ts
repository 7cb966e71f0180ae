// Properties of the per-language sanitisers (compiler/util/names.ts) on arbitrary strings,
// including the hostile pieces the end-to-end fuzz (tests/cli/hostile-names.test.ts) uses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  UniqueNames,
  cComment,
  cIdentifier,
  cStringLiteral,
  isVerilogKeyword,
  makeComment,
  makeWord,
  shellWord,
  toolPathArg,
  verilogComment,
  verilogIdentifier,
} from '../../compiler/util/names.ts';

const SEED = 1402; // fast-check seed: issue 14, item 2
const RUNS = { seed: SEED, numRuns: 2000 };
const HOSTILE = [
  '*/',
  '/*',
  '//',
  '"',
  "'",
  '\\',
  '\n',
  '\r',
  '??/',
  '$(shell id)',
  '`id`',
  '#include <x.h>',
  'module',
  'endmodule',
  'wire',
  '0',
  '-',
  '\u202e',
  '\u200b',
  '\u2028',
  '\u00e9',
  '\u{1f600}',
  '\0',
  '*',
  '/',
];
/** Strings mixing the hostile pieces with arbitrary (full Unicode) text. */
const text = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { maxLength: 8 })
  .map((xs) => xs.join(''));

const printableAscii = /^[ -~]*$/;

describe('C comments (and linker script comments)', () => {
  it('are one line of printable ASCII that cannot close, open or continue a comment', () => {
    fc.assert(
      fc.property(text, (s) => {
        const c = cComment(s);
        expect(c).toMatch(printableAscii);
        expect(c).not.toMatch(/\*\/|\/\*|\\|\?\?/);
        // nothing at either end can pair with the delimiters written around it
        expect(c).not.toMatch(/^[/*]|[/*]$/);
      }),
      RUNS,
    );
  });
  it('keep ordinary names readable', () => {
    expect(cComment('model/conv1/Relu:0')).toBe('model/conv1/Relu:0');
    expect(cComment('g */ x')).toBe('g *<U+002F> x');
    expect(cComment('a\nb\u202e')).toBe('a<U+000A>b<U+202E>');
  });
});

describe('C string literals', () => {
  it('are quoted printable ASCII with octal escapes, no trigraph and no splice', () => {
    fc.assert(
      fc.property(text, (s) => {
        const lit = cStringLiteral(s);
        expect(lit).toMatch(/^"([ !#->@-[\]-~]|\\[0-7]{3})*"$/);
        // decoding the escapes gives back the UTF-8 bytes
        const bytes = [...lit.slice(1, -1).matchAll(/\\([0-7]{3})|(.)/gs)].map((m) => (m[1] ? parseInt(m[1], 8) : m[2].charCodeAt(0)));
        expect(Buffer.from(bytes).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('identifiers', () => {
  it('C: legal, not a keyword, not reserved to the implementation', () => {
    fc.assert(
      fc.property(text, (s) => {
        const id = cIdentifier(s);
        expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/);
        expect(id).not.toMatch(/^_[A-Z_]/);
        expect(['int', 'main', 'return', 'static', 'void']).not.toContain(id);
      }),
      RUNS,
    );
  });
  it('Verilog: legal simple identifiers, never keywords, hyphens become underscores', () => {
    fc.assert(
      fc.property(text, (s) => {
        const id = verilogIdentifier(s);
        expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/);
        expect(isVerilogKeyword(id)).toBe(false);
      }),
      RUNS,
    );
    expect(verilogIdentifier('nacc_wire-x')).toBe('nacc_wire_x');
    expect(verilogIdentifier('module')).toBe('module_');
    expect(verilogIdentifier('3d')).toBe('n_3d');
  });
  it('stay unique in a scope, deterministically, also when long names are cut', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), (names) => {
        const a = new UniqueNames(verilogIdentifier);
        const b = new UniqueNames(verilogIdentifier);
        const out = names.map((n) => a.declare(n));
        expect(names.map((n) => b.declare(n))).toEqual(out);
        expect(new Set(out).size).toBe(new Set(names).size);
      }),
      RUNS,
    );
    const long = 'x'.repeat(100);
    expect(verilogIdentifier(`${long}a`)).not.toBe(verilogIdentifier(`${long}b`));
  });
});

describe('Verilog comments, Make comments, Make words, shell words, tool arguments', () => {
  it('Verilog // comments: one printable ASCII line, never a tool metacomment', () => {
    fc.assert(
      fc.property(text, (s) => {
        const c = verilogComment(s);
        expect(c).toMatch(printableAscii);
        expect(c).not.toMatch(/^\s*(verilator|synopsys|synthesis|pragma)/i);
      }),
      RUNS,
    );
    expect(verilogComment('verilator lint_off WIDTH')).toBe('- verilator lint_off WIDTH');
  });
  it('Make # comments: one printable ASCII line without a backslash', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(makeComment(s)).toMatch(/^[ -[\]-~]*$/);
      }),
      RUNS,
    );
  });
  it('Make words: only what the generator writes; user text is refused', () => {
    expect(makeWord('-mcpu=cortex-m4')).toBe('-mcpu=cortex-m4');
    expect(() => makeWord('$(shell id)')).toThrow(/internal/);
    expect(() => makeWord('a b')).toThrow(/internal/);
  });
  it('shell words: what a POSIX shell reads back is the path itself', () => {
    expect(shellWord('mcu-out/kws')).toBe('mcu-out/kws');
    expect(shellWord("it's $(id)")).toBe(`'it'\\''s $(id)'`);
    expect(shellWord('-rf')).toBe('./-rf');
    expect(toolPathArg('-o.v')).toBe('./-o.v');
    expect(toolPathArg('rtl/top.v')).toBe('rtl/top.v');
  });
});
