// MAESTRO's input files to its IR: the mapping file (`Network { Layer { Type, Stride,
// Dimensions, Dataflow } }`) and the HW file (`num_pes: 256` ...). Same tokens and the same
// rejections as MAESTRO's parser, reported as located errors.
import { D, SourceFile, UserError, type Diagnostic, type Location } from '../../diagnostics/index.ts';
import type { Directive, LayerDimension, LayerType, MaestroHardware, MaestroLayer, MaestroNetwork } from '../../naas/maestro/types.ts';

interface Token {
  text: string;
  offset: number;
}

/** Tokens as MAESTRO's boost tokenizer cuts them: separators " ,->():\t;" dropped, `//` to end of line. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const sep = new Set([' ', ',', '-', '>', '(', ')', ':', '\t', ';', '\r']);
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let i = lineStart;
    while (i < lineEnd) {
      if (sep.has(text[i])) {
        i++;
        continue;
      }
      let j = i;
      while (j < lineEnd && !sep.has(text[j])) j++;
      const tok = text.slice(i, j);
      if (tok.startsWith('//')) break;
      out.push({ text: tok, offset: i });
      i = j;
    }
    lineStart = lineEnd + 1;
  }
  return out;
}

/** C's atoi: optional sign and leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

const LAYER_TYPES: Record<string, { type: LayerType; transposed?: boolean } | 'unsupported'> = {
  CONV: { type: 'CONV' },
  DSCONV: { type: 'DSCONV' },
  NGCONV: { type: 'NGCONV' },
  GEMM: { type: 'GEMM' },
  TRCONV: { type: 'CONV', transposed: true },
  FC: 'unsupported',
  LSTM: 'unsupported',
  POOL: 'unsupported',
};

/** Parses a model (`.m`) file: MAESTRO's zoo networks, layers with no Dataflow blocks. */
export function parseMaestroModel(text: string, path: string): MaestroNetwork {
  return parseMaestroMapping(text, path, { requireDataflow: false });
}

/**
 * Parses a mapping (`.m`) file. Throws UserError (exit 1) with the offending token's location.
 * With `requireDataflow: false` (model files) a layer without a Dataflow keeps an empty one.
 */
