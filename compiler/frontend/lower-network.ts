// Lowers `network` declarations (with user `block`s) into the network IR: evaluates
// expressions, checks every call against its schema, expands composites and blocks,
// repeats `* N` (stride on the first repeat only), names layers and infers shapes.
import type { Diagnostic, SourceFile } from '../diagnostics/index.ts';
import type { Attrs, Layer, Network, NetworkInput, TensorType } from '../ir/network.ts';
import { ShapeError, opDef } from '../ir/ops.ts';
import type { Declaration, Expr, Span, Statement } from './ast.ts';
import { ACTIVATIONS, BUILTINS, INPUT_TYPES, builtin, type BuiltArgs, type ParamSpec, type TensorValue } from './builtins.ts';
import { Codes } from './diagnostic-codes.ts';
import { closest } from './suggest.ts';
import { EvalError, arithmetic, describe, misplacedBound, quantity, type Value } from './values.ts';

type BlockDecl = Extract<Declaration, { kind: 'block' }>;
type NetworkDecl = Extract<Declaration, { kind: 'network' }>;
type Scope = Map<string, Value>;

const ERROR: Value = { t: 'error' };
const MAX_BLOCK_DEPTH = 32;

export function lowerNetwork(
  decl: NetworkDecl,
  blocks: Map<string, BlockDecl>,
  src: SourceFile,
  diagnostics: Diagnostic[],
  unread: (name: string) => boolean = () => false,
): Network | undefined {
  const l = new NetworkLowering(decl, blocks, src, diagnostics, unread);
  return l.run();
}

class NetworkLowering {
  private layers: Layer[] = [];
  private inputs: NetworkInput[] = [];
  private used = new Set<string>();
  private reserved = new Set<string>();
  private prefix: string[] = [];
  /** Binding name of the op currently being built, and whether it is composite. */
  private binding?: { name: string; composite: boolean; used: boolean };
  private callSpan: Span = { start: 0, end: 0 };
  private callee = '';
  private depth = 0;
  private errorCount = 0;
  /**
   * Set after a broken statement whose name is unknown: any name may be the one it bound, so
   * undefined names are no longer reported (they could be cascades of its syntax error).
   */
  private anyNamePoisoned = false;
  /** Set when a broken statement (here or in a called block) left a hole: nothing is lowered. */
  private incomplete = false;

  constructor(
    private decl: NetworkDecl,
    private blocks: Map<string, BlockDecl>,
    private src: SourceFile,
    private diagnostics: Diagnostic[],
    /** Whether a block by this name may be in text the parser could not read (ast.ts). */
    private unread: (name: string) => boolean,
  ) {}

  private error(code: string, message: string, span: Span): void {
    this.errorCount++;
    this.diagnostics.push({ severity: 'error', code, message, location: this.src.locationAt(span.start, span.end - span.start) });
  }

  run(): Network | undefined {
    const scope: Scope = new Map();
    const counts = bindingCounts(this.decl.body);
    for (const [name, n] of counts) if (n === 1) this.reserved.add(name);
    const seen = new Map<string, number>();
    const outputs: string[] = [];
    let sawOutput = false;
    for (const st of this.decl.body) {
      switch (st.kind) {
        case 'input':
          this.lowerInput(st, scope);
          break;
        case 'assign': {
          const k = (seen.get(st.name) ?? 0) + 1;
          seen.set(st.name, k);
          const layerName = counts.get(st.name)! > 1 ? `${st.name}_${k}` : st.name;
          scope.set(st.name, this.lowerAssignment(st.value, scope, layerName));
          break;
        }
        case 'output':
          sawOutput = true;
          for (const e of st.values) {
            const v = this.evaluate(e, scope, e.kind === 'call' ? undefined : undefined);
            if (v.t === 'tensor') outputs.push(v.ref);
            else if (v.t !== 'error') this.reportNotTensor(v, e, 'output');
          }
          break;
        case 'return':
          this.error(Codes.badInput, `'return' is only allowed inside a block; a network ends with 'output'`, st.span);
          break;
        case 'broken':
          this.poison(st, scope);
          break;
      }
    }
    // A network the parser recovered may have lost its output or inputs to the syntax error.
    if (!this.decl.broken) {
      if (!sawOutput) this.error(Codes.noOutput, `network '${this.decl.name}' has no 'output' statement`, this.decl.nameSpan);
      if (this.inputs.length === 0) this.error(Codes.badInput, `network '${this.decl.name}' declares no 'input'`, this.decl.nameSpan);
    }
    if (this.errorCount > 0 || this.decl.broken || this.incomplete) return undefined;
    return {
      name: this.decl.name,
      inputs: this.inputs,
      layers: this.layers,
      outputs: [...new Set(outputs)],
      source: 'nacc',
      location: this.src.locationAt(this.decl.nameSpan.start, this.decl.nameSpan.end - this.decl.nameSpan.start),
    };
  }

