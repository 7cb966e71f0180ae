// Lowers the key: value declarations (accelerator, space, mcu, pointacc, federated, supernet) into
// their typed IR (compiler/ir/targets.ts). Every key is checked against the kind's schema;
// units are converted to the IR's base units (bytes, ms, MHz, Mbit/s, B/cycle).
import type { Diagnostic, SourceFile } from '../diagnostics/index.ts';
import { DATA_GENERATORS } from '../ir/targets.ts';
import type {
  AcceleratorSpec,
  DataSpec,
  DesignSpace,
  FederatedJob,
  FlAlgorithm,
  IntRange,
  McuCore,
  McuTarget,
  Partition,
  PointAccConfig,
  Dataflow,
} from '../ir/targets.ts';
import type { SupernetSpec, SupernetStage } from '../ir/supernet.ts';
import type { ConfigKind, Declaration, Expr, Property, Span } from './ast.ts';
import { Codes } from './diagnostic-codes.ts';
import { closest } from './suggest.ts';
import { EvalError, arithmetic, misplacedBound, quantity, type Dimension, type Value } from './values.ts';

type ConfigDecl = Extract<Declaration, { kind: 'config' }>;

/** Raised inside a converter; becomes one diagnostic at the offending span. */
class ConfigError extends Error {
  constructor(
    message: string,
    readonly span: Span,
    readonly code: string = Codes.badProperty,
  ) {
    super(message);
  }
}

// ---- constant evaluation ---------------------------------------------------------------

function evalConst(e: Expr): Value {
  switch (e.kind) {
    case 'number':
      return quantity(e);
    case 'string':
      return { t: 'string', v: e.value };
    case 'bool':
      return { t: 'bool', v: e.value };
    case 'name':
      return { t: 'symbol', name: e.name };
    case 'list':
      return { t: 'list', items: e.items.map(evalConst), spans: e.items.map((x) => x.span) };
    case 'record':
      return {
        t: 'record',
        props: new Map(
          e.props.map((p) => {
            if (p.bound) throw misplacedBound(p.key, p.bound.span);
            return [p.key, { value: evalConst(p.value), span: p.value.span, keySpan: p.keySpan }];
          }),
        ),
      };
    case 'call':
      return { t: 'call', callee: e.callee, args: e.args.map((a) => ({ name: a.name, value: evalConst(a.value), span: a.value.span })) };
    case 'range':
      return { t: 'range', min: evalConst(e.from), max: evalConst(e.to), step: e.step ? evalConst(e.step) : undefined };
    case 'neg': {
      const v = evalConst(e.operand);
      if (v.t !== 'number') throw new ConfigError('cannot negate a non-number', e.span);
      return { ...v, v: -v.v };
    }
    case 'binary': {
      const a = evalConst(e.left);
      const b = evalConst(e.right);
      if (a.t !== 'number' || b.t !== 'number') throw new ConfigError(`'${e.op}' needs numbers`, e.span);
      if (e.op === '/' && b.v === 0) throw new ConfigError('division by zero', e.span);
      return arithmetic(e.op, a, b);
    }
  }
}

const DIM_UNITS: Record<Dimension, string> = {
  none: 'a plain number',
  bytes: 'a size (B, KB, MB)',
  bits: 'a width (bit)',
  time: 'a time (s, ms, us)',
  frequency: 'a frequency (MHz)',
  bandwidth: 'a bandwidth (Mbit/s)',
  'bytes-per-cycle': 'a bandwidth (B/cycle)',
  area: 'an area (mm2, um2)',
};

/** What may follow a value as `per WORD`: only a size per PE (`520 B per pe`), where the key says so. */
const PER_WORDS = ['pe'];

/** The unit a bare number of each dimension most likely meant (the suggestion of the error). */
const BASE_UNIT: Record<Exclude<Dimension, 'none'>, string> = {
  bytes: 'B',
  bits: 'bit',
  time: 'ms',
  frequency: 'MHz',
  bandwidth: 'Mbit/s',
  'bytes-per-cycle': 'B/cycle',
  area: 'mm2',
};

