// The schema of a queued evaluation job (one CandidateTask) and its check: a worker evaluates
// only payloads that validate, so a malformed or hostile job fails alone and names what is wrong.
import type { Location } from '../../diagnostics/diagnostic.ts';
import type { LevelMapping, Mapping, SpatialLoop, TemporalLoop } from '../../ir/mapping.ts';
import type { DataSpace, Problem, ProjectionTerm } from '../../ir/problem.ts';
import type { AcceleratorSpec, DesignSpace, IntRange } from '../../ir/targets.ts';
import type { CandidateTask, InnerBudget, WorkloadLayer, Workloads } from '../candidate.ts';
import type { SpaceLimits } from '../encoding.ts';
import { decodeExact } from './codec.ts';

/** The job's schema name and version; a worker rejects any other. */
export const JOB_SCHEMA = 'nacc.naas.candidate/1';

/** Payloads larger than this are rejected before parsing (a large network's task is a few hundred KB). */
export const MAX_JOB_BYTES = 16 * 1024 * 1024;

/** What travels through the queue: the schema name and the task in exact JSON (codec.ts). */
export interface JobData {
  schema: string;
  task: string;
}

type Check = (v: unknown, path: string, errors: string[]) => void;

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const expect = (ok: boolean, what: string, v: unknown, path: string, errors: string[]): boolean => {
  if (!ok)
    errors.push(`${path}: expected ${what}, got ${kindOf(v) === 'number' || kindOf(v) === 'string' ? JSON.stringify(v) : kindOf(v)}`);
  return ok;
};

const num: Check = (v, p, e) => void expect(typeof v === 'number' && !Number.isNaN(v), 'a number', v, p, e);
const finite: Check = (v, p, e) => void expect(typeof v === 'number' && Number.isFinite(v), 'a finite number', v, p, e);
const int =
  (min: number, max: number): Check =>
  (v, p, e) =>
    void expect(Number.isInteger(v) && (v as number) >= min && (v as number) <= max, `an integer in ${min}..${max}`, v, p, e);
const str =
  (maxLength = 256): Check =>
  (v, p, e) =>
    void expect(typeof v === 'string' && v.length <= maxLength, `a string of at most ${maxLength} characters`, v, p, e);
const bool: Check = (v, p, e) => void expect(typeof v === 'boolean', 'a boolean', v, p, e);
const oneOf =
  (...values: string[]): Check =>
  (v, p, e) =>
    void expect(typeof v === 'string' && values.includes(v), `one of ${values.join(', ')}`, v, p, e);
const arr =
  (item: Check, maxLength: number): Check =>
  (v, p, e) => {
    if (!expect(Array.isArray(v) && v.length <= maxLength, `an array of at most ${maxLength} items`, v, p, e)) return;
    (v as unknown[]).forEach((x, i) => item(x, `${p}[${i}]`, e));
  };
const record =
  (value: Check, maxKeys: number): Check =>
  (v, p, e) => {
    if (!expect(kindOf(v) === 'object' && Object.keys(v as object).length <= maxKeys, `an object of at most ${maxKeys} keys`, v, p, e))
      return;
    for (const [k, x] of Object.entries(v as object)) value(x, `${p}.${k}`, e);
  };
const either =
  (what: string, ...checks: Check[]): Check =>
  (v, p, e) => {
    for (const c of checks) {
      const mine: string[] = [];
      c(v, p, mine);
      if (!mine.length) return;
    }
    e.push(`${p}: expected ${what}`);
  };
/** The keys of T as `obj` spells them: optional ones with a trailing '?'. */
type FieldsOf<T> = { [K in keyof T]-?: undefined extends T[K] ? `${K & string}?` : K & string }[keyof T];

/**
 * An object of type T: exactly these fields (`?` marks optional ones), other keys are errors.
 * The field list is checked against T when compiling, so a field added to an IR type must be
 * added here (with its check) before nacc builds: payloads of the new shape validate at once.
 */
