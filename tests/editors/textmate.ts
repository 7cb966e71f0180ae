// A small TextMate tokenizer (match, begin/end, captures, includes) over JS regular
// expressions, enough to check the nacc grammar without native Oniguruma. The grammar only
// uses syntax both engines read alike (fixed-length lookbehind, lookahead, \b, classes).

interface RawRule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
  patterns?: RawRule[];
  include?: string;
}

export interface RawGrammar {
  scopeName: string;
  patterns: RawRule[];
  repository: Record<string, RawRule>;
}

interface Rule {
  name?: string;
  match?: RegExp;
  begin?: RegExp;
  end?: RegExp;
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
  patterns: Rule[];
}

/** Per-character scope lists for each line of a document. */
export type LineScopes = string[][];

export class Tokenizer {
  private readonly root: Rule[];

  constructor(readonly grammar: RawGrammar) {
    const cache = new Map<string, Rule[]>();
    const compileList = (rules: RawRule[]): Rule[] => rules.flatMap((r) => compile(r));
    const compile = (r: RawRule): Rule[] => {
      if (r.include) {
        if (!r.include.startsWith('#')) throw new Error(`unsupported include ${r.include}`);
        const key = r.include.slice(1);
        if (!cache.has(key)) {
          const target = grammar.repository[key];
          if (!target) throw new Error(`include of unknown repository rule ${key}`);
          const list: Rule[] = [];
          cache.set(key, list); // allow recursion
          list.push(...(target.match || target.begin ? compile({ ...target }) : compileList(target.patterns ?? [])));
        }
        return cache.get(key)!;
      }
      const re = (src: string) => new RegExp(src, 'dg');
      return [
        {
          name: r.name,
          match: r.match !== undefined ? re(r.match) : undefined,
          begin: r.begin !== undefined ? re(r.begin) : undefined,
          end: r.end !== undefined ? re(r.end) : undefined,
          captures: r.captures,
          beginCaptures: r.beginCaptures ?? r.captures,
          endCaptures: r.endCaptures ?? r.captures,
          patterns: compileList(r.patterns ?? []),
        },
      ];
    };
    this.root = compileList(grammar.patterns);
  }

  /** Scopes of every character of every line (the grammar's scopeName first). */
  tokenize(text: string): LineScopes[] {
    const stack: Rule[] = [];
    return text.split('\n').map((line) => this.tokenizeLine(line, stack));
  }

  private tokenizeLine(line: string, stack: Rule[]): LineScopes {
    const scopes: string[][] = Array.from({ length: line.length }, () => []);
    const ctxScopes = () => stack.map((r) => r.name).filter((n): n is string => !!n);
    const paint = (from: number, to: number, names: string[]) => {
      for (let i = from; i < to; i++) scopes[i] = [...names];
    };
    const paintCaptures = (m: RegExpExecArray, caps: Rule['captures'], base: string[]) => {
      if (!caps) return;
      const idx = m.indices!;
      for (const [k, v] of Object.entries(caps)) {
        const span = idx[Number(k)];
        if (span) for (let i = span[0]; i < span[1]; i++) scopes[i] = [...base, v.name];
      }
    };
    let pos = 0;
    let emptySteps = 0;
    while (pos <= line.length) {
      const top = stack[stack.length - 1];
      const candidates = top ? top.patterns : this.root;
      let best: { m: RegExpExecArray; rule?: Rule; kind: 'end' | 'match' | 'begin' } | undefined;
      const tryRe = (re: RegExp, rule: Rule | undefined, kind: 'end' | 'match' | 'begin') => {
        re.lastIndex = pos;
        const m = re.exec(line);
        if (m && (!best || m.index < best.m.index)) best = { m, rule, kind };
      };
      if (top?.end) tryRe(top.end, undefined, 'end'); // end wins ties, as in vscode-textmate
      for (const r of candidates) {
        if (r.match) tryRe(r.match, r, 'match');
        else if (r.begin) tryRe(r.begin, r, 'begin');
      }
      if (!best) {
        paint(pos, line.length, ctxScopes());
        break;
      }
      const { m, rule, kind } = best;
      const start = m.index;
      const end = start + m[0].length;
      paint(pos, start, ctxScopes());
      if (kind === 'end') {
        paint(start, end, ctxScopes());
        paintCaptures(m, top!.endCaptures, ctxScopes());
        stack.pop();
      } else if (kind === 'match') {
        const names = [...ctxScopes(), ...(rule!.name ? [rule!.name] : [])];
        paint(start, end, names);
        paintCaptures(m, rule!.captures, names);
      } else {
        stack.push(rule!);
        paint(start, end, ctxScopes());
        paintCaptures(m, rule!.beginCaptures, ctxScopes());
      }
      const advanced = end > pos;
      pos = end;
      if (!advanced) {
        // An empty match must not stall: step over a character, or stop at the line's end.
        if (kind === 'match' || pos >= line.length) pos++;
        if (++emptySteps > 1000) throw new Error(`grammar loops on empty matches at ${pos} in: ${line}`);
      }
    }
    return scopes.map((s) => [this.grammar.scopeName, ...s]);
  }
}