/**
 * A number of `dim`. Every quantity with a dimension needs its unit (`64 B`, `8 bit`, `100 MHz`,
 * `16 B/cycle`): a bare number is an error suggesting the dimension's base unit, as a bare number
 * has no documented meaning for any of them. Plain counts (`dim` none) take no unit.
 */
function num(
  v: Value,
  span: Span,
  dim: Dimension,
  opts: { int?: boolean; min?: number; max?: number; above?: number; below?: number; per?: 'pe' } = {},
): number {
  if (v.t !== 'number') throw new ConfigError(`expected ${DIM_UNITS[dim]}`, span);
  if (dim !== 'none' && v.dim === 'none') {
    const written = `${v.v} ${BASE_UNIT[dim]}${opts.per ? ` per ${opts.per}` : ''}`;
    throw new ConfigError(
      `expected ${DIM_UNITS[dim]}${opts.per ? ` per ${opts.per}` : ''}, got a number without a unit; did you mean '${written}'?`,
      span,
    );
  }
  if (v.per !== undefined && !PER_WORDS.includes(v.per)) {
    const hint = closest(v.per, PER_WORDS);
    throw new ConfigError(
      `unknown 'per ${v.per}'${hint ? `; did you mean 'per ${hint}'?` : ''}${opts.per ? ` (this value is per ${opts.per}: write 'per ${opts.per}')` : ` (this value takes no 'per')`}`,
      span,
    );
  }
  if (v.per !== undefined && opts.per === undefined)
    throw new ConfigError(`'per ${v.per}' does not apply here: this value is not per ${v.per}`, span);
  if (opts.per !== undefined && v.per === undefined)
    throw new ConfigError(`expected ${DIM_UNITS[dim]} per ${opts.per}, e.g. '64 B per ${opts.per}'`, span);
  if (v.dim !== dim) throw new ConfigError(`expected ${DIM_UNITS[dim]}, got ${DIM_UNITS[v.dim]}`, span);
  if (opts.int && !Number.isInteger(v.v)) throw new ConfigError(`expected a whole number, got ${v.v}`, span);
  if (opts.min !== undefined && v.v < opts.min) throw new ConfigError(`must be at least ${opts.min}, got ${v.v}`, span);
  if (opts.max !== undefined && v.v > opts.max) throw new ConfigError(`must be at most ${opts.max}, got ${v.v}`, span);
  if (opts.above !== undefined && v.v <= opts.above) throw new ConfigError(`must be greater than ${opts.above}, got ${v.v}`, span);
  if (opts.below !== undefined && v.v >= opts.below) throw new ConfigError(`must be less than ${opts.below}, got ${v.v}`, span);
  return v.v;
}

/** An integer range `a..b step s` (or one value) of `dim`, each end at least `least` (default 0). */
function range(v: Value, span: Span, dim: Dimension, least = 0): IntRange {
  if (v.t === 'number') {
    const x = num(v, span, dim, { int: true, min: least });
    return { min: x, max: x, step: 1 };
  }
  if (v.t !== 'range') throw new ConfigError(`expected a range 'a..b step s' of ${DIM_UNITS[dim]}`, span);
  const min = num(v.min, span, dim, { int: true, min: least });
  const max = num(v.max, span, dim, { int: true, min: least });
  const step = v.step ? num(v.step, span, dim, { int: true, min: 1 }) : 1;
  if (max < min) throw new ConfigError(`empty range: ${min}..${max}`, span);
  return { min, max, step };
}

function symbol(v: Value, span: Span, allowed: readonly string[]): string {
  const s = v.t === 'symbol' ? v.name : v.t === 'string' ? v.v : undefined;
  if (s === undefined || !allowed.includes(s)) {
    const hint = s ? closest(s, allowed) : undefined;
    throw new ConfigError(`expected one of ${allowed.join(', ')}${hint ? `; did you mean '${hint}'?` : ''}`, span);
  }
  return s;
}

function nameList(v: Value, span: Span): string[] {
  if (v.t !== 'list') throw new ConfigError('expected a list of names', span);
  return v.items.map((x) => {
    if (x.t !== 'symbol') throw new ConfigError('expected a list of names', span);
    return x.name;
  });
}

// ---- schemas -------------------------------------------------------------------------