function obj<T>(fields: Record<FieldsOf<T>, Check>): Check {
  const entries = Object.entries(fields as Record<string, Check>);
  const known = new Set(entries.map(([k]) => k.replace(/\?$/, '')));
  return (v, p, e) => {
    if (!expect(kindOf(v) === 'object', 'an object', v, p, e)) return;
    const o = v as Record<string, unknown>;
    for (const [name, check] of entries) {
      const optional = name.endsWith('?');
      const key = optional ? name.slice(0, -1) : name;
      if (o[key] === undefined) {
        if (!optional) e.push(`${p}.${key}: missing`);
      } else check(o[key], `${p}.${key}`, e);
    }
    for (const k of Object.keys(o)) if (!known.has(k)) e.push(`${p}.${k}: unknown field`);
  };
}

const SMALL = 1 << 20;
const dimName = str(16);
const dimList = arr(dimName, 16);
const objective = oneOf('edp', 'energy', 'latency', 'edap');
const dataflow = oneOf('row_stationary', 'output_stationary', 'weight_stationary', 'input_stationary');
const intRange = obj<IntRange>({ min: finite, max: finite, step: finite });
// Spans of the user's text, as the frontend attaches them; never read by the evaluation.
const location = obj<Location>({ file: str(4096), line: int(0, 1e9), column: int(0, 1e9), length: int(0, 1e9), lineText: str(1 << 16) });
const projectionTerm = obj<ProjectionTerm>({ dim: dimName, coef: int(-1024, 1024) });
const dataSpace = obj<DataSpace>({ name: str(64), projection: arr(arr(projectionTerm, 16), 8), readWrite: bool });
const problem = obj<Problem>({
  name: str(1024),
  dims: dimList,
  bounds: record(int(1, 1 << 30), 16),
  dataSpaces: arr(dataSpace, 8),
  'inputWidth?': int(1, 1 << 30),
  'inputHeight?': int(1, 1 << 30),
  'padTop?': int(0, 1 << 30),
  'padLeft?': int(0, 1 << 30),
});
const workloadLayer = obj<WorkloadLayer>({ name: str(1024), key: str(1024) });
const workloads = obj<Workloads>({
  networks: arr(obj<Workloads['networks'][number]>({ name: str(), layers: arr(workloadLayer, 1 << 16) }), 256),
  problems: record(problem, 1 << 16),
});
const inner = obj<InnerBudget>({ generations: int(1, 100_000), population: int(1, 10_000), 'polish?': int(0, 10_000_000) });
const space = obj<DesignSpace>({
  name: str(),
  'resources?': str(),
  'arrayDims?': intRange,
  'peCount?': intRange,
  'arraySize?': intRange,
  'parallel?': either("'search' or a list of dimensions", oneOf('search'), dimList),
  'registerFileBytes?': intRange,
  'globalBufferBytes?': intRange,
  'loopOrder?': either("'search' or a list of dimensions", oneOf('search'), dimList),
  'tiling?': oneOf('search'),
  'dataflow?': dataflow,
  'peArray?': arr(intRange, 3),
  'dramBandwidthBytesPerCycle?': intRange,
  objective,
  'maxAreaMm2?': finite,
  'location?': location,
});
const spec = obj<AcceleratorSpec>({
  name: str(),
  peArray: arr(int(1, 1 << 20), 3),
  'dataflow?': dataflow,
  'parallel?': dimList,
  registerFileBytesPerPe: finite,
  globalBufferBytes: finite,
  dramBandwidthBytesPerCycle: finite,
  wordBits: int(1, 1024),
  'clockMHz?': finite,
  'location?': location,
});
const limits = obj<SpaceLimits>({ maxPes: num, maxOnChipBytes: num, dramBandwidthBytesPerCycle: num, wordBits: num, 'clockMHz?': num });
const vector = arr(finite, 4096);
const temporalLoop = obj<TemporalLoop>({ dim: dimName, bound: int(1, 1 << 30) });
const spatialLoop = obj<SpatialLoop>({ dim: dimName, bound: int(1, 1 << 30), axis: oneOf('X', 'Y') });
const levelMapping = obj<LevelMapping>({
  level: str(64),
  temporal: arr(temporalLoop, 64),
  spatial: arr(spatialLoop, 16),
  keep: arr(str(64), 8),
});
const mapping = obj<Mapping>({ levels: arr(levelMapping, 16) });
const common = {
  'objective?': objective,
  'loopOrder?': dimList,
  'rtl?': bool,
  'rtlSingleBuffer?': bool,
  seed: int(0, 0xffffffff),
  workloads,
};
type Task<K extends CandidateTask['kind']> = Extract<CandidateTask, { kind: K }>;
// One check per task kind (candidate.ts); a kind or a field missing here fails to compile.
const TASKS = {
  naas: obj<Task<'naas'>>({ kind: oneOf('naas'), ...common, inner, x: vector, space, limits, 'start?': record(vector, SMALL) }),
  sizing: obj<Task<'sizing'>>({ kind: oneOf('sizing'), ...common, inner, x: vector, space, limits }),
  fixed: obj<Task<'fixed'>>({ kind: oneOf('fixed'), ...common, inner, spec }),
  remap: obj<Task<'remap'>>({ kind: oneOf('remap'), ...common, inner, spec, parallel: dimList, start: record(mapping, SMALL) }),
  design: obj<Task<'design'>>({
    kind: oneOf('design'),
    ...common,
    spec,
    effort: int(1, 100_000_000),
    'start?': record(mapping, SMALL),
    'starts?': record(arr(mapping, 64), SMALL),
    'networkObjective?': bool,
    'restarts?': int(1, 1000),
  }),
};
const EVERY_KIND: Record<CandidateTask['kind'], Check> = TASKS;

