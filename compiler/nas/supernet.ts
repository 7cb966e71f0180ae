// Subnets of a supernet: sampling, mutation and crossover over the per-stage choices, a
// documented numeric encoding (for accuracy predictors), and lowering of any choice to an
// ordinary network by writing it as .nacc text and compiling it (same IR, same backends).
import { D, SourceFile, UserError } from '../diagnostics/index.ts';
import { compileSource } from '../frontend/index.ts';
import type { Network } from '../ir/network.ts';
import type { SubnetConfig, SupernetSpec } from '../ir/supernet.ts';
import type { Prng } from '../util/prng.ts';

const pick = <T>(xs: readonly T[], rng: Prng): T => xs[rng.int(xs.length)];
const last = <T>(xs: readonly T[]): T => xs[xs.length - 1];

/** The largest subnet: every choice at its maximum (what a once-for-all supernet trains first). */
export function largestConfig(s: SupernetSpec): SubnetConfig {
  return {
    resolution: last(s.resolution),
    stages: s.stages.map((st) => ({ depth: last(st.depth), width: last(st.width), expand: last(st.expand), kernel: last(st.kernel) })),
  };
}

/** The smallest subnet: every choice at its minimum. */
export function smallestConfig(s: SupernetSpec): SubnetConfig {
  return {
    resolution: s.resolution[0],
    stages: s.stages.map((st) => ({ depth: st.depth[0], width: st.width[0], expand: st.expand[0], kernel: st.kernel[0] })),
  };
}

/** A uniformly random subnet. */
export function sampleConfig(s: SupernetSpec, rng: Prng): SubnetConfig {
  return {
    resolution: pick(s.resolution, rng),
    stages: s.stages.map((st) => ({
      depth: pick(st.depth, rng),
      width: pick(st.width, rng),
      expand: pick(st.expand, rng),
      kernel: pick(st.kernel, rng),
    })),
  };
}

/** Each choice re-drawn with probability `p`. */
export function mutateConfig(s: SupernetSpec, c: SubnetConfig, rng: Prng, p = 0.2): SubnetConfig {
  const maybe = <T>(cur: T, xs: readonly T[]): T => (rng.next() < p ? pick(xs, rng) : cur);
  return {
    resolution: maybe(c.resolution, s.resolution),
    stages: c.stages.map((x, i) => {
      const st = s.stages[i];
      return {
        depth: maybe(x.depth, st.depth),
        width: maybe(x.width, st.width),
        expand: maybe(x.expand, st.expand),
        kernel: maybe(x.kernel, st.kernel),
      };
    }),
  };
}

/** Each choice taken from either parent with equal probability. */
export function crossoverConfig(a: SubnetConfig, b: SubnetConfig, rng: Prng): SubnetConfig {
  const either = <T>(x: T, y: T): T => (rng.next() < 0.5 ? x : y);
  return {
    resolution: either(a.resolution, b.resolution),
    stages: a.stages.map((x, i) => {
      const y = b.stages[i];
      return {
        depth: either(x.depth, y.depth),
        width: either(x.width, y.width),
        expand: either(x.expand, y.expand),
        kernel: either(x.kernel, y.kernel),
      };
    }),
  };
}

/**
 * A stable text key of a configuration, used in tables and JSON:
 * `r28/d2-w0.5-e3-k3/d1-w1-e6-k5` (resolution, then per stage depth, width, expand, kernel).
 */
export function configKey(c: SubnetConfig): string {
  return [`r${c.resolution}`, ...c.stages.map((x) => `d${x.depth}-w${x.width}-e${x.expand}-k${x.kernel}`)].join('/');
}

/** Parse a configuration key; undefined when it does not fit the supernet. */
export function parseConfigKey(s: SupernetSpec, key: string): SubnetConfig | undefined {
  const parts = key.trim().split('/');
  if (parts.length !== s.stages.length + 1) return undefined;
  const r = /^r(\d+)$/.exec(parts[0]);
  if (!r) return undefined;
  const stages: SubnetConfig['stages'] = [];
  for (let i = 0; i < s.stages.length; i++) {
    const m = /^d(\d+)-w([\d.]+)-e(\d+)-k(\d+)$/.exec(parts[i + 1]);
    if (!m) return undefined;
    stages.push({ depth: Number(m[1]), width: Number(m[2]), expand: Number(m[3]), kernel: Number(m[4]) });
  }
  const c = { resolution: Number(r[1]), stages };
  return validConfig(s, c) ? c : undefined;
}

/** True when every choice of `c` is one the supernet offers. */
export function validConfig(s: SupernetSpec, c: SubnetConfig): boolean {
  return (
    s.resolution.includes(c.resolution) &&
    c.stages.length === s.stages.length &&
    c.stages.every(
      (x, i) =>
        s.stages[i].depth.includes(x.depth) &&
        s.stages[i].width.includes(x.width) &&
        s.stages[i].expand.includes(x.expand) &&
        s.stages[i].kernel.includes(x.kernel),
    )
  );
}

/**
 * The numeric encoding accuracy predictors take (docs/nas.md): a float vector of length
 * 1 + 4 * stages — the resolution, then per stage depth, width, expand and kernel, each
 * scaled to [0, 1] as (value - min choice) / (max choice - min choice), 0 where a dimension
 * has a single choice.
 */
