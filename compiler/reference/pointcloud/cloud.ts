// Point clouds for the golden point-cloud ops and the PointAcc RTL: the in-memory form, the
// file formats users hand us (.xyz, .ply ASCII/binary, raw float32), seeded synthetic clouds
// that stress the corner cases (ties, duplicates, sparse neighbourhoods) and the Stanford bunny.
//
// Quantisation (what the RTL sees): coordinates become signed C-bit integers with a power-of-two
// scale, q = round(x * 2^f) (round half away from zero), f the largest integer (possibly negative)
// with max|x| * 2^f <= 2^(C-1) - 1. A power of two keeps lattice clouds (exact ties) exactly tied
// after quantisation. C = floor((keyBits - 2) / 2) so that 3 * (2^C - 1)^2 < 2^keyBits: a squared
// distance always fits the sorter key.
import { createRequire } from 'node:module';
import { D, fail } from '../../diagnostics/index.ts';
import { Prng } from '../../util/prng.ts';

/** N points, coordinates interleaved x0 y0 z0 x1 ... (float64; integer-valued when quantised). */
export interface Cloud {
  name: string;
  xyz: Float64Array;
}

export const cloudSize = (c: Cloud): number => c.xyz.length / 3;

export function makeCloud(name: string, pts: ArrayLike<number>[]): Cloud {
  const xyz = new Float64Array(pts.length * 3);
  pts.forEach((p, i) => {
    xyz[3 * i] = p[0];
    xyz[3 * i + 1] = p[1];
    xyz[3 * i + 2] = p[2];
  });
  return { name, xyz };
}

export function point(c: Cloud, i: number): [number, number, number] {
  return [c.xyz[3 * i], c.xyz[3 * i + 1], c.xyz[3 * i + 2]];
}

// ---- file formats ----------------------------------------------------------------------

/**
 * Parse a cloud from file bytes. `.xyz`/`.txt`: one point per line, `x y z` (further columns
 * ignored, `#` comments and blank lines skipped); `.ply`: ASCII or binary little/big endian,
 * vertex x, y, z of any numeric type; anything else: raw little-endian float32 triples.
 */
