// Our IR to the YAML `timeloop-model` v3.0.3 reads: a v0.4 architecture (one flat `local`
// list with meshes), a problem with its shape and instance, and a mapping list
// (permutations innermost first, as Timeloop writes them). The ERT is written alongside so
// the energies are the ones our model used.
import { stringify } from 'yaml';
import type { Architecture } from '../../ir/architecture.ts';
import type { Mapping } from '../../ir/mapping.ts';
import type { Problem } from '../../ir/problem.ts';

const range = (n: number): string => `[1..${n}]`;

export function architectureToYaml(arch: Architecture): string {
  const local: unknown[] = arch.levels.map((lv) => {
    const width = lv.wordBits * lv.blockSize;
    const attributes: Record<string, unknown> = {
      datawidth: lv.wordBits,
      width,
      meshX: lv.meshX,
      meshY: lv.meshY,
    };
    if (lv.sizeWords !== undefined) attributes.depth = Math.ceil(lv.sizeWords / lv.blockSize);
    if (lv.readBandwidth !== undefined) attributes.read_bandwidth = lv.readBandwidth;
    if (lv.writeBandwidth !== undefined) attributes.write_bandwidth = lv.writeBandwidth;
    if (lv.sizeWords === undefined && !lv.dummy) attributes.type = 'LPDDR4';
    const cls = lv.dummy ? 'dummy_storage' : lv.sizeWords === undefined ? 'DRAM' : lv.sizeWords <= 1024 ? 'smartbuffer_RF' : 'smartbuffer_SRAM';
    if (lv.dummy) Object.assign(attributes, { width: 1, depth: 1, datawidth: 1 });
    return { name: `${lv.name}${range(lv.instances)}`, class: cls, attributes };
  });
  local.push({
    name: `${arch.compute.name}${range(arch.compute.instances)}`,
    class: 'intmac',
    attributes: { multiplier_width: arch.compute.wordBits, adder_width: 2 * arch.compute.wordBits, meshX: arch.compute.meshX, meshY: arch.compute.meshY },
  });
  return stringify({
    architecture: {
      version: '0.4',
      subtree: [{ name: 'system', attributes: { technology: '45nm', global_cycle_seconds: 1e-9 }, local }],
    },
  }, { aliasDuplicateObjects: false });
}

export function ertToYaml(arch: Architecture): string {
  const tables = arch.levels
    .filter((l) => !l.dummy)
    .map((l) => ({
      name: `system.${l.name}${range(l.instances)}`,
      actions: [
        { name: 'read', arguments: {}, energy: l.energy.read },
        { name: 'write', arguments: {}, energy: l.energy.write },
        { name: 'update', arguments: {}, energy: l.energy.update },
        { name: 'leak', arguments: {}, energy: l.energy.leak },
      ],
    }));
  tables.push({
    name: `system.${arch.compute.name}${range(arch.compute.instances)}`,
    actions: [
      { name: 'compute', arguments: {}, energy: arch.compute.energyPerMac },
      { name: 'leak', arguments: {}, energy: arch.compute.leakPerCycle },
    ],
  });
  return stringify({ ERT: { version: '0.4', tables } }, { aliasDuplicateObjects: false });
}

export function problemToYaml(p: Problem): string {
  return stringify({
    problem: {
      version: '0.4',
      shape: {
        name: p.name,
        dimensions: p.dims,
        coefficients: [] as unknown[],
        data_spaces: p.dataSpaces.map((d) => ({
          name: d.name,
          projection: d.projection.map((axis) => axis.map((t) => (t.coef === 1 ? [t.dim] : [t.dim, `${t.dim}_coef`]))),
          ...(d.readWrite ? { read_write: true } : {}),
        })),
      },
      instance: {
        ...Object.fromEntries(p.dims.map((d) => [d, p.bounds[d]])),
        ...Object.fromEntries(p.dataSpaces.flatMap((d) => d.projection.flat().filter((t) => t.coef !== 1).map((t) => [`${t.dim}_coef`, t.coef]))),
      },
    },
  }, { aliasDuplicateObjects: false }).replace('coefficients: []', coefficientsBlock(p));
}

function coefficientsBlock(p: Problem): string {
  const names = [...new Set(p.dataSpaces.flatMap((d) => d.projection.flat().filter((t) => t.coef !== 1).map((t) => `${t.dim}_coef`)))];
  if (names.length === 0) return 'coefficients: []';
  return 'coefficients:\n' + names.map((n) => `      - name: ${n}\n        default: 1`).join('\n');
}

export function mappingToYaml(m: Mapping, p: Problem): string {
  const out: unknown[] = [];
  for (const lv of m.levels) {
    const tf = new Map(lv.temporal.map((t) => [t.dim, t.bound]));
    const inner = [...lv.temporal].reverse().map((t) => t.dim);
    const perm = [...inner, ...p.dims.filter((d) => !inner.includes(d))];
    out.push({ target: lv.level, type: 'temporal', factors: p.dims.map((d) => `${d}=${tf.get(d) ?? 1}`).join(' '), permutation: perm.join('') });
    if (lv.spatial.some((s) => s.bound > 1)) {
      const sf = new Map<string, number>();
      for (const s of lv.spatial) sf.set(s.dim, (sf.get(s.dim) ?? 1) * s.bound);
      const xs = lv.spatial.filter((s) => s.axis === 'X').map((s) => s.dim);
      const ys = lv.spatial.filter((s) => s.axis === 'Y').map((s) => s.dim);
      const rest = p.dims.filter((d) => !xs.includes(d) && !ys.includes(d));
      out.push({
        target: lv.level,
        type: 'spatial',
        factors: p.dims.map((d) => `${d}=${sf.get(d) ?? 1}`).join(' '),
        permutation: [...xs, ...ys, ...rest].join(''),
        split: xs.length,
      });
    }
    out.push({ target: lv.level, type: 'datatype', keep: lv.keep, bypass: p.dataSpaces.map((d) => d.name).filter((d) => !lv.keep.includes(d)) });
  }
  return stringify({ mapping: out }, { aliasDuplicateObjects: false });
}