  // ---- names -------------------------------------------------------------------------

  private qualify(name: string): string {
    return [...this.prefix, name].join('.');
  }

  /** A unique layer name; `own` when the user bound exactly this name (it may use a reserved one). */
  private unique(base: string, own = false): string {
    if (!this.used.has(base) && (own || !this.reserved.has(base))) {
      this.used.add(base);
      return base;
    }
    for (let i = 2; ; i++) {
      const n = `${base}_${i}`;
      if (!this.used.has(n) && !this.reserved.has(n)) {
        this.used.add(n);
        return n;
      }
    }
  }

  // ---- statements --------------------------------------------------------------------

  /** A broken statement binds its names as poisoned: using them raises nothing more. */
  private poison(st: Extract<Statement, { kind: 'broken' }>, scope: Scope): void {
    this.incomplete = true;
    for (const name of st.names) scope.set(name, ERROR);
    // It may have re-bound any name: every one bound so far is now unknown too.
    if (st.anyName) {
      this.anyNamePoisoned = true;
      for (const name of scope.keys()) scope.set(name, ERROR);
    }
  }

  private undefinedName(name: string, span: Span): void {
    if (!this.anyNamePoisoned) this.error(Codes.undefinedName, `undefined name '${name}'`, span);
  }

  private lowerInput(st: Extract<Statement, { kind: 'input' }>, scope: Scope): void {
    if (scope.has(st.name)) {
      this.error(Codes.duplicateDefinition, `'${st.name}' is already defined in network '${this.decl.name}'`, st.nameSpan);
      return;
    }
    const spec = INPUT_TYPES[st.typeName];
    if (!spec) {
      const hint = closest(st.typeName, Object.keys(INPUT_TYPES));
      this.error(
        Codes.badInput,
        `unknown input type '${st.typeName}' (expected ${Object.keys(INPUT_TYPES).join(', ')})${hint ? `; did you mean '${hint}'?` : ''}`,
        st.typeSpan,
      );
      scope.set(st.name, ERROR);
      return;
    }
    const dims: number[] = [];
    for (const d of st.dims) {
      const v = this.evaluate(d, scope);
      if (v.t === 'number' && Number.isInteger(v.v) && v.v > 0) dims.push(v.v);
      else if (v.t !== 'error') this.error(Codes.badInput, `input dimensions must be positive integers, got ${describe(v)}`, d.span);
    }
    if (dims.length !== st.dims.length) {
      scope.set(st.name, ERROR);
      return;
    }
    if (!spec.rank.includes(dims.length)) {
      this.error(
        Codes.badInput,
        `${st.typeName} input needs ${spec.rank.join(' or ')} dimensions (${spec.kind === 'feature' ? 'H, W, C or C' : 'N, 3 + F'}), got ${dims.length}`,
        st.span,
      );
      scope.set(st.name, ERROR);
      return;
    }
    if ((spec.kind === 'points' || spec.kind === 'voxels') && dims[1] < 3) {
      this.error(Codes.badInput, `${st.typeName}[N, C] needs C >= 3 (3 coordinates, then features), got ${dims[1]}`, st.dims[1].span);
      scope.set(st.name, ERROR);
      return;
    }
    const type: TensorType = { kind: spec.kind === 'feature' && dims.length === 1 ? 'vector' : spec.kind, dtype: spec.dtype, shape: dims };
    if (spec.kind === 'voxels') type.estimated = true;
    const attrs: Attrs = {};
    for (const p of st.props) {
      const allowed = spec.kind === 'voxels' ? ['voxel_size'] : spec.kind === 'points' ? ['radius_scale'] : [];
      if (!allowed.includes(p.key)) {
        this.error(
          Codes.unknownArgument,
          `unknown input property '${p.key}'${allowed.length ? ` (expected ${allowed.join(', ')})` : ` (${st.typeName} inputs take none)`}`,
          p.keySpan,
        );
        continue;
      }
      if (p.bound) {
        const e = misplacedBound(p.key, p.bound.span);
        this.error(e.code, e.message, e.span);
        continue;
      }
      const v = this.evaluate(p.value, scope);
      if (v.t === 'number' && v.v > 0) attrs[p.key] = v.v;
      else if (v.t !== 'error') this.error(Codes.badArgument, `'${p.key}' must be a positive number, got ${describe(v)}`, p.value.span);
    }
    this.used.add(st.name);
    this.inputs.push({
      name: st.name,
      type,
      attrs: Object.keys(attrs).length ? attrs : undefined,
      location: this.src.locationAt(st.nameSpan.start, st.nameSpan.end - st.nameSpan.start),
    });
    scope.set(st.name, { t: 'tensor', ref: st.name, type });
  }

