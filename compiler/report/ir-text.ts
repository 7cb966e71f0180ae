// The lowered IR as text and as plain JSON, for `nacc inspect --print-ir`: what the front-end
// (or an importer) made of a file, one primitive layer per line, with types and source spans.
import type { Location } from '../diagnostics/diagnostic.ts';
import type { AttrValue, ConstTensor, Layer, Network, TensorType } from '../ir/network.ts';
import type { Program } from '../ir/program.ts';

const typeText = (t: TensorType) => `${t.dtype} ${t.kind}[${t.shape.join(', ')}]${t.estimated ? '~' : ''}`;

function attrText(v: AttrValue): string {
  if (Array.isArray(v)) return `[${(v as (number | string)[]).map((x) => (typeof x === 'string' ? x : String(x))).join(', ')}]`;
  return String(v);
}

const where = (l: Location | undefined) => (l ? `${l.file.split(/[\\/]/).pop()}:${l.line}:${l.column}` : '');

function weightsText(w: Record<string, ConstTensor> | undefined): string {
  if (!w) return '';
  return Object.keys(w)
    .sort()
    .map((k) => `${k}: ${w[k].dtype}[${w[k].shape.join(', ')}]`)
    .join(', ');
}

function layerLine(l: Layer): string {
  const attrs = Object.keys(l.attrs)
    .sort()
    .map((k) => `${k}: ${attrText(l.attrs[k])}`)
    .join(', ');
  const weights = weightsText(l.weights);
  const notes = [l.origin ? `from ${l.origin}` : '', where(l.location)].filter(Boolean).join(', ');
  return (
    `  %${l.name} = ${l.op}(${l.inputs.map((i) => `%${i}`).join(', ')})` +
    (attrs ? ` {${attrs}}` : '') +
    (weights ? ` weights {${weights}}` : '') +
    ` : ${typeText(l.output)}` +
    (notes ? `  // ${notes}` : '')
  );
}

/** One network as text: inputs, one primitive layer per line in topological order, outputs. */
export function networkIrText(n: Network): string {
  const lines = [`network ${n.name} {  // ${n.source}${n.location ? `, ${where(n.location)}` : ''}`];
  for (const i of n.inputs) {
    const attrs =
      i.attrs && Object.keys(i.attrs).length
        ? ` {${Object.keys(i.attrs)
            .sort()
            .map((k) => `${k}: ${attrText(i.attrs![k])}`)
            .join(', ')}}`
        : '';
    lines.push(`  input %${i.name} : ${typeText(i.type)}${attrs}`);
  }
  for (const l of n.layers) lines.push(layerLine(l));
  lines.push(`  output ${n.outputs.map((o) => `%${o}`).join(', ')}`);
  lines.push('}');
  return lines.join('\n');
}

/** A declaration without its source location, as stable JSON (keys sorted). */
function declText(kind: string, d: { name: string; location?: Location }): string {
  const { location, name, ...rest } = d;
  return `${kind} ${name} ${stableJson(rest)}${location ? `  // ${where(location)}` : ''}`;
}

/** JSON with object keys sorted, so the dump does not depend on construction order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(', ')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${k}: ${stableJson(o[k])}`)
      .join(', ')}}`;
  }
  return JSON.stringify(v);
}

/** The whole program as text (networks, then the other declarations in file-kind order). */
export function programIrText(p: Pick<Program, 'networks'> & Partial<Program>): string {
  const parts: string[] = [];
  for (const n of p.networks) parts.push(networkIrText(n));
  for (const a of p.accelerators ?? []) parts.push(declText('accelerator', a));
  for (const s of p.spaces ?? []) parts.push(declText('space', s));
  for (const m of p.mcus ?? []) parts.push(declText('mcu', m));
  for (const c of p.pointaccs ?? []) parts.push(declText('pointacc', c));
  for (const f of p.federated ?? []) parts.push(declText('federated', f));
  return parts.join('\n\n') + '\n';
}

/** Plain-JSON IR (constant data summarised by dtype and shape; locations as "file:line:col"). */
export function programIrJson(p: Pick<Program, 'networks'> & Partial<Program>): unknown {
  const loc = (l: Location | undefined) => (l ? { location: `${l.file}:${l.line}:${l.column}` } : {});
  const decl = <T extends { location?: Location }>(d: T) => {
    const { location, ...rest } = d;
    return { ...rest, ...loc(location) };
  };
  return {
    networks: p.networks.map((n) => ({
      name: n.name,
      source: n.source,
      ...loc(n.location),
      inputs: n.inputs.map((i) => ({ name: i.name, type: i.type, ...(i.attrs ? { attrs: i.attrs } : {}), ...loc(i.location) })),
      layers: n.layers.map((l) => ({
        name: l.name,
        op: l.op,
        inputs: l.inputs,
        attrs: l.attrs,
        output: l.output,
        ...(l.origin ? { origin: l.origin } : {}),
        ...(l.weights
          ? { weights: Object.fromEntries(Object.entries(l.weights).map(([k, w]) => [k, { dtype: w.dtype, shape: w.shape }])) }
          : {}),
        ...loc(l.location),
      })),
      outputs: n.outputs,
    })),
    accelerators: (p.accelerators ?? []).map(decl),
    spaces: (p.spaces ?? []).map(decl),
    mcus: (p.mcus ?? []).map(decl),
    pointaccs: (p.pointaccs ?? []).map(decl),
    federated: (p.federated ?? []).map(decl),
  };
}