interface Field<T> {
  required?: boolean;
  /** The value is an upper bound and may be written `key: <= value` (or `key: value`). */
  bound?: true;
  apply(target: T, v: Value, span: Span): void;
}

type Schema<T> = Record<string, Field<T>>;

const DATAFLOWS: readonly Dataflow[] = ['row_stationary', 'output_stationary', 'weight_stationary', 'input_stationary'];
const LOOP_DIMS = ['N', 'K', 'C', 'P', 'Q', 'R', 'S'];

const acceleratorSchema: Schema<AcceleratorSpec> = {
  pe_array: {
    required: true,
    apply(t, v, s) {
      if (v.t !== 'list' || v.items.length < 1 || v.items.length > 3) throw new ConfigError('pe_array must be a list of 1 to 3 sizes', s);
      t.peArray = v.items.map((x, i) => num(x, v.spans[i], 'none', { int: true, min: 1 }));
    },
  },
  dataflow: { apply: (t, v, s) => void (t.dataflow = symbol(v, s, DATAFLOWS) as Dataflow) },
  parallel: {
    apply(t, v, s) {
      const dims = nameList(v, s).map((d) => d.toUpperCase());
      for (const d of dims)
        if (!LOOP_DIMS.includes(d)) throw new ConfigError(`unknown loop dimension '${d}' (expected ${LOOP_DIMS.join(', ')})`, s);
      t.parallel = dims;
    },
  },
  register_file: { required: true, apply: (t, v, s) => void (t.registerFileBytesPerPe = num(v, s, 'bytes', { min: 0, per: 'pe' })) },
  global_buffer: { required: true, apply: (t, v, s) => void (t.globalBufferBytes = num(v, s, 'bytes', { min: 1 })) },
  dram_bandwidth: {
    required: true,
    apply: (t, v, s) => void (t.dramBandwidthBytesPerCycle = num(v, s, 'bytes-per-cycle', { min: 0.001 })),
  },
  word: { required: true, apply: (t, v, s) => void (t.wordBits = num(v, s, 'bits', { int: true, min: 1 })) },
  clock: { apply: (t, v, s) => void (t.clockMHz = num(v, s, 'frequency', { min: 0.001 })) },
};

/** Loop dimensions a loop order may list (G: groups of a grouped or depthwise layer). */
const ORDER_DIMS = ['N', 'G', 'K', 'C', 'P', 'Q', 'R', 'S'];

const spaceSchema: Schema<DesignSpace> = {
  resources: { apply: (t, v, s) => void (t.resources = symbol(v, s, v.t === 'symbol' ? [v.name] : [])) },
  array_dims: {
    apply(t, v, s) {
      const r = range(v, s, 'none');
      if (r.min < 1 || r.max > 3) throw new ConfigError('array_dims must lie within 1..3', s);
      t.arrayDims = r;
    },
  },
  pe_count: { apply: (t, v, s) => void (t.peCount = range(v, s, 'none', 1)) },
  array_size: { apply: (t, v, s) => void (t.arraySize = range(v, s, 'none', 1)) },
  parallel: {
    apply: (t, v, s) => void (t.parallel = v.t === 'symbol' && v.name === 'search' ? 'search' : nameList(v, s).map((d) => d.toUpperCase())),
  },
  register_file: { apply: (t, v, s) => void (t.registerFileBytes = range(v, s, 'bytes')) },
  global_buffer: { apply: (t, v, s) => void (t.globalBufferBytes = range(v, s, 'bytes', 1)) },
  dram_bandwidth: { apply: (t, v, s) => void (t.dramBandwidthBytesPerCycle = range(v, s, 'bytes-per-cycle')) },
  loop_order: {
    apply(t, v, s) {
      if (v.t === 'symbol' && v.name === 'search') {
        t.loopOrder = 'search';
        return;
      }
      const dims = nameList(v, s).map((d) => d.toUpperCase());
      const bad = dims.find((d) => !ORDER_DIMS.includes(d));
      if (bad) throw new ConfigError(`'${bad}' is not a loop dimension (${ORDER_DIMS.join(', ')})`, s);
      if (new Set(dims).size !== dims.length) throw new ConfigError('a dimension is listed twice', s);
      t.loopOrder = dims;
    },
  },
  tiling: { apply: (t, v, s) => void (t.tiling = symbol(v, s, ['search']) as 'search') },
  dataflow: { apply: (t, v, s) => void (t.dataflow = symbol(v, s, DATAFLOWS) as Dataflow) },
  pe_array: {
    apply(t, v, s) {
      if (v.t !== 'list' || v.items.length < 1 || v.items.length > 3) throw new ConfigError('pe_array must be a list of 1 to 3 ranges', s);
      t.peArray = v.items.map((x, i) => range(x, v.spans[i], 'none', 1));
    },
  },
  objective: { apply: (t, v, s) => void (t.objective = symbol(v, s, ['edp', 'energy', 'latency', 'edap']) as DesignSpace['objective']) },
  // An upper bound on a design's area (compiler/naas/area.ts): `area: <= 1.5 mm2` (or `area: 1.5 mm2`).
  area: { bound: true, apply: (t, v, s) => void (t.maxAreaMm2 = num(v, s, 'area', { min: 1e-9 })) },
};