  /** `name = expr` or `name = call(...) * N`. */
  private lowerAssignment(e: Expr, scope: Scope, layerName: string): Value {
    if (e.kind === 'binary' && e.op === '*' && (e.left.kind === 'call' || (e.left.kind === 'binary' && e.left.op === '*'))) {
      const count = this.evaluate(e.right, scope);
      if (count.t === 'error') return ERROR;
      if (count.t !== 'number' || !Number.isInteger(count.v) || count.v < 1) {
        this.error(Codes.badRepeat, `a repeat count must be a positive integer, got ${describe(count)}`, e.right.span);
        return ERROR;
      }
      if (e.left.kind !== 'call') {
        this.error(Codes.badRepeat, `write one repeat per call: 'op(...) * N'`, e.span);
        return ERROR;
      }
      return this.repeat(e.left, count.v, scope, layerName);
    }
    if (e.kind === 'call') return this.call(e, scope, layerName);
    return this.evaluate(e, scope);
  }

  private repeat(call: Extract<Expr, { kind: 'call' }>, n: number, scope: Scope, layerName: string): Value {
    let prev: Value | undefined;
    for (let i = 1; i <= n; i++) {
      const v = this.call(call, scope, n > 1 ? `${layerName}[${i}]` : layerName, prev, i > 1);
      if (v.t === 'error') return v;
      if (v.t !== 'tensor') {
        this.error(Codes.badRepeat, `only calls that return a tensor can be repeated`, call.span);
        return ERROR;
      }
      prev = v;
    }
    return prev!;
  }

  // ---- expressions -------------------------------------------------------------------