export function parseMaestroMapping(text: string, path: string, opts: { requireDataflow?: boolean } = {}): MaestroNetwork {
  const requireDataflow = opts.requireDataflow ?? true;
  const src = new SourceFile(path, text);
  const toks = tokenize(text);
  const loc = (t: Token | undefined): Location =>
    t ? src.locationAt(t.offset, t.text.length) : src.locationAt(Math.max(0, text.length - 1));
  const err = (code: string, message: string, t: Token | undefined): never => {
    const d: Diagnostic = { severity: 'error', code, message, location: loc(t) };
    throw new UserError([d]);
  };
  const constants = new Map<string, number>();
  const layers: MaestroLayer[] = [];
  let networkName = '';
  let i = 0;
  const next = (): Token | undefined => toks[i++];
  const expect = (what: string, code = D.maestroSyntax.code): Token => {
    const t = next();
    if (!t || t.text !== what) return err(code, `expected '${what}'${t ? `, found '${t.text}'` : ' before the end of the file'}`, t);
    return t;
  };
  let prevDataflow: Directive[] | undefined;
  const value = (t: Token | undefined, dims: LayerDimension[] | undefined, what: string): number => {
    if (!t) return err(D.maestroEof.code, `expected ${what} before the end of the file`, t);
    if (t.text === 'Sz') {
      const name = next();
      const d = dims?.find((x) => x.name === name?.text);
      if (!d)
        return err(D.maestroSz.code, `Sz(${name?.text ?? ''}): dimension ${name?.text ?? ''} is not in the layer's Dimensions`, name ?? t);
      return d.size;
    }
    const v = constants.get(t.text) ?? atoi(t.text);
    if (v <= 0) return err(D.maestroPositive.code, `${what} must be a positive integer, found '${t.text}'`, t);
    return v;
  };
  while (i < toks.length) {
    const t = next()!;
    if (t.text === 'Constant') {
      const name = next();
      const v = next();
      if (!name || !v) return err(D.maestroSyntax.code, 'Constant needs a name and a value', t);
      constants.set(name.text, atoi(v.text));
      continue;
    }
    if (t.text === 'Accelerator')
      return err(D.maestroAcceleratorBlock.code, 'Accelerator blocks are not supported; give the hardware with flags or a HW file', t);
    if (t.text !== 'Network') continue; // MAESTRO ignores anything else between blocks
    const nameTok = next();
    if (!nameTok) return err(D.maestroSyntax.code, "expected the network's name", t);
    if (nameTok.text === '{') i--;
    else networkName = nameTok.text;
    expect('{');
    for (;;) {
      const lt = next();
      if (!lt) return err(D.maestroSyntax.code, "expected 'Layer' or '}' before the end of the file", lt);
      if (lt.text === '}') break;
      if (lt.text !== 'Layer') return err(D.maestroSyntax.code, `expected 'Layer' or '}', found '${lt.text}'`, lt);
      let tmpName = '';
      let nt = next();
      while (nt && nt.text !== '{') {
        tmpName = nt.text;
        nt = next();
      }
      if (!nt) return err(D.maestroSyntax.code, "expected '{' after the layer's name", lt);
      let kind: { type: LayerType; transposed?: boolean } | undefined;
      let layerName = '';
      let typeTok: Token | undefined;
      const strides = new Map<string, number>();
      let dims: LayerDimension[] | undefined;
      let dataflow: Directive[] = [];
      let sawDataflow = false;
      for (;;) {
        const bt = next();
        if (!bt) return err(D.maestroSyntax.code, "expected '}' closing the layer before the end of the file", lt);
        if (bt.text === '}') break;
        if (bt.text === 'Type') {
          typeTok = next();
          const k = typeTok ? LAYER_TYPES[typeTok.text] : undefined;
          if (!typeTok || k === undefined)
            return err(
              D.maestroLayerType.code,
              `unknown layer type '${typeTok?.text ?? ''}' (CONV, DSCONV, NGCONV, TRCONV, GEMM)`,
              typeTok ?? bt,
            );
          if (k === 'unsupported')
            return err(
              D.maestroLayerTypeUnimplemented.code,
              `layer type ${typeTok.text} is parsed but not implemented by MAESTRO`,
              typeTok,
            );
          kind = k;
          layerName = tmpName || 'Layer';
          tmpName = '';
        } else if (bt.text === 'Stride') {
          if (dims) return err(D.maestroStrideOrder.code, 'Stride must come before Dimensions', bt);
          expect('{');
          for (;;) {
            const s = next();
            if (!s) return err(D.maestroSyntax.code, "expected '}' closing Stride", bt);
            if (s.text === '}') break;
            const v = next();
            const n = v ? atoi(v.text) : 0;
            if (n < 1) return err(D.maestroStride.code, 'a stride must be a positive integer', v ?? s);
            strides.set(s.text, n);
          }
        } else if (bt.text === 'Dimensions') {
          dims = [];
          expect('{');
          for (;;) {
            const s = next();
            if (!s) return err(D.maestroSyntax.code, "expected '}' closing Dimensions", bt);
            if (s.text === '}') break;
            tmpName = s.text;
            const v = next();
            const n = v ? (constants.get(v.text) ?? atoi(v.text)) : 0;
            if (n === 0) return err(D.maestroDimensionSize.code, `dimension ${s.text} needs a non-zero size`, v ?? s);
            dims.push({ name: s.text, size: n, stride: strides.get(s.text) ?? 1 });
          }
        } else if (bt.text === 'Dataflow') {
          sawDataflow = true;
          expect('{');
          for (;;) {
            const d = next();
            if (!d) return err(D.maestroSyntax.code, "expected '}' closing Dataflow", bt);
            if (d.text === '}') break;
            if (d.text === 'TemporalMap' || d.text === 'SpatialMap') {
              const size = value(next(), dims, 'a map size');
              const ofsTok = toks[i];
              const ofs = value(next(), dims, 'a map offset');
              const v = next();
              if (!v) return err(D.maestroSyntax.code, 'expected the mapped dimension', d);
              const location = src.locationAt(d.offset, v.offset + v.text.length - d.offset);
              if (d.text === 'TemporalMap' && (v.text === 'R' || v.text === 'S')) {
                if (size !== ofs)
                  return err(
                    D.maestroTemporalOffset.code,
                    `TemporalMap on ${v.text}: its size (${size}) must equal its offset (${ofs})`,
                    ofsTok,
                  );
                const dim = dims?.find((x) => x.name === v.text);
                if (dim && dim.size !== size)
                  return err(
                    D.maestroTemporalSize.code,
                    `TemporalMap on ${v.text}: its size (${size}) must equal the dimension's size (${dim.size})`,
                    v,
                  );
              }
              dataflow.push({ kind: d.text === 'TemporalMap' ? 'temporal' : 'spatial', size, ofs, variable: v.text, location });
            } else if (d.text === 'Cluster') {
              const size = value(next(), dims, 'a cluster size');
              const ty = next();
              if (!ty || (ty.text !== 'L' && ty.text !== 'P'))
                return err(D.maestroClusterType.code, `a Cluster's type must be L or P, found '${ty?.text ?? ''}'`, ty ?? d);
              dataflow.push({ kind: 'cluster', size, ofs: 0, variable: '', location: src.locationAt(d.offset, ty.offset + 1 - d.offset) });
            } else return err(D.maestroDirective.code, `expected TemporalMap, SpatialMap, Cluster or '}', found '${d.text}'`, d);
          }
        } else return err(D.maestroSyntax.code, `expected Type, Stride, Dimensions, Dataflow or '}', found '${bt.text}'`, bt);
      }
      const layerLoc = src.locationAt(lt.offset, 5);
      if (!kind) return err(D.maestroNoType.code, `layer ${tmpName || ''} has no (implemented) Type`.replace('  ', ' '), lt);
      if ((!sawDataflow || dataflow.length === 0) && (requireDataflow || prevDataflow)) {
        if (!prevDataflow)
          return err(D.maestroNoDataflow.code, `layer ${layerName} has no Dataflow and there is no earlier layer to inherit one from`, lt);
        // MAESTRO shares the previous layer's directive list (and its directives) with this layer,
        // and its analysis rewrites them in place: evaluate.ts keeps that sharing.
        dataflow = prevDataflow;
      }
      prevDataflow = dataflow;
      layers.push({ name: layerName, type: kind.type, transposed: kind.transposed, dims: dims ?? [], dataflow, location: layerLoc });
    }
  }
  if (layers.length === 0) err(D.maestroNoNetwork.code, 'no Network with layers found', toks[toks.length - 1]);
  return { name: networkName, layers };
}

