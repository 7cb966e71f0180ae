// Where a subnet's accuracy comes from, pluggable: `train` (a weight-sharing supernet trained
// here, measured on the real test split), `table:FILE` (a user's CSV of configuration ->
// accuracy) or `predictor:FILE` (a user's ONNX model over the encoding of compiler/nas/supernet.ts).
// Every accuracy a search reports names its source.
import { readFileSync } from 'node:fs';
import { D, ExitCode, UserError, fail } from '../../diagnostics/index.ts';
import type { SubnetConfig, SupernetSpec } from '../../ir/supernet.ts';
import { configKey, encodeConfig, parseConfigKey } from '../supernet.ts';

export interface AccuracySource {
  /** 'train', 'table:FILE' or 'predictor:FILE', as reported beside every accuracy. */
  readonly name: string;
  /** Top-1 accuracy in [0, 1] of each configuration. */
  accuracy(configs: SubnetConfig[]): Promise<number[]>;
  /** A source that knows only some configurations maps any other to the nearest it knows. */
  nearest?(c: SubnetConfig): SubnetConfig;
}

const sourceError = (file: string, line: number, text: string, message: string, column = 1, length = 1): never => {
  throw new UserError(
    [
      {
        severity: 'error',
        code: D.accuracyTableSyntax.code,
        message,
        location: { file, line, column, length: Math.max(1, length), lineText: text },
      },
    ],
    ExitCode.inputError,
  );
};

/**
 * `table:FILE`: a CSV whose header names a `config` column (keys as `configKey` writes them,
 * e.g. `r28/d2-w1-e6-k5/...`) and an `accuracy` column (a fraction in [0, 1], or a
 * percentage when any value exceeds 1). Rows of another supernet are located errors.
 */
export function tableSource(spec: SupernetSpec, file: string): AccuracySource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fail(D.accuracySourceRead, `cannot read accuracy table '${file}'`);
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const ci = header.indexOf('config');
  const ai = header.indexOf('accuracy');
  if (ci < 0 || ai < 0) sourceError(file, 1, lines[0] ?? '', "the header must name a 'config' and an 'accuracy' column");
  const rows: { config: SubnetConfig; accuracy: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const cells = line.split(',');
    const key = (cells[ci] ?? '').trim();
    const config = parseConfigKey(spec, key);
    if (!config)
      sourceError(
        file,
        i + 1,
        line,
        `'${key}' is not a configuration of supernet '${spec.name}' (expected e.g. ${configKey({ resolution: spec.resolution[0], stages: spec.stages.map((s) => ({ depth: s.depth[0], width: s.width[0], expand: s.expand[0], kernel: s.kernel[0] })) })})`,
        line.indexOf(key) + 1,
        key.length,
      );
    const acc = Number((cells[ai] ?? '').trim());
    if (!Number.isFinite(acc) || acc < 0 || acc > 100)
      sourceError(file, i + 1, line, `accuracy '${(cells[ai] ?? '').trim()}' is not a number in [0, 1] or [0, 100]`);
    rows.push({ config: config!, accuracy: acc });
  }
  if (rows.length === 0) sourceError(file, 1, lines[0] ?? '', 'the table has no rows');
  const percent = rows.some((r) => r.accuracy > 1);
  const byKey = new Map(rows.map((r) => [configKey(r.config), percent ? r.accuracy / 100 : r.accuracy]));
  const encoded = rows.map((r) => ({ config: r.config, v: encodeConfig(spec, r.config) }));
  const name = `table:${file}`;
  return {
    name,
    async accuracy(configs) {
      return configs.map((c) => {
        const a = byKey.get(configKey(c));
        if (a === undefined) fail(D.accuracyMissing, `${file}: no accuracy for configuration ${configKey(c)}`);
        return a!;
      });
    },
    nearest(c) {
      if (byKey.has(configKey(c))) return c;
      const v = encodeConfig(spec, c);
      let best = encoded[0];
      let bestD = Infinity;
      for (const e of encoded) {
        let d = 0;
        for (let i = 0; i < v.length; i++) d += (v[i] - e.v[i]) ** 2;
        if (d < bestD) [best, bestD] = [e, d];
      }
      return best.config;
    },
  };
}

/**
 * `predictor:FILE`: an ONNX model with one float32 input [N, D] (or [1, D]), D = 1 + 4 x stages,
 * the encoding of `encodeConfig`, and one output of N accuracies in [0, 1]. Run with onnxruntime-node.
 */
export async function predictorSource(spec: SupernetSpec, file: string): Promise<AccuracySource> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    return fail(D.accuracySourceRead, `cannot read accuracy predictor '${file}'`);
  }
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  } catch (e) {
    return fail(D.accuracyPredictor, `${file}: onnxruntime cannot load the predictor: ${(e as Error).message.split('\n')[0]}`);
  }
  const d = 1 + 4 * spec.stages.length;
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    name: `predictor:${file}`,
    async accuracy(configs) {
      const out: number[] = [];
      // One configuration per run: a predictor exported with a fixed batch of 1 works too.
      for (const c of configs) {
        const feed = new ort.Tensor('float32', encodeConfig(spec, c), [1, d]);
        let r: Record<string, { data: unknown; dims: readonly number[] }>;
        try {
          r = await session.run({ [inputName]: feed });
        } catch (e) {
          return fail(
            D.accuracyPredictor,
            `${file}: the predictor does not take the encoding float32[1, ${d}] (1 + 4 x ${spec.stages.length} stages): ${(e as Error).message.split('\n')[0]}`,
            spec.location,
          );
        }
        const v = Number((r[outputName].data as ArrayLike<number>)[0]);
        if (!Number.isFinite(v)) fail(D.accuracyPredictor, `${file}: the predictor returned ${v} for ${configKey(c)}`);
        out.push(v > 1 ? v / 100 : v);
      }
      return out;
    },
  };
}
