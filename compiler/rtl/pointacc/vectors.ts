// Test vectors and testbenches for the PointAcc RTL: quantised clouds packed into memory rows,
// the golden model's answers packed like the RTL's outputs, and the bench rendered from its
// fixed template. Pure: returns file names and texts; the CLI writes them.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { type Cloud, cloudSize } from '../../reference/pointcloud/cloud.ts';
import { kernelMap, sparseConvOutputs } from '../../reference/pointcloud/mapping.ts';
import { clog2 } from '../verilog/index.ts';
import { projectPath } from '../../util/project-paths.ts';

export interface TextFile {
  /** Path relative to the output folder. */
  path: string;
  text: string;
}

const templateCache = new Map<string, HandlebarsTemplateDelegate>();

/** Render testbench/pointacc/NAME (compiled with noEscape + strict). */
export function renderTemplate(name: string, data: Record<string, unknown>): string {
  let t = templateCache.get(name);
  if (!t) {
    const text = readFileSync(projectPath('testbench/pointacc', name), 'utf8');
    t = Handlebars.compile(text, { noEscape: true, strict: true });
    templateCache.set(name, t);
  }
  return t(data);
}

/** Two's-complement field of `bits` bits. */
export function field(v: number | bigint, bits: number): bigint {
  return BigInt.asUintN(bits, BigInt(v));
}

/** Pack fields (first = least significant) into one word. */
export function pack(fields: [number | bigint, number][]): bigint {
  let word = 0n;
  let shift = 0n;
  for (const [v, bits] of fields) {
    word |= field(v, bits) << shift;
    shift += BigInt(bits);
  }
  return word;
}

export function hexRow(word: bigint, bits: number): string {
  return word.toString(16).padStart(Math.ceil(bits / 4), '0');
}

/** Rows of W points, each {z, y, x} with x lowest; lanes past the cloud are zero. */
export function pointRows(c: Cloud, lanes: number, coordBits: number): bigint[] {
  const n = cloudSize(c);
  const rows: bigint[] = [];
  for (let r = 0; r * lanes < n; r++) {
    const f: [number, number][] = [];
    for (let l = 0; l < lanes; l++) {
      const i = r * lanes + l;
      for (let a = 0; a < 3; a++) f.push([i < n ? c.xyz[3 * i + a] : 0, coordBits]);
    }
    rows.push(pack(f));
  }
  return rows;
}

export function hexFile(words: bigint[], bits: number): string {
  return words.map((w) => hexRow(w, bits)).join('\n') + '\n';
}

/** The smallest power of two >= n (at least 1): the depth of a table of n entries. */
export const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * A sparse convolution's voxels as the kernel mapper takes them: the inputs, the strided outputs,
 * the kernel map between them and the signed coordinate width that holds every coordinate.
 */
export function voxelGeometry(voxels: Cloud, kernel: number, stride: number) {
  const outputs = sparseConvOutputs(voxels, stride);
  let maxAbs = 0;
  for (const v of [...voxels.xyz, ...outputs.xyz]) maxAbs = Math.max(maxAbs, Math.abs(v));
  return {
    inputs: voxels,
    outputs,
    nIn: cloudSize(voxels),
    nOut: cloudSize(outputs),
    map: kernelMap(voxels, outputs, kernel, 1),
    coordBits: Math.max(4, clog2(maxAbs + 1) + 1),
  };
}

/** One line per voxel: x, y and z packed at `coordBits` each. */
export function voxelRows(c: Cloud, coordBits: number): bigint[] {
  return Array.from({ length: cloudSize(c) }, (_, i) =>
    pack([
      [c.xyz[3 * i], coordBits],
      [c.xyz[3 * i + 1], coordBits],
      [c.xyz[3 * i + 2], coordBits],
    ]),
  );
}

/** One line per output tile of `lanes` channels, each `bits` wide; channels from `channels` on are 0. */
export function channelTiles(tiles: number, lanes: number, channels: number, f: (co: number) => number, bits: number): bigint[] {
  return Array.from({ length: tiles }, (_, o) =>
    pack(Array.from({ length: lanes }, (_, c): [number, number] => [o * lanes + c < channels ? f(o * lanes + c) : 0, bits])),
  );
}

/** A per-channel requantisation constant of the benches' memories. */
export type RequantField = 'bias' | 'multiplier' | 'shift';

/**
 * The requantisation memories every PointAcc bench loads: bias.hex and mult.hex (32 bits per
 * channel) and shift.hex (6 bits), `lanes` channels a line, laid out by `lines`.
 */
export function requantFiles(lines: (field: RequantField, bits: number) => bigint[], lanes: number): TextFile[] {
  return [
    { path: 'bias.hex', text: hexFile(lines('bias', 32), lanes * 32) },
    { path: 'mult.hex', text: hexFile(lines('multiplier', 32), lanes * 32) },
    { path: 'shift.hex', text: hexFile(lines('shift', 6), lanes * 6) },
  ];
}