export function parseCloud(bytes: Uint8Array, fileName: string): Cloud {
  const lower = fileName.toLowerCase();
  const name = fileName.replace(/^.*[\\/]/, '');
  if (lower.endsWith('.xyz') || lower.endsWith('.txt')) return parseXyz(new TextDecoder().decode(bytes), fileName, name);
  if (lower.endsWith('.ply')) return parsePly(bytes, fileName, name);
  if (bytes.length % 12 !== 0)
    fail(D.cloudSize, `raw float32 cloud '${fileName}' has ${bytes.length} bytes, not a multiple of 12 (x y z float32 triples)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const xyz = new Float64Array(bytes.length / 4);
  for (let i = 0; i < xyz.length; i++) xyz[i] = view.getFloat32(4 * i, true);
  checkFinite(xyz, fileName);
  if (xyz.length === 0) fail(D.cloudEmpty, `cloud '${fileName}' has no points`);
  return { name, xyz };
}

function checkFinite(xyz: Float64Array, file: string): void {
  for (let i = 0; i < xyz.length; i++) {
    if (!Number.isFinite(xyz[i])) fail(D.cloudNonFinite, `cloud '${file}': point ${Math.floor(i / 3)} has a non-finite coordinate`);
  }
}

function lineLocation(file: string, line: number, text: string) {
  return { file, line, column: 1, length: Math.max(1, text.length), lineText: text };
}

function parseXyz(text: string, file: string, name: string): Cloud {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, k) => {
    const t = raw.replace(/#.*/, '').trim();
    if (!t) return;
    const f = t.split(/[\s,]+/);
    if (f.length < 3) fail(D.cloudTextLine, `expected 'x y z', got ${f.length} value(s)`, lineLocation(file, k + 1, raw));
    for (let j = 0; j < 3; j++) {
      const v = Number(f[j]);
      if (!Number.isFinite(v)) fail(D.cloudTextLine, `'${f[j]}' is not a number`, lineLocation(file, k + 1, raw));
      out.push(v);
    }
  });
  if (out.length === 0) fail(D.cloudEmpty, `cloud '${file}' has no points`);
  return { name, xyz: Float64Array.from(out) };
}

const PLY_TYPES: Record<string, [number, (v: DataView, o: number, le: boolean) => number]> = {
  char: [1, (v, o) => v.getInt8(o)],
  int8: [1, (v, o) => v.getInt8(o)],
  uchar: [1, (v, o) => v.getUint8(o)],
  uint8: [1, (v, o) => v.getUint8(o)],
  short: [2, (v, o, le) => v.getInt16(o, le)],
  int16: [2, (v, o, le) => v.getInt16(o, le)],
  ushort: [2, (v, o, le) => v.getUint16(o, le)],
  uint16: [2, (v, o, le) => v.getUint16(o, le)],
  int: [4, (v, o, le) => v.getInt32(o, le)],
  int32: [4, (v, o, le) => v.getInt32(o, le)],
  uint: [4, (v, o, le) => v.getUint32(o, le)],
  uint32: [4, (v, o, le) => v.getUint32(o, le)],
  float: [4, (v, o, le) => v.getFloat32(o, le)],
  float32: [4, (v, o, le) => v.getFloat32(o, le)],
  double: [8, (v, o, le) => v.getFloat64(o, le)],
  float64: [8, (v, o, le) => v.getFloat64(o, le)],
};

function parsePly(bytes: Uint8Array, file: string, name: string): Cloud {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 65536)));
  const endIdx = head.indexOf('end_header');
  if (!head.startsWith('ply') || endIdx < 0) fail(D.cloudPly, `'${file}' is not a PLY file (no 'ply' magic or 'end_header')`);
  let bodyStart = endIdx + 'end_header'.length;
  if (head[bodyStart] === '\r') bodyStart++;
  if (head[bodyStart] === '\n') bodyStart++;
  const headerLines = head
    .slice(0, endIdx)
    .split(/\r?\n/)
    .map((l) => l.trim());
  let format = 'ascii';
  interface Prop {
    name: string;
    type: string;
    listCount?: string;
  }
  const elements: { name: string; count: number; props: Prop[] }[] = [];
  for (const l of headerLines) {
    const f = l.split(/\s+/);
    if (f[0] === 'format') format = f[1];
    else if (f[0] === 'element') elements.push({ name: f[1], count: Number(f[2]), props: [] });
    else if (f[0] === 'property' && elements.length) {
      const el = elements[elements.length - 1];
      if (f[1] === 'list') el.props.push({ name: f[4], type: f[3], listCount: f[2] });
      else el.props.push({ name: f[2], type: f[1] });
    }
  }
  const vertex = elements.find((e) => e.name === 'vertex');
  if (!vertex) fail(D.cloudPly, `PLY '${file}' has no vertex element`);
  const axes = ['x', 'y', 'z'].map((a) => vertex.props.findIndex((p) => p.name === a));
  if (axes.some((a) => a < 0)) fail(D.cloudPly, `PLY '${file}': vertex element lacks x, y or z`);
  const xyz = new Float64Array(vertex.count * 3);
  if (format === 'ascii') {
    const lines = new TextDecoder('latin1')
      .decode(bytes.subarray(bodyStart))
      .split(/\r?\n/)
      .filter((l) => l.trim());
    // Elements before the vertex element occupy one line per item.
    let line = 0;
    for (const el of elements) {
      if (el === vertex) break;
      line += el.count;
    }
    for (let i = 0; i < vertex.count; i++) {
      const f = (lines[line + i] ?? '').trim().split(/\s+/).map(Number);
      if (f.length < vertex.props.length) fail(D.cloudPly, `PLY '${file}': vertex ${i} has too few values`);
      for (let a = 0; a < 3; a++) xyz[3 * i + a] = f[axes[a]];
    }
  } else if (format === 'binary_little_endian' || format === 'binary_big_endian') {
    const le = format === 'binary_little_endian';
    const view = new DataView(bytes.buffer, bytes.byteOffset + bodyStart, bytes.byteLength - bodyStart);
    let o = 0;
    const read = (type: string): number => {
      const t = PLY_TYPES[type];
      if (!t) fail(D.cloudPly, `PLY '${file}': unknown property type '${type}'`);
      if (o + t[0] > view.byteLength) fail(D.cloudPly, `PLY '${file}' is truncated`);
      const v = t[1](view, o, le);
      o += t[0];
      return v;
    };
    for (const el of elements) {
      for (let i = 0; i < el.count; i++) {
        const vals: number[] = [];
        for (const p of el.props) {
          if (p.listCount) {
            const n = read(p.listCount);
            for (let j = 0; j < n; j++) read(p.type);
            vals.push(0);
          } else vals.push(read(p.type));
        }
        if (el === vertex) for (let a = 0; a < 3; a++) xyz[3 * i + a] = vals[axes[a]];
      }
      if (el === vertex) break;
    }
  } else fail(D.cloudPly, `PLY '${file}': unsupported format '${format}'`);
  checkFinite(xyz, file);
  if (vertex.count === 0) fail(D.cloudEmpty, `cloud '${file}' has no points`);
  return { name, xyz };
}

/** `.xyz` text of a cloud (integers printed as integers). */
export function formatXyz(c: Cloud): string {
  const lines: string[] = [];
  for (let i = 0; i < cloudSize(c); i++)
    lines.push(
      point(c, i)
        .map((v) => String(v))
        .join(' '),
    );
  return lines.join('\n') + '\n';
}

// ---- quantisation ----------------------------------------------------------------------

export interface Quantised {
  cloud: Cloud;
  /** Coordinate bits C (signed). */
  coordBits: number;
  /** Fractional bits f: q = round(x * 2^f). */
  fracBits: number;
}

export const coordBitsForKey = (keyBits: number): number => Math.floor((keyBits - 2) / 2);

const roundHalfAway = (v: number): number => Math.sign(v) * Math.round(Math.abs(v)) || 0;

/** Quantise to signed coordBits-bit integers with a power-of-two scale (see the header). */
export function quantiseCloud(c: Cloud, coordBits: number): Quantised {
  const qmax = 2 ** (coordBits - 1) - 1;
  let m = 0;
  for (const v of c.xyz) m = Math.max(m, Math.abs(v));
  let f = 0;
  if (m > 0) {
    f = Math.floor(Math.log2(qmax / m));
    while (m * 2 ** f > qmax) f--;
    while (m * 2 ** (f + 1) <= qmax) f++;
  }
  const xyz = c.xyz.map((v) => roundHalfAway(v * 2 ** f));
  return { cloud: { name: c.name, xyz }, coordBits, fracBits: f };
}

/** Squared radius threshold in the quantised domain: d2 < ceil((r 2^f)^2) <=> d2 < (r 2^f)^2 for integer d2. */
export function quantisedRadius2(radius: number, fracBits: number): number {
  const r = radius * 2 ** fracBits;
  return Math.ceil(r * r);
}

// ---- synthetic clouds ------------------------------------------------------------------

export const SYNTHETIC_CLOUDS = ['sphere', 'planes', 'clutter', 'duplicates', 'ties', 'sparse', 'bunny'] as const;
export type SyntheticCloud = (typeof SYNTHETIC_CLOUDS)[number];

/**
 * A seeded cloud. sphere: points on the unit sphere; planes: three axis-aligned planes;
 * clutter: uniform in the unit cube; duplicates: a cloud where every point appears 2-3 times;
 * ties: an integer lattice (every distance is tied with others; coordinates k/8);
 * sparse: a few tight clusters far apart (most centers have fewer than K points within any
 * small radius); bunny: the Stanford bunny scan (npm `bunny`, 1839 vertices, n ignored
 * unless smaller: then its first n vertices).
 */
export function syntheticCloud(kind: string, n: number, seed: number): Cloud {
  const rng = new Prng(seed);
  const pts: number[][] = [];
  switch (kind) {
    case 'sphere':
      for (let i = 0; i < n; i++) {
        const v = [rng.normal(), rng.normal(), rng.normal()];
        const r = Math.hypot(v[0], v[1], v[2]) || 1;
        pts.push(v.map((x) => x / r));
      }
      break;
    case 'planes':
      for (let i = 0; i < n; i++) {
        const axis = i % 3;
        const p = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)];
        p[axis] = axis === 2 ? -0.5 : 0.25 * axis;
        pts.push(p);
      }
      break;
    case 'clutter':
      for (let i = 0; i < n; i++) pts.push([rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
      break;
    case 'duplicates': {
      const distinct = Math.max(1, Math.ceil(n / 2.5));
      const base: number[][] = [];
      for (let i = 0; i < distinct; i++) base.push([rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
      for (let i = 0; i < n; i++) pts.push([...base[i < distinct ? i : rng.int(distinct)]]);
      break;
    }
    case 'ties': {
      // Lattice points k/8 in [-1, 1]^3, shuffled, possibly repeated: exact distance ties everywhere.
      for (let i = 0; i < n; i++) pts.push([rng.int(9) - 4, rng.int(9) - 4, rng.int(9) - 4].map((v) => v / 8));
      break;
    }
    case 'sparse': {
      const clusters = Math.max(2, Math.ceil(n / 12));
      const centers: number[][] = [];
      for (let i = 0; i < clusters; i++) centers.push([rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)]);
      for (let i = 0; i < n; i++) {
        const c = centers[rng.int(clusters)];
        pts.push(c.map((v) => v + 0.01 * rng.normal()));
      }
      break;
    }
    case 'bunny':
      return bunnyCloud(n);
    default:
      fail(D.unknownSyntheticCloud, `unknown synthetic cloud '${kind}' (known: ${SYNTHETIC_CLOUDS.join(', ')})`);
  }
  return makeCloud(`${kind}-${n}-s${seed}`, pts);
}

/** The Stanford bunny's vertices (npm `bunny`), optionally the first n. */
export function bunnyCloud(n?: number): Cloud {
  const require = createRequire(import.meta.url);
  const positions = (require('bunny') as { positions: number[][] }).positions;
  const pts = n !== undefined && n > 0 && n < positions.length ? positions.slice(0, n) : positions;
  return makeCloud(pts.length === positions.length ? 'bunny' : `bunny-${pts.length}`, pts);
}