const MCU_CORES: readonly McuCore[] = ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'];

const mcuSchema: Schema<McuTarget> = {
  core: { required: true, apply: (t, v, s) => void (t.core = symbol(v, s, MCU_CORES) as McuCore) },
  sram: { required: true, apply: (t, v, s) => void (t.sramBytes = num(v, s, 'bytes', { min: 1 })) },
  flash: { required: true, apply: (t, v, s) => void (t.flashBytes = num(v, s, 'bytes', { min: 1 })) },
  clock: { apply: (t, v, s) => void (t.clockMHz = num(v, s, 'frequency', { min: 0.001 })) },
};

function record(v: Value, span: Span, schema: Record<string, (x: Value, s: Span) => void>): void {
  if (v.t !== 'record') throw new ConfigError(`expected { ${Object.keys(schema).join(', ')} }`, span);
  for (const [k, p] of v.props) {
    const f = schema[k];
    if (!f) throw new ConfigError(`unknown key '${k}' (expected ${Object.keys(schema).join(', ')})`, p.keySpan, Codes.unknownProperty);
    f(p.value, p.span);
  }
}

const pointaccSchema: Schema<PointAccConfig> = {
  mapping_unit: {
    required: true,
    apply(t, v, s) {
      record(v, s, {
        sorter_width: (x, sp) => void (t.mappingUnit.sorterWidth = num(x, sp, 'none', { int: true, min: 2 })),
        key: (x, sp) => void (t.mappingUnit.keyBits = num(x, sp, 'bits', { int: true, min: 1 })),
      });
    },
  },
  matrix_unit: {
    required: true,
    apply(t, v, s) {
      if (v.t !== 'list' || v.items.length !== 2) throw new ConfigError('matrix_unit must be [rows, cols]', s);
      t.matrixUnit = [
        num(v.items[0], v.spans[0], 'none', { int: true, min: 1 }),
        num(v.items[1], v.spans[1], 'none', { int: true, min: 1 }),
      ];
    },
  },
  cache: { required: true, apply: (t, v, s) => void (t.cacheBytes = num(v, s, 'bytes', { min: 0 })) },
  cache_ways: { apply: (t, v, s) => void (t.cacheWays = num(v, s, 'none', { int: true, min: 1 })) },
  buffers: { required: true, apply: (t, v, s) => void (t.bufferBytes = num(v, s, 'bytes', { min: 1 })) },
  dram_bandwidth: {
    required: true,
    apply: (t, v, s) => void (t.dramBandwidthBytesPerCycle = num(v, s, 'bytes-per-cycle', { min: 0.001 })),
  },
  word: { required: true, apply: (t, v, s) => void (t.wordBits = num(v, s, 'bits', { int: true, min: 1 })) },
  clock: { required: true, apply: (t, v, s) => void (t.clockMHz = num(v, s, 'frequency', { min: 0.001 })) },
};