  evaluate(e: Expr, scope: Scope, bindName?: string): Value {
    try {
      switch (e.kind) {
        case 'number':
          // `per WORD` sizes a declaration's per-PE storage; nothing in a network is per anything.
          if (e.per !== undefined) throw new EvalError(Codes.badArgument, `'per ${e.per}' has no meaning in a network`, e.span);
          return quantity(e);
        case 'string':
          return { t: 'string', v: e.value };
        case 'bool':
          return { t: 'bool', v: e.value };
        case 'name':
          return scope.get(e.name) ?? { t: 'symbol', name: e.name };
        case 'call':
          return this.call(e, scope, bindName);
        case 'list':
          return { t: 'list', items: e.items.map((x) => this.evaluate(x, scope)), spans: e.items.map((x) => x.span) };
        case 'neg': {
          const v = this.evaluate(e.operand, scope);
          if (v.t === 'number') return { ...v, v: -v.v };
          if (v.t !== 'error') this.error(Codes.badArgument, `cannot negate ${describe(v)}`, e.span);
          return ERROR;
        }
        case 'binary': {
          if (e.op === '*' && e.left.kind === 'call') {
            this.error(Codes.badRepeat, `a repeat 'op(...) * N' must be the whole right-hand side of an assignment`, e.span);
            return ERROR;
          }
          const a = this.evaluate(e.left, scope);
          const b = this.evaluate(e.right, scope);
          if (a.t === 'error' || b.t === 'error') return ERROR;
          if (a.t !== 'number' || b.t !== 'number') {
            this.error(Codes.badArgument, `'${e.op}' needs numbers, got ${describe(a)} and ${describe(b)}`, e.span);
            return ERROR;
          }
          if (e.op === '/' && b.v === 0) {
            this.error(Codes.badArgument, 'division by zero', e.span);
            return ERROR;
          }
          return arithmetic(e.op, a, b);
        }
        case 'range':
        case 'record':
          this.error(Codes.badArgument, `a ${e.kind} is not allowed inside a network`, e.span);
          return ERROR;
      }
    } catch (err) {
      if (err instanceof EvalError) {
        this.error(err.code, err.message, err.span);
        return ERROR;
      }
      throw err;
    }
  }

  private reportNotTensor(v: Value, e: Expr, what: string): void {
    if (v.t === 'symbol') this.undefinedName(v.name, e.span);
    else this.error(Codes.badArgument, `${what} must be a tensor, got ${describe(v)}`, e.span);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, scope: Scope, bindName?: string, chained?: Value, laterRepeat = false): Value {
    const op = builtin(e.callee);
    const block = this.blocks.get(e.callee);
    if (!op && !block) {
      if (this.unread(e.callee)) {
        this.incomplete = true;
        for (const a of e.args) this.evaluate(a.value, scope);
        return ERROR;
      }
      const hint = closest(e.callee, [...Object.keys(BUILTINS), ...this.blocks.keys()]);
      this.error(Codes.unknownOp, `unknown op '${e.callee}'${hint ? `; did you mean '${hint}'?` : ''}`, e.calleeSpan);
      for (const a of e.args) this.evaluate(a.value, scope);
      return ERROR;
    }
    // Evaluate arguments (nested calls are lowered here, before this op's own layers).
    const args = e.args.map((a, i) => {
      const value = i === 0 && chained && !a.name ? chained : this.evaluate(a.value, scope);
      return { name: a.name, nameSpan: a.nameSpan, value, span: a.value.span };
    });
    if (laterRepeat) {
      for (const a of args) if (a.name === 'stride') a.value = { t: 'number', v: 1, dim: 'none' };
    }
    // A poisoned argument (its error is reported already) does not stop the others being
    // checked, as in tsc: a builtin fails silently on it; a block's body sees it poisoned.
    if (block) return this.callBlock(block, e, args, bindName);
    return this.callBuiltin(e.callee, op!.params, e, args, bindName);
  }

