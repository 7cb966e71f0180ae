// CST parser for .nacc (chevrotain, LL(k) with error recovery). The grammar, informally:
//
//   file      := (network | block | config)*
//   network   := 'network' ID '{' stmt* '}'
//   block     := 'block' ID '(' (param (',' param)*)? ')' '{' stmt* '}'      param := ID (':' expr)?
//   config    := ('accelerator'|'space'|'mcu'|'pointacc'|'federated'|'supernet') ID '{' (property ','?)* '}'
//   property  := ID ':' '<='? expr    (an upper bound: only a space's `area` takes one, lowering says)
//   stmt      := 'input' ID ':' ID '[' expr (',' expr)* ']' property*
//              | 'output' expr (',' expr)* | 'return' expr | ID '=' expr
//   expr      := sum ('..' sum ('step' sum)?)?
//   sum       := product (('+'|'-') product)*          product := unary (('*'|'/') unary)*
//   unary     := '-' unary | primary
//   primary   := NUMBER unit? ('per' ID)? | STRING | 'true' | 'false' | ID ('(' args? ')')?
//              | '[' (expr (',' expr)*)? ']' | '{' (property ','?)* '}' | '(' expr ')'
//   unit      := ID ('/' ID)?    (only names in UNITS)      args := (ID ':')? expr (',' ...)*
//
// `call(...) * N` at the top of an assignment is a repeat; elsewhere `*` multiplies.
import { CstParser, EOF, type CstNode, type IToken, type TokenType } from 'chevrotain';
import * as T from './lexer.ts';

const isName = (t: IToken) => t.tokenType === T.Identifier || T.KEYWORD_TOKENS.includes(t.tokenType);
/** A word right after a number on its line, other than `per`/`step`: a unit (checked against UNITS when lowered). */
const isUnitPosition = (t: IToken, prev: IToken) =>
  t.tokenType === T.Identifier && !T.CONTEXT_WORDS.includes(t.image) && t.startLine === prev.endLine;

