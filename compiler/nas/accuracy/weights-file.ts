// A trained supernet's shared weights on disk, so one training run serves many searches and
// deployments: one JSON file holding the parameter layout of the largest subnet and the
// weights as little-endian float32, base64 (format "nacc-supernet-weights/1").
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { D, fail } from '../../diagnostics/index.ts';
import type { SupernetSpec } from '../../ir/supernet.ts';
import { configKey, largestConfig } from '../supernet.ts';
import { SharedSupernet } from './train.ts';

export const WEIGHTS_FORMAT = 'nacc-supernet-weights/1';

export interface WeightsFile {
  format: typeof WEIGHTS_FORMAT;
  supernet: string;
  /** The configuration whose layout the weights follow (the largest). */
  layout_config: string;
  param_count: number;
  /** Per layer: weights at `w` with `shape`, biases at `b` (trainer.ts's layout); batch norm gamma/beta when present. */
  layers: { layer: string; w: number; b: number; shape: number[]; bn?: { gamma: number; beta: number } }[];
  batch_norm: boolean;
  /** Free-form facts about the run that produced the weights (options, epochs done, accuracies). */
  training: Record<string, unknown>;
  weights_f32le_base64: string;
}

/** Write the supernet's weights to `file` (through a temporary sibling and a rename, so readers never see half a file). */
export function saveSupernetWeights(file: string, net: SharedSupernet, training: Record<string, unknown>): void {
  const m = net.supModel;
  const le = new Uint8Array(4 * net.weights.length);
  const view = new DataView(le.buffer);
  for (let i = 0; i < net.weights.length; i++) view.setFloat32(i * 4, net.weights[i], true);
  const body: WeightsFile = {
    format: WEIGHTS_FORMAT,
    supernet: net.spec.name,
    layout_config: configKey(largestConfig(net.spec)),
    param_count: m.paramCount,
    layers: m.params.map((p) => ({ layer: p.layer, w: p.w, b: p.b, shape: p.shape, ...(p.bn ? { bn: p.bn } : {}) })),
    batch_norm: net.batchNorm,
    training,
    weights_f32le_base64: Buffer.from(le).toString('base64'),
  };
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(body) + '\n');
  renameSync(tmp, file);
}

/** The `training` facts of a weights file (what run produced it), without decoding the weights. */
export function readWeightsTraining(file: string): Record<string, unknown> {
  const { training } = JSON.parse(readFileSync(file, 'utf8')) as WeightsFile;
  return training;
}

/**
 * Read weights written by saveSupernetWeights for `spec`; a file of another supernet or layout
 * is an input error. With batch norm, call useCalibration (training images) before scoring or
 * folding a subnet.
 */
export function loadSupernetWeights(file: string, spec: SupernetSpec, batch = 64): SharedSupernet {
  let body: WeightsFile;
  try {
    body = JSON.parse(readFileSync(file, 'utf8')) as WeightsFile;
  } catch (e) {
    return fail(D.accuracyMissing, `cannot read supernet weights '${file}': ${(e as Error).message}`);
  }
  if (body.format !== WEIGHTS_FORMAT)
    fail(D.accuracyMissing, `'${file}' is not a supernet weights file (format '${String(body.format)}', expected '${WEIGHTS_FORMAT}')`);
  if (body.supernet !== spec.name)
    fail(D.accuracyMissing, `'${file}' holds weights of supernet '${body.supernet}', not '${spec.name}'`, spec.location);
  const side = Number(body.training.image_side ?? spec.resolution[spec.resolution.length - 1]);
  const net = new SharedSupernet(spec, batch, side, 0, { batchNorm: body.batch_norm });
  net.log.push(...((body.training.log as SharedSupernet['log']) ?? []));
  const m = net.supModel;
  const same =
    m.paramCount === body.param_count &&
    m.params.length === body.layers.length &&
    m.params.every(
      (p, i) =>
        p.layer === body.layers[i].layer &&
        p.w === body.layers[i].w &&
        p.b === body.layers[i].b &&
        p.shape.join() === body.layers[i].shape.join(),
    );
  if (!same)
    fail(
      D.accuracyMissing,
      `'${file}' was written for another layout of supernet '${spec.name}' (${body.param_count} parameters, this one has ${m.paramCount})`,
      spec.location,
    );
  const raw = Buffer.from(body.weights_f32le_base64, 'base64');
  if (raw.length !== 4 * m.paramCount) fail(D.accuracyMissing, `'${file}': ${raw.length} bytes of weights for ${m.paramCount} parameters`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < m.paramCount; i++) net.weights[i] = view.getFloat32(i * 4, true);
  return net;
}