/** Parses a HW file (`num_pes`, `l1_size_cstr`, `l2_size_cstr`, `noc_bw_cstr`, `NoC_NumHops`, `offchip_bw_cstr`). */
export function parseMaestroHw(text: string, path: string): MaestroHardware {
  const src = new SourceFile(path, text);
  const toks = tokenize(text);
  const INT_MAX = 2147483647;
  // A HW file replaces every resource; what it leaves out takes the HWConfig defaults.
  const hw: MaestroHardware = {
    numPes: 1,
    l1Size: INT_MAX,
    l2Size: INT_MAX,
    nocBw: INT_MAX,
    nocLatency: 1,
    offchipBw: INT_MAX,
    simdLanes: 1,
  };
  const keys: Record<string, keyof MaestroHardware> = {
    num_pes: 'numPes',
    l1_size_cstr: 'l1Size',
    l2_size_cstr: 'l2Size',
    noc_bw_cstr: 'nocBw',
    NoC_NumHops: 'nocLatency',
    offchip_bw_cstr: 'offchipBw',
  };
  for (let i = 0; i < toks.length; i += 2) {
    const k = toks[i];
    const field = keys[k.text];
    if (!field)
      throw new UserError([
        {
          severity: 'error',
          code: D.maestroHwKey.code,
          message: `unknown HW file key '${k.text}' (${Object.keys(keys).join(', ')})`,
          location: src.locationAt(k.offset, k.text.length),
        },
      ]);
    const v = toks[i + 1];
    if (!v)
      throw new UserError([
        {
          severity: 'error',
          code: D.maestroHwValue.code,
          message: `${k.text} needs a value`,
          location: src.locationAt(k.offset, k.text.length),
        },
      ]);
    hw[field] = atoi(v.text);
  }
  if (!(hw.numPes > 0) || !(hw.nocBw > 0) || !(hw.offchipBw > 0)) {
    throw new UserError([
      {
        severity: 'error',
        code: D.maestroHwPositive.code,
        message: 'num_pes, noc_bw_cstr and offchip_bw_cstr must be positive',
        location: src.locationAt(0, 1),
      },
    ]);
  }
  return hw;
}