function callArgs(v: Value, span: Span, what: string, allowed: string[]) {
  if (v.t !== 'call') throw new ConfigError(`expected ${what}`, span);
  const named = new Map<string, { value: Value; span: Span }>();
  const positional: { value: Value; span: Span }[] = [];
  for (const a of v.args) {
    if (a.name === undefined) positional.push(a);
    else if (!allowed.includes(a.name))
      throw new ConfigError(
        `unknown argument '${a.name}' for ${v.callee} (expected ${allowed.join(', ') || 'none'})`,
        a.span,
        Codes.unknownArgument,
      );
    else named.set(a.name, a);
  }
  return { callee: v.callee, named, positional };
}

function partition(v: Value, span: Span): Partition {
  if (v.t === 'symbol' && v.name === 'iid') return { kind: 'iid' };
  const c = callArgs(v, span, 'iid, dirichlet(alpha) or shards(n)', ['alpha', 'per_worker']);
  const first = c.positional[0] ?? c.named.get('alpha') ?? c.named.get('per_worker');
  if (c.callee === 'iid') return { kind: 'iid' };
  if (!first) throw new ConfigError(`${c.callee} needs an argument`, span);
  if (c.callee === 'dirichlet') return { kind: 'dirichlet', alpha: num(first.value, first.span, 'none', { min: 1e-6 }) };
  if (c.callee === 'shards') return { kind: 'shards', perWorker: num(first.value, first.span, 'none', { int: true, min: 1 }) };
  throw new ConfigError(`unknown partition '${c.callee}' (expected iid, dirichlet, shards)`, span);
}

function dataSpec(v: Value, span: Span): DataSpec {
  const generators: readonly string[] = DATA_GENERATORS;
  if (v.t !== 'call' || !generators.includes(v.callee))
    throw new ConfigError(`expected a data set: ${generators.map((g) => `${g}(...)`).join(', ')}`, span);
  const spec: DataSpec = { generator: v.callee, partition: { kind: 'iid' }, args: {} };
  for (const a of v.args) {
    const key = a.name ?? (v.callee === 'csv' ? 'path' : undefined);
    if (!key) throw new ConfigError('name the data set arguments (key: value)', a.span);
    if (key === 'partition') spec.partition = partition(a.value, a.span);
    else if (key === 'samples') spec.samples = num(a.value, a.span, 'none', { int: true, min: 1 });
    else if (key === 'path') {
      if (a.value.t !== 'string') throw new ConfigError('path must be a string', a.span);
      spec.path = a.value.v;
    } else if (a.value.t === 'number') spec.args[key] = a.value.v;
    else if (a.value.t === 'string') spec.args[key] = a.value.v;
    else if (a.value.t === 'bool') spec.args[key] = a.value.v;
    else if (a.value.t === 'symbol') spec.args[key] = a.value.name;
    else throw new ConfigError(`unsupported value for '${key}'`, a.span);
  }
  if (spec.generator === 'csv' && !spec.path) throw new ConfigError('csv(...) needs a path', span);
  return spec;
}

function algorithm(v: Value, span: Span): FlAlgorithm {
  const c = callArgs(v, span, 'fedavg(local_steps: K), dga(local_steps: K, delay: D) or local_sgd(local_steps: K)', [
    'local_steps',
    'delay',
    'warmup_rounds',
    'local_weight',
    'cooldown_rounds',
    'tail_average',
  ]);
  const get = (k: string, pos: number) => c.named.get(k) ?? c.positional[pos];
  const k = get('local_steps', 0);
  if (!k) throw new ConfigError(`${c.callee} needs local_steps`, span);
  const localSteps = num(k.value, k.span, 'none', { int: true, min: 1 });
  if (c.callee !== 'dga') {
    for (const k of ['warmup_rounds', 'local_weight', 'cooldown_rounds', 'tail_average']) {
      const extra = c.named.get(k);
      if (extra) throw new ConfigError(`'${k}' is an option of dga only`, extra.span, Codes.unknownArgument);
    }
  }
  if (c.callee === 'fedavg') return { kind: 'fedavg', localSteps };
  if (c.callee === 'local_sgd') return { kind: 'local_sgd', localSteps };
  if (c.callee === 'dga') {
    const d = get('delay', 1);
    if (!d) throw new ConfigError('dga needs delay', span);
    const alg: FlAlgorithm = { kind: 'dga', localSteps, delay: num(d.value, d.span, 'none', { int: true, min: 0 }) };
    const w = c.named.get('warmup_rounds');
    if (w) alg.syncRounds = num(w.value, w.span, 'none', { int: true, min: 0 });
    const a = c.named.get('local_weight');
    if (a) alg.localWeight = num(a.value, a.span, 'none', { min: 0, max: 1 });
    const f = c.named.get('cooldown_rounds');
    if (f) alg.finalSyncRounds = num(f.value, f.span, 'none', { int: true, min: 0 });
    const ta = c.named.get('tail_average');
    if (ta) alg.tailRounds = num(ta.value, ta.span, 'none', { int: true, min: 0 });
    return alg;
  }
  throw new ConfigError(`unknown algorithm '${c.callee}' (expected fedavg, dga, local_sgd)`, span);
}