  private bindArgs(
    callee: string,
    params: { name: string; positional: boolean; variadic: boolean; required: boolean }[],
    e: Extract<Expr, { kind: 'call' }>,
    args: { name?: string; nameSpan?: Span; value: Value; span: Span }[],
  ) {
    const bound = new Map<string, { value: Value; span: Span } | { value: Value; span: Span }[]>();
    let ok = true;
    const positional = params.filter((p) => p.positional);
    let pi = 0;
    for (const a of args) {
      if (a.name === undefined) {
        const p = positional[pi];
        if (!p) {
          this.error(
            Codes.tooManyArguments,
            `${callee} takes ${positional.length} positional argument${positional.length === 1 ? '' : 's'}; name the others (key: value)`,
            a.span,
          );
          ok = false;
          continue;
        }
        if (p.variadic) {
          const list = (bound.get(p.name) as { value: Value; span: Span }[] | undefined) ?? [];
          list.push({ value: a.value, span: a.span });
          bound.set(p.name, list);
        } else {
          bound.set(p.name, { value: a.value, span: a.span });
          pi++;
        }
        continue;
      }
      const p = params.find((q) => q.name === a.name);
      if (!p || p.variadic) {
        const names = params.filter((q) => !q.variadic).map((q) => q.name);
        const hint = closest(a.name, names);
        this.error(
          Codes.unknownArgument,
          `unknown argument '${a.name}' for ${callee} (expected ${names.join(', ')})${hint ? `; did you mean '${hint}'?` : ''}`,
          a.nameSpan ?? a.span,
        );
        ok = false;
        continue;
      }
      if (bound.has(p.name)) {
        this.error(Codes.duplicateArgument, `argument '${p.name}' given twice`, a.nameSpan ?? a.span);
        ok = false;
        continue;
      }
      bound.set(p.name, { value: a.value, span: a.span });
    }
    for (const p of params) {
      if (p.required && !bound.has(p.name)) {
        this.error(Codes.missingArgument, `${callee} needs argument '${p.name}'`, e.span);
        ok = false;
      }
    }
    return ok ? bound : undefined;
  }

  private callBuiltin(
    callee: string,
    specs: ParamSpec[],
    e: Extract<Expr, { kind: 'call' }>,
    args: { name?: string; nameSpan?: Span; value: Value; span: Span }[],
    bindName?: string,
  ): Value {
    const bound = this.bindArgs(
      callee,
      specs.map((s) => ({ name: s.name, positional: !!s.positional, variadic: s.type === 'tensors', required: !!s.required })),
      e,
      args,
    );
    if (!bound) return ERROR;
    const built: BuiltArgs = {};
    let ok = true;
    for (const s of specs) {
      const b = bound.get(s.name);
      if (b === undefined) {
        built[s.name] = s.default as BuiltArgs[string];
        continue;
      }
      const conv = this.convertArg(callee, s, b);
      if (conv === undefined) ok = false;
      else built[s.name] = conv;
    }
    if (!ok) return ERROR;
    const def = BUILTINS[callee];
    const savedBinding = this.binding;
    const savedSpan = this.callSpan;
    const savedCallee = this.callee;
    const composite = typeof def.composite === 'function' ? def.composite(built) : !!def.composite;
    this.binding = bindName ? { name: bindName, composite, used: false } : undefined;
    this.callSpan = e.span;
    this.callee = callee;
    try {
      return def.build({ emit: (op, inputs, attrs, local) => this.emit(op, inputs, attrs, local) }, built);
    } catch (err) {
      if (err instanceof ShapeError) {
        this.error(Codes.wrongShape, `${callee}: ${err.message}`, e.span);
        return ERROR;
      }
      throw err;
    } finally {
      this.binding = savedBinding;
      this.callSpan = savedSpan;
      this.callee = savedCallee;
    }
  }