/** Layer keys must name problems: the evaluation looks them up. */
function crossCheck(t: CandidateTask, errors: string[]): void {
  for (const [i, n] of t.workloads.networks.entries()) {
    for (const [j, l] of n.layers.entries())
      if (!Object.hasOwn(t.workloads.problems, l.key)) errors.push(`task.workloads.networks[${i}].layers[${j}].key: no problem '${l.key}'`);
  }
  for (const [k, p] of Object.entries(t.workloads.problems)) {
    for (const d of p.dims) if (!Number.isInteger(p.bounds[d])) errors.push(`task.workloads.problems.${k}.bounds.${d}: missing`);
  }
}

/** The task a job carries, or the reasons it is not one (at most a few, for the message). */
export function parseJob(data: unknown): { task: CandidateTask } | { errors: string[] } {
  const errors: string[] = [];
  if (kindOf(data) !== 'object') return { errors: [`job data: expected an object, got ${kindOf(data)}`] };
  const d = data as Partial<JobData>;
  if (d.schema !== JOB_SCHEMA)
    return { errors: [`job data.schema: expected '${JOB_SCHEMA}', got ${JSON.stringify(d.schema) ?? 'nothing'}`] };
  if (typeof d.task !== 'string') return { errors: ['job data.task: expected a string (the task in exact JSON)'] };
  if (d.task.length > MAX_JOB_BYTES) return { errors: [`job data.task: ${d.task.length} characters, more than ${MAX_JOB_BYTES}`] };
  let task: unknown;
  try {
    task = decodeExact(d.task);
  } catch (e) {
    return { errors: [`job data.task: not exact JSON (${(e as Error).message})`] };
  }
  const kind = (task as { kind?: unknown } | null)?.kind;
  const check = typeof kind === 'string' && Object.hasOwn(EVERY_KIND, kind) ? EVERY_KIND[kind as CandidateTask['kind']] : undefined;
  if (!check)
    return { errors: [`task.kind: expected one of ${Object.keys(EVERY_KIND).join(', ')}, got ${JSON.stringify(kind) ?? kindOf(task)}`] };
  check(task, 'task', errors);
  if (!errors.length) crossCheck(task as CandidateTask, errors);
  return errors.length
    ? { errors: errors.slice(0, 5).concat(errors.length > 5 ? [`… and ${errors.length - 5} more`] : []) }
    : { task: task as CandidateTask };
}