const federatedSchema: Schema<FederatedJob> = {
  network: { required: true, apply: (t, v, s) => void (t.network = symbol(v, s, v.t === 'symbol' ? [v.name] : [])) },
  data: { required: true, apply: (t, v, s) => void (t.data = dataSpec(v, s)) },
  workers: { required: true, apply: (t, v, s) => void (t.workers = num(v, s, 'none', { int: true, min: 1 })) },
  step_time: { apply: (t, v, s) => void (t.stepTimeMs = num(v, s, 'time', { min: 0 })) },
  latency: { required: true, apply: (t, v, s) => void (t.latencyMs = num(v, s, 'time', { min: 0 })) },
  bandwidth: { apply: (t, v, s) => void (t.bandwidthMbitPerS = num(v, s, 'bandwidth', { min: 1e-9 })) },
  jitter: { apply: (t, v, s) => void (t.jitterMs = num(v, s, 'time', { min: 0 })) },
  algorithm: { required: true, apply: (t, v, s) => void (t.algorithm = algorithm(v, s)) },
  optimizer: {
    required: true,
    apply(t, v, s) {
      const c = callArgs(v, s, 'sgd(lr: x, momentum: m)', ['lr', 'momentum', 'warmup', 'decay', 'decay_steps']);
      if (c.callee !== 'sgd') throw new ConfigError(`unknown optimizer '${c.callee}' (expected sgd)`, s);
      const lr = c.named.get('lr') ?? c.positional[0];
      if (!lr) throw new ConfigError('sgd needs lr', s);
      const m = c.named.get('momentum') ?? c.positional[1];
      t.optimizer = {
        kind: 'sgd',
        lr: num(lr.value, lr.span, 'none', { above: 0 }),
        momentum: m ? num(m.value, m.span, 'none', { min: 0, below: 1 }) : 0,
      };
      const w = c.named.get('warmup');
      if (w) t.optimizer.warmupSteps = num(w.value, w.span, 'none', { int: true, min: 0 });
      const d = c.named.get('decay');
      if (d) {
        if (d.value.t !== 'symbol' || (d.value.name !== 'constant' && d.value.name !== 'cosine'))
          throw new ConfigError('decay is constant or cosine', d.span);
        t.optimizer.decay = d.value.name;
      }
      const ds = c.named.get('decay_steps');
      if (ds) {
        if (t.optimizer.decay !== 'cosine') throw new ConfigError('decay_steps needs decay: cosine', ds.span);
        t.optimizer.decaySteps = num(ds.value, ds.span, 'none', { int: true, min: 1 });
      }
    },
  },
  batch: { required: true, apply: (t, v, s) => void (t.batch = num(v, s, 'none', { int: true, min: 1 })) },
  // a fraction of the test set, as the accuracy curves are (0.8, not 80)
  target_accuracy: { apply: (t, v, s) => void (t.targetAccuracy = num(v, s, 'none', { min: 0, max: 1 })) },
  max_steps: { apply: (t, v, s) => void (t.maxSteps = num(v, s, 'none', { int: true, min: 1 })) },
  seed: { apply: (t, v, s) => void (t.seed = num(v, s, 'none', { int: true, min: 0 })) },
  device_gflops: { apply: (t, v, s) => void (t.deviceGflops = num(v, s, 'none', { min: 1e-9 })) },
  stragglers: {
    apply(t, v, s) {
      const f = num(v, s, 'none', { min: 0 });
      if (f > 1) throw new ConfigError(`stragglers is a fraction of the workers (0..1), got ${f}`, s);
      t.stragglers = f;
    },
  },
  straggler_slowdown: { apply: (t, v, s) => void (t.stragglerSlowdown = num(v, s, 'none', { min: 1 })) },
};