  private convertArg(
    callee: string,
    s: ParamSpec,
    b: { value: Value; span: Span } | { value: Value; span: Span }[],
  ): BuiltArgs[string] | undefined {
    if (Array.isArray(b)) {
      const out: TensorValue[] = [];
      let ok = true;
      for (const x of b) {
        if (x.value.t === 'tensor') out.push(x.value);
        else {
          this.reportNotTensorValue(x.value, x.span, `${callee} input`);
          ok = false;
        }
      }
      return ok ? out : undefined;
    }
    const { value: v, span } = b;
    if (v.t === 'error') return undefined;
    const bad = (expected: string) => {
      if (v.t === 'symbol' && s.type !== 'act' && s.type !== 'pad') this.undefinedName(v.name, span);
      else this.error(Codes.badArgument, `${callee}: '${s.name}' must be ${expected}, got ${describe(v)}`, span);
      return undefined;
    };
    const posInt = (x: Value): number | undefined => (x.t === 'number' && Number.isInteger(x.v) && x.v > 0 ? x.v : undefined);
    switch (s.type) {
      case 'tensor':
        if (v.t === 'tensor') return v;
        this.reportNotTensorValue(v, span, `${callee}: '${s.name}'`);
        return undefined;
      case 'tensors':
        return undefined;
      case 'int':
        return posInt(v) ?? bad('a positive integer');
      case 'number':
        return v.t === 'number' ? v.v : bad('a number');
      case 'bool':
        return v.t === 'bool' ? v.v : bad('true or false');
      case 'act':
        if (v.t === 'symbol' && (ACTIVATIONS as readonly string[]).includes(v.name)) return v.name;
        return bad(`one of ${ACTIVATIONS.join(', ')}`);
      case 'pair': {
        const n = posInt(v);
        if (n !== undefined) return n;
        if (v.t === 'list' && v.items.length === 2) {
          const xs = v.items.map(posInt);
          if (xs.every((x) => x !== undefined)) return xs as number[];
        }
        return bad('a positive integer or a list of two');
      }
      case 'pad': {
        if (v.t === 'symbol' && (v.name === 'same' || v.name === 'valid')) return v.name;
        const nn = (x: Value) => (x.t === 'number' && Number.isInteger(x.v) && x.v >= 0 ? x.v : undefined);
        const n = nn(v);
        if (n !== undefined) return n;
        if (v.t === 'list' && (v.items.length === 2 || v.items.length === 4)) {
          const xs = v.items.map(nn);
          if (xs.every((x) => x !== undefined)) return xs as number[];
        }
        return bad('same, valid, n, [h, w] or [top, left, bottom, right]');
      }
      case 'ints': {
        if (v.t === 'list' && v.items.length > 0) {
          const xs = v.items.map((x) => (x.t === 'number' && Number.isInteger(x.v) ? x.v : undefined));
          if (xs.every((x) => x !== undefined) && (s.name === 'shape' || xs.every((x) => x! > 0))) return xs as number[];
        }
        const n = posInt(v);
        if (n !== undefined && s.name !== 'shape') return [n];
        return bad('a list of positive integers');
      }
    }
  }

  private reportNotTensorValue(v: Value, span: Span, what: string): void {
    if (v.t === 'symbol') this.undefinedName(v.name, span);
    else if (v.t !== 'error') this.error(Codes.badArgument, `${what} must be a tensor, got ${describe(v)}`, span);
  }

  private emit(op: string, inputs: TensorValue[], attrs: Attrs, local?: string): TensorValue {
    const def = opDef(op);
    if (!def) throw new Error(`internal: builtin emitted unknown primitive '${op}'`);
    const output = def.infer(
      inputs.map((i) => i.type),
      attrs,
    );
    let name: string;
    const b = this.binding;
    if (b && !b.composite && !b.used) {
      b.used = true;
      name = this.unique(this.qualify(b.name), true);
    } else if (b && b.composite) {
      name = this.unique(this.qualify(`${b.name}.${local ?? op}`));
    } else {
      name = this.unique(this.qualify(local ?? this.callee));
    }
    const layer: Layer = {
      name,
      op,
      inputs: inputs.map((i) => i.ref),
      attrs,
      output,
      origin: this.callee !== op ? this.callee : undefined,
      location: this.src.locationAt(this.callSpan.start, this.callSpan.end - this.callSpan.start),
    };
    if (!layer.origin) delete layer.origin;
    this.layers.push(layer);
    return { t: 'tensor', ref: name, type: output };
  }

  // ---- user blocks -------------------------------------------------------------------

