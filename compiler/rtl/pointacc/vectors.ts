// Test vectors and testbenches for the PointAcc RTL: quantised clouds packed into memory rows,
// the golden model's answers packed like the RTL's outputs, and the bench rendered from its
// fixed template. Pure: returns file names and texts; the CLI writes them.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { type Cloud, cloudSize } from '../../reference/pointcloud/cloud.ts';
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