// ---- supernet -------------------------------------------------------------------------

/** Choices of a supernet dimension: one number, a list, or an integer range; sorted, unique. */
function choices(v: Value, span: Span, opts: { int: boolean; min: number; max?: number }): number[] {
  let xs: number[];
  if (v.t === 'range') {
    const r = range(v, span, 'none');
    xs = [];
    for (let x = r.min; x <= r.max; x += r.step) xs.push(x);
  } else if (v.t === 'list') {
    if (v.items.length === 0) throw new ConfigError('expected at least one choice', span);
    xs = v.items.map((x, i) => num(x, v.spans[i] ?? span, 'none', { int: opts.int, min: opts.min }));
  } else xs = [num(v, span, 'none', { int: opts.int, min: opts.min })];
  if (xs.length === 0) throw new ConfigError('expected at least one choice', span);
  if (opts.max !== undefined && xs.some((x) => x > opts.max!)) throw new ConfigError(`choices must be at most ${opts.max}`, span);
  return [...new Set(xs)].sort((a, b) => a - b);
}

const STAGE_HELP = 'stage(out: C, stride: S, depth: [..], width: [..], expand: [..], kernel: [..])';

function supernetStage(v: Value, span: Span): SupernetStage {
  const c = callArgs(v, span, STAGE_HELP, ['out', 'stride', 'depth', 'width', 'expand', 'kernel']);
  if (c.callee !== 'stage') throw new ConfigError(`expected ${STAGE_HELP}`, span);
  if (c.positional.length) throw new ConfigError(`stage arguments are named: ${STAGE_HELP}`, c.positional[0].span);
  const need = (k: string) => {
    const a = c.named.get(k);
    if (!a) throw new ConfigError(`stage needs '${k}' (${STAGE_HELP})`, span);
    return a;
  };
  const out = need('out');
  const stride = c.named.get('stride');
  const kernel = need('kernel');
  const kernels = choices(kernel.value, kernel.span, { int: true, min: 1 });
  if (kernels.some((k) => k % 2 === 0))
    throw new ConfigError('kernel sizes must be odd (a centred kernel is shared by the smaller ones)', kernel.span);
  const width = c.named.get('width');
  return {
    out: num(out.value, out.span, 'none', { int: true, min: 1 }),
    stride: stride ? num(stride.value, stride.span, 'none', { int: true, min: 1 }) : 1,
    depth: choices(need('depth').value, need('depth').span, { int: true, min: 1 }),
    width: width ? choices(width.value, width.span, { int: false, min: 1e-3, max: 1 }) : [1],
    expand: choices(need('expand').value, need('expand').span, { int: true, min: 1 }),
    kernel: kernels,
  };
}

const supernetSchema: Schema<SupernetSpec> = {
  channels: { apply: (t, v, s) => void (t.channels = num(v, s, 'none', { int: true, min: 1 })) },
  dtype: { apply: (t, v, s) => void (t.dtype = symbol(v, s, ['float32', 'int8']) as SupernetSpec['dtype']) },
  resolution: { required: true, apply: (t, v, s) => void (t.resolution = choices(v, s, { int: true, min: 1 })) },
  stem: {
    required: true,
    apply(t, v, s) {
      const c = callArgs(v, s, 'conv(out: C, stride: S)', ['out', 'stride']);
      if (c.callee !== 'conv') throw new ConfigError('expected conv(out: C, stride: S)', s);
      const out = c.named.get('out') ?? c.positional[0];
      if (!out) throw new ConfigError('conv needs out', s);
      const stride = c.named.get('stride') ?? c.positional[1];
      t.stem = {
        out: num(out.value, out.span, 'none', { int: true, min: 1 }),
        stride: stride ? num(stride.value, stride.span, 'none', { int: true, min: 1 }) : 1,
      };
    },
  },
  stages: {
    required: true,
    apply(t, v, s) {
      if (v.t !== 'list' || v.items.length === 0) throw new ConfigError(`expected a list of ${STAGE_HELP}`, s);
      t.stages = v.items.map((x, i) => supernetStage(x, v.spans[i] ?? s));
    },
  },
  head: { apply: (t, v, s) => void (t.head = num(v, s, 'none', { int: true, min: 0 })) },
  data: { apply: (t, v, s) => void (t.data = dataSpec(v, s)) },
  classes: { required: true, apply: (t, v, s) => void (t.classes = num(v, s, 'none', { int: true, min: 2 })) },
};