export class NaccParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  // Recovery keeps to lines: statements and properties are written one per line, so a repair
  // that would pull the next line into this one (`key` + inserted ':' + the next line's key as
  // its value, or deleting the next line's first token) is refused, and the parser re-syncs at
  // the next statement instead. A missing closer (`)`, `]`, `}`) may still be supplied at a line end.
  private startsNewLine(): boolean {
    const prev = this.LA(0);
    const next = this.LA(1);
    return next.tokenType !== EOF && prev.endLine !== undefined && next.startLine !== undefined && next.startLine > prev.endLine;
  }

  override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return !((tokType === T.Colon || tokType === T.Equals) && this.startsNewLine());
  }

  override canTokenTypeBeDeletedInRecovery(): boolean {
    return !this.startsNewLine();
  }

  file = this.RULE('file', () => {
    this.MANY({
      GATE: this.startsDeclaration,
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.networkDecl) },
          { ALT: () => this.SUBRULE(this.blockDecl) },
          { ALT: () => this.SUBRULE(this.configDecl) },
        ]);
      },
    });
  });

  /**
   * `KEYWORD NAME {` (`block NAME (`): after an error the parser skips to the next place this
   * holds, so a key (`network: x`) or a word in a lost comment (`--network x`) is not taken
   * for a declaration.
   */
  private startsDeclaration = () =>
    this.LA(2).tokenType === T.Identifier &&
    (this.LA(3).tokenType === T.LBrace || (this.LA(1).tokenType === T.Block && this.LA(3).tokenType === T.LParen));

  networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.expression);
    });
  });

  configDecl = this.RULE('configDecl', () => {
    this.OR(T.CONFIG_KEYWORDS.map((tok) => ({ ALT: () => this.CONSUME(tok) })));
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY({
      GATE: this.startsProperty,
      DEF: () => {
        this.SUBRULE(this.property);
        this.OPTION(() => this.CONSUME(T.Comma));
      },
    });
    this.CONSUME(T.RBrace);
  });

  /**
   * A keyword is a key only when `:` follows, so after a missing `}` the next declaration
   * (`network x {`) is read as one, not swallowed as properties of this one.
   */
  private startsProperty = () => this.LA(1).tokenType === T.Identifier || this.LA(2).tokenType === T.Colon;

  /** Keys may be keywords too (`network: digits_mlp` inside a federated job). */
  propName = this.RULE('propName', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, ...T.KEYWORD_TOKENS.map((tok) => ({ ALT: () => this.CONSUME(tok) }))]);
  });

  property = this.RULE('property', () => {
    this.SUBRULE(this.propName);
    this.CONSUME(T.Colon);
    this.OPTION(() => this.CONSUME(T.LessEqual, { LABEL: 'bound' }));
    this.SUBRULE(this.expression);
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]);
  });

  inputStmt = this.RULE('inputStmt', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier, { LABEL: 'type' });
    this.CONSUME(T.LBracket);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RBracket);
    this.MANY({
      GATE: () => isName(this.LA(1)) && this.LA(2).tokenType === T.Colon,
      DEF: () => this.SUBRULE(this.property),
    });
  });

  outputStmt = this.RULE('outputStmt', () => {
    this.CONSUME(T.Output);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expression);
  });

  assignStmt = this.RULE('assignStmt', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.sum, { LABEL: 'from' });
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE2(this.sum, { LABEL: 'to' });
      this.OPTION2({
        GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === 'step',
        DEF: () => {
          this.CONSUME(T.Identifier, { LABEL: 'stepWord' });
          this.SUBRULE3(this.sum, { LABEL: 'step' });
        },
      });
    });
  });

  sum = this.RULE('sum', () => {
    this.SUBRULE(this.product);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.product);
    });
  });

  product = this.RULE('product', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.quantity) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.callOrName) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.record) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });

  quantity = this.RULE('quantity', () => {
    this.CONSUME(T.NumberLiteral);
    this.OPTION({
      // A unit is on its number's line (`workers: 5` then a line `s...` is not 5 seconds). Any word
      // there is read as one, so a misspelt unit (`64 KBB`) is one error naming it, not a syntax error.
      GATE: () =>
        isUnitPosition(this.LA(1), this.LA(0)) &&
        this.LA(2).tokenType !== T.Colon &&
        this.LA(2).tokenType !== T.Equals &&
        this.LA(2).tokenType !== T.LParen,
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: 'unit' });
        this.OPTION2({
          GATE: () => this.LA(1).tokenType === T.Slash && isUnitPosition(this.LA(2), this.LA(1)),
          DEF: () => {
            this.CONSUME(T.Slash);
            this.CONSUME2(T.Identifier, { LABEL: 'perUnit' });
          },
        });
      },
    });
    this.OPTION3({
      GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === 'per' && this.LA(2).tokenType === T.Identifier,
      DEF: () => {
        this.CONSUME3(T.Identifier, { LABEL: 'perWord' });
        this.CONSUME4(T.Identifier, { LABEL: 'per' });
      },
    });
  });

  callOrName = this.RULE('callOrName', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
      this.CONSUME(T.RParen);
    });
  });

  argument = this.RULE('argument', () => {
    this.OPTION({
      GATE: () => isName(this.LA(1)) && this.LA(2).tokenType === T.Colon,
      DEF: () => {
        this.SUBRULE(this.propName, { LABEL: 'name' });
        this.CONSUME(T.Colon);
      },
    });
    this.SUBRULE(this.expression);
  });

  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RBracket);
  });

  record = this.RULE('record', () => {
    this.CONSUME(T.LBrace);
    this.MANY({
      GATE: this.startsProperty,
      DEF: () => {
        this.SUBRULE(this.property);
        this.OPTION(() => this.CONSUME(T.Comma));
      },
    });
    this.CONSUME(T.RBrace);
  });
}

export const naccParser = new NaccParser();

export type { CstNode };