export function encodeConfig(s: SupernetSpec, c: SubnetConfig): Float32Array {
  const unit = (x: number, xs: readonly number[]) => (xs.length > 1 ? (x - xs[0]) / (last(xs) - xs[0]) : 0);
  const v = [unit(c.resolution, s.resolution)];
  c.stages.forEach((x, i) => {
    const st = s.stages[i];
    v.push(unit(x.depth, st.depth), unit(x.width, st.width), unit(x.expand, st.expand), unit(x.kernel, st.kernel));
  });
  return Float32Array.from(v);
}

/** Output channels of a stage at a width multiplier: rounded to a multiple of 4 (at least 4), or exact below 8. */
export function stageChannels(out: number, width: number): number {
  const c = out * width;
  if (out < 8) return Math.max(1, Math.round(c));
  return Math.max(4, 4 * Math.round(c / 4));
}

/** An identifier for a subnet's network: the supernet's name and its choices. */
export function subnetName(s: SupernetSpec, c: SubnetConfig): string {
  const w = (x: number) => String(Math.round(x * 100));
  return `${s.name}_r${c.resolution}_${c.stages.map((x) => `d${x.depth}w${w(x.width)}e${x.expand}k${x.kernel}`).join('_')}`;
}

/** Layer names of block `b` of stage `i` (the mbconv's sub-layers are `<name>.expand`, `.dw`, `.project`, `.add`). */
export const blockName = (i: number, b: number) => `s${i}b${b}`;

/**
 * The subnet as .nacc source: a stem convolution, per stage `depth` inverted-residual blocks
 * (the first with the stage's stride), an optional 1x1 head convolution, global pooling and
 * the classifier. Layer names are stable across subnets (`stem`, `s<i>b<j>.dw`, `head`,
 * `logits`), which is what weight sharing keys on.
 */
export function subnetSource(s: SupernetSpec, c: SubnetConfig, dtype: SupernetSpec['dtype'] = s.dtype): string {
  const lines = [
    `// Subnet ${configKey(c)} of supernet '${s.name}'.`,
    `network ${subnetName(s, c)} {`,
    `  input image: ${dtype}[${c.resolution}, ${c.resolution}, ${s.channels}]`,
    `  stem = conv2d(image, out: ${s.stem.out}, kernel: 3, stride: ${s.stem.stride}, act: relu6)`,
  ];
  let prev = 'stem';
  c.stages.forEach((x, i) => {
    const out = stageChannels(s.stages[i].out, x.width);
    for (let b = 0; b < x.depth; b++) {
      const name = blockName(i, b);
      lines.push(
        `  ${name} = mbconv(${prev}, expand: ${x.expand}, out: ${out}, kernel: ${x.kernel}, stride: ${b === 0 ? s.stages[i].stride : 1})`,
      );
      prev = name;
    }
  });
  if (s.head > 0) {
    lines.push(`  head = conv2d(${prev}, out: ${s.head}, kernel: 1, act: relu6)`);
    prev = 'head';
  }
  lines.push(`  pool = avgpool(${prev}, global: true)`, `  logits = dense(pool, out: ${s.classes})`, `  output logits`, `}`, '');
  return lines.join('\n');
}

/** Lower a subnet to the network IR through the front end (`dtype`: its input's, e.g. int8 as deployed). */
export function lowerSubnet(s: SupernetSpec, c: SubnetConfig, dtype: SupernetSpec['dtype'] = s.dtype): Network {
  const text = subnetSource(s, c, dtype);
  const r = compileSource(new SourceFile(`<subnet ${configKey(c)} of ${s.name}>`, text), { external: 'any' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || r.program.networks.length !== 1) {
    throw new UserError([
      {
        severity: 'error',
        code: D.subnetLowering.code,
        message: `supernet '${s.name}': subnet ${configKey(c)} does not lower (${errors.map((e) => e.message).join('; ') || 'no network'})`,
        location: s.location,
      },
    ]);
  }
  return { ...r.program.networks[0], location: s.location };
}

/** Every configuration of the supernet, when there are at most `limit` (else undefined). */
export function allConfigs(s: SupernetSpec, limit = 100_000): SubnetConfig[] | undefined {
  const perStage = s.stages.map((st) => st.depth.length * st.width.length * st.expand.length * st.kernel.length);
  const total = perStage.reduce((a, b) => a * b, s.resolution.length);
  if (total > limit) return undefined;
  const out: SubnetConfig[] = [];
  const stageChoices = s.stages.map((st) =>
    st.depth.flatMap((depth) =>
      st.width.flatMap((width) => st.expand.flatMap((expand) => st.kernel.map((kernel) => ({ depth, width, expand, kernel })))),
    ),
  );
  const rec = (i: number, acc: SubnetConfig['stages'], resolution: number) => {
    if (i === s.stages.length) return void out.push({ resolution, stages: [...acc] });
    for (const x of stageChoices[i]) rec(i + 1, [...acc, x], resolution);
  };
  for (const r of s.resolution) rec(0, [], r);
  return out;
}