const SCHEMAS: Record<ConfigKind, { schema: Schema<never>; init: (name: string) => object }> = {
  accelerator: { schema: acceleratorSchema as Schema<never>, init: (name) => ({ name }) },
  space: { schema: spaceSchema as Schema<never>, init: (name) => ({ name, objective: 'edp' }) },
  mcu: { schema: mcuSchema as Schema<never>, init: (name) => ({ name }) },
  pointacc: { schema: pointaccSchema as Schema<never>, init: (name) => ({ name, mappingUnit: { sorterWidth: 16, keyBits: 32 } }) },
  federated: { schema: federatedSchema as Schema<never>, init: (name) => ({ name, seed: 0 }) },
  supernet: { schema: supernetSchema as Schema<never>, init: (name) => ({ name, channels: 3, dtype: 'float32', head: 0 }) },
};

export function configKeys(kind: ConfigKind): string[] {
  return Object.keys(SCHEMAS[kind].schema);
}

export type LoweredConfig =
  | { kind: 'accelerator'; value: AcceleratorSpec }
  | { kind: 'space'; value: DesignSpace }
  | { kind: 'mcu'; value: McuTarget }
  | { kind: 'pointacc'; value: PointAccConfig }
  | { kind: 'federated'; value: FederatedJob }
  | { kind: 'supernet'; value: SupernetSpec };

export function lowerConfig(decl: ConfigDecl, src: SourceFile, diagnostics: Diagnostic[]): LoweredConfig | undefined {
  const { schema, init } = SCHEMAS[decl.configKind];
  const target = init(decl.name) as Record<string, unknown>;
  const loc = (s: Span) => src.locationAt(s.start, s.end - s.start);
  const err = (code: string, message: string, s: Span) => diagnostics.push({ severity: 'error', code, message, location: loc(s) });
  let errors = 0;
  // A property the parser could not read counts as given: its syntax error is reported already.
  const seen = new Set<string>(decl.brokenKeys);
  for (const p of decl.props as Property[]) {
    const f = (schema as Record<string, Field<Record<string, unknown>>>)[p.key];
    if (!f) {
      const hint = closest(p.key, Object.keys(schema));
      err(
        Codes.unknownProperty,
        `unknown property '${p.key}' in ${decl.configKind} '${decl.name}'${hint ? `; did you mean '${hint}'?` : ` (expected ${Object.keys(schema).join(', ')})`}`,
        p.keySpan,
      );
      errors++;
      continue;
    }
    if (seen.has(p.key)) {
      err(Codes.duplicateDefinition, `property '${p.key}' is set twice`, p.keySpan);
      errors++;
      continue;
    }
    seen.add(p.key);
    if (p.bound && !f.bound) {
      const e = misplacedBound(p.key, p.bound.span);
      err(e.code, e.message, e.span);
      errors++;
      continue;
    }
    try {
      f.apply(target, evalConst(p.value), p.value.span);
    } catch (e) {
      if (e instanceof ConfigError || e instanceof EvalError) {
        err(e instanceof ConfigError ? e.code : e.code, `${p.key}: ${e.message}`, e.span);
        errors++;
      } else throw e;
    }
  }
  for (const [k, f] of Object.entries(schema) as [string, Field<never>][]) {
    // A recovered declaration may have lost a property to its syntax error.
    if (f.required && !seen.has(k) && !decl.broken) {
      err(Codes.missingProperty, `${decl.configKind} '${decl.name}' needs '${k}'`, decl.nameSpan);
      errors++;
    }
  }
  if (errors || decl.broken) return undefined;
  target.location = loc(decl.nameSpan);
  return { kind: decl.configKind, value: target } as unknown as LoweredConfig;
}