  private callBlock(
    block: BlockDecl,
    e: Extract<Expr, { kind: 'call' }>,
    args: { name?: string; nameSpan?: Span; value: Value; span: Span }[],
    bindName?: string,
  ): Value {
    if (this.depth >= MAX_BLOCK_DEPTH) {
      this.error(Codes.badRepeat, `block '${block.name}' nests deeper than ${MAX_BLOCK_DEPTH} calls (is it recursive?)`, e.span);
      return ERROR;
    }
    // Its parameters could not be read, so neither can a call be checked against them.
    if (block.headerBroken) {
      this.incomplete = true;
      return ERROR;
    }
    const bound = this.bindArgs(`block ${block.name}`, blockParams(block), e, args);
    if (!bound) return ERROR;
    const scope: Scope = new Map();
    for (const p of block.params) {
      const b = bound.get(p.name) as { value: Value } | undefined;
      scope.set(p.name, b ? b.value : this.evaluate(p.default!, new Map()));
    }
    const savedPrefix = this.prefix;
    const savedBinding = this.binding;
    this.binding = undefined;
    this.prefix = [...this.prefix, bindName ?? block.name];
    // A caller that may have lost a binding passes its unknown names on: the body stays quiet too.
    const savedPoison = this.anyNamePoisoned;
    this.depth++;
    try {
      const counts = bindingCounts(block.body);
      const seen = new Map<string, number>();
      let result: Value | undefined;
      for (const st of block.body) {
        if (st.kind === 'assign') {
          const k = (seen.get(st.name) ?? 0) + 1;
          seen.set(st.name, k);
          scope.set(st.name, this.lowerAssignment(st.value, scope, counts.get(st.name)! > 1 ? `${st.name}_${k}` : st.name));
        } else if (st.kind === 'return') {
          result = this.evaluate(st.value, scope, undefined);
        } else if (st.kind === 'broken') {
          this.poison(st, scope);
          if (st.was === 'return') result = ERROR;
        }
      }
      if (!result && block.broken) return ERROR;
      if (!result) {
        this.error(Codes.noOutput, `block '${block.name}' has no 'return'`, block.nameSpan);
        return ERROR;
      }
      return result;
    } finally {
      this.anyNamePoisoned = savedPoison;
      this.depth--;
      this.prefix = savedPrefix;
      this.binding = savedBinding;
    }
  }
}

function blockParams(block: BlockDecl) {
  return block.params.map((p) => ({ name: p.name, positional: true, variadic: false, required: p.default === undefined }));
}

function bindingCounts(body: Statement[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const st of body) if (st.kind === 'assign') m.set(st.name, (m.get(st.name) ?? 0) + 1);
  return m;
}

/** Checks a block's own body once, independent of any call: statement kinds and parameters. */
export function checkBlock(block: BlockDecl, src: SourceFile, diagnostics: Diagnostic[]): void {
  const err = (code: string, message: string, span: Span) =>
    diagnostics.push({ severity: 'error', code, message, location: src.locationAt(span.start, span.end - span.start) });
  const names = new Set<string>();
  for (const p of block.params) {
    if (names.has(p.name)) err(Codes.duplicateDefinition, `parameter '${p.name}' is declared twice`, p.span);
    names.add(p.name);
  }
  let returns = 0;
  for (const st of block.body) {
    if (st.kind === 'input' || st.kind === 'output')
      err(Codes.badInput, `'${st.kind}' is not allowed inside a block; blocks take parameters and 'return' a value`, st.span);
    if (st.kind === 'return' || (st.kind === 'broken' && st.was === 'return')) returns++;
  }
  if (returns === 0 && !block.broken) err(Codes.noOutput, `block '${block.name}' has no 'return'`, block.nameSpan);
  if (returns > 1) err(Codes.duplicateDefinition, `block '${block.name}' has more than one 'return'`, block.nameSpan);
  if (builtin(block.name))
    err(Codes.duplicateDefinition, `block '${block.name}' redefines the built-in op '${block.name}'`, block.nameSpan);
}
