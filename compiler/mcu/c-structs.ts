// The C parameter structs of the MCU kernels, one field table each: the table renders the typedefs
// of nacc_kernels.h and every initialiser the emitters write, as designated initialisers
// (`.in_h = 32`), so a reordered or renamed field fails to compile instead of running wrong.
import { D, fail } from '../diagnostics/index.ts';

/** A field's C type: scalars, a pointer to constant int32 tables, a rank-sized array, or a nested struct. */
type FieldType = 'int32_t' | 'float' | 'const int32_t *' | 'int32_t[NACC_MAX_RANK]' | 'nacc_broadcast';

/** Field tables, in declaration order (the order the typedef lists them; initialisers name them). */
export const C_STRUCTS = {
  nacc_conv_params: {
    batches: 'int32_t',
    in_h: 'int32_t',
    in_w: 'int32_t',
    in_c: 'int32_t',
    out_h: 'int32_t',
    out_w: 'int32_t',
    out_c: 'int32_t',
    k_h: 'int32_t',
    k_w: 'int32_t',
    stride_h: 'int32_t',
    stride_w: 'int32_t',
    dil_h: 'int32_t',
    dil_w: 'int32_t',
    pad_top: 'int32_t',
    pad_left: 'int32_t',
    filter_in_c: 'int32_t',
    depth_mult: 'int32_t',
    input_offset: 'int32_t',
    output_offset: 'int32_t',
    act_min: 'int32_t',
    act_max: 'int32_t',
    mult: 'const int32_t *',
    shift: 'const int32_t *',
  },
  nacc_fc_params: {
    batches: 'int32_t',
    accum_depth: 'int32_t',
    out_depth: 'int32_t',
    input_offset: 'int32_t',
    filter_offset: 'int32_t',
    output_offset: 'int32_t',
    act_min: 'int32_t',
    act_max: 'int32_t',
    mult: 'const int32_t *',
    shift: 'const int32_t *',
  },
  nacc_pool_params: {
    batches: 'int32_t',
    in_h: 'int32_t',
    in_w: 'int32_t',
    channels: 'int32_t',
    out_h: 'int32_t',
    out_w: 'int32_t',
    k_h: 'int32_t',
    k_w: 'int32_t',
    stride_h: 'int32_t',
    stride_w: 'int32_t',
    pad_top: 'int32_t',
    pad_left: 'int32_t',
    act_min: 'int32_t',
    act_max: 'int32_t',
  },
  nacc_broadcast: {
    rank: 'int32_t',
    needed: 'int32_t',
    out_shape: 'int32_t[NACC_MAX_RANK]',
    strides1: 'int32_t[NACC_MAX_RANK]',
    strides2: 'int32_t[NACC_MAX_RANK]',
  },
  nacc_add_params: {
    left_shift: 'int32_t',
    input1_offset: 'int32_t',
    input1_mult: 'int32_t',
    input1_shift: 'int32_t',
    input2_offset: 'int32_t',
    input2_mult: 'int32_t',
    input2_shift: 'int32_t',
    output_offset: 'int32_t',
    output_mult: 'int32_t',
    output_shift: 'int32_t',
    act_min: 'int32_t',
    act_max: 'int32_t',
    bc: 'nacc_broadcast',
  },
  nacc_mul_params: {
    input1_offset: 'int32_t',
    input2_offset: 'int32_t',
    output_offset: 'int32_t',
    output_mult: 'int32_t',
    output_shift: 'int32_t',
    act_min: 'int32_t',
    act_max: 'int32_t',
    bc: 'nacc_broadcast',
  },
  nacc_mean_params: {
    rank: 'int32_t',
    in_shape: 'int32_t[NACC_MAX_RANK]',
    reduced: 'int32_t[NACC_MAX_RANK]',
    num_outputs: 'int32_t',
    num_in_axis: 'int32_t',
    input_zp: 'int32_t',
    output_zp: 'int32_t',
    mult: 'int32_t',
    shift: 'int32_t',
  },
  nacc_softmax_params: {
    rows: 'int32_t',
    depth: 'int32_t',
    input_mult: 'int32_t',
    input_left_shift: 'int32_t',
    diff_min: 'int32_t',
  },
  nacc_pad_params: {
    rank: 'int32_t',
    in_shape: 'int32_t[NACC_MAX_RANK]',
    out_shape: 'int32_t[NACC_MAX_RANK]',
    before: 'int32_t[NACC_MAX_RANK]',
    pad_value: 'int32_t',
  },
  nacc_transpose_params: {
    rank: 'int32_t',
    in_shape: 'int32_t[NACC_MAX_RANK]',
    perm: 'int32_t[NACC_MAX_RANK]',
  },
  nacc_resize_params: {
    batches: 'int32_t',
    in_h: 'int32_t',
    in_w: 'int32_t',
    channels: 'int32_t',
    out_h: 'int32_t',
    out_w: 'int32_t',
    src_y: 'const int32_t *',
    src_x: 'const int32_t *',
  },
  nacc_quantize_params: {
    count: 'int32_t',
    zero_point: 'int32_t',
    input_zp: 'int32_t',
    mult: 'int32_t',
    shift: 'int32_t',
    scale: 'float',
  },
} as const satisfies Record<string, Record<string, FieldType>>;

export type CStructName = keyof typeof C_STRUCTS;

/** The value each field type takes in an initialiser: numbers, a C name for pointers, arrays, nested values. */
type ValueOf<T extends FieldType> = T extends 'int32_t' | 'float'
  ? number
  : T extends 'const int32_t *'
    ? string
    : T extends 'int32_t[NACC_MAX_RANK]'
      ? readonly number[]
      : StructValue<'nacc_broadcast'>;

/** Every field of struct S, by name: a missing or unknown field is a type error in the emitter. */
export type StructValue<S extends CStructName> = {
  readonly [F in keyof (typeof C_STRUCTS)[S]]: ValueOf<(typeof C_STRUCTS)[S][F] & FieldType>;
};

/** The largest rank the rank-sized arrays hold (NACC_MAX_RANK in nacc_kernels.h). */
export const MAX_RANK = 6;

/** An int32 as a C literal (INT32_MIN has no literal of its own). */
export const int32Literal = (v: number): string => (v === -2147483648 ? '(-2147483647 - 1)' : String(v));

/** A float32 as a C literal that reads back to the same float. */
export const f32Literal = (v: number): string => {
  if (!Number.isFinite(v)) fail(D.cEmission, `cannot emit the non-finite float ${v}`);
  const s = Math.fround(v).toPrecision(9);
  return `${s.includes('e') || s.includes('.') ? s : `${s}.0`}f`;
};

/** The typedefs of every struct, in table order (nacc_broadcast before the structs that hold it). */
export function renderTypedefs(): string {
  return Object.entries(C_STRUCTS)
    .map(([name, fields]) => {
      const lines = Object.entries(fields as Record<string, FieldType>).map(([f, t]) =>
        t === 'int32_t[NACC_MAX_RANK]'
          ? `  int32_t ${f}[NACC_MAX_RANK];`
          : t === 'const int32_t *'
            ? `  const int32_t *${f};`
            : `  ${t} ${f};`,
      );
      return ['typedef struct {', ...lines, `} ${name};`].join('\n');
    })
    .join('\n\n');
}

function valueText(type: FieldType, v: unknown, where: string): string {
  switch (type) {
    case 'int32_t':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647)
        throw new Error(`internal: ${where} is not an int32 (${String(v)})`);
      return int32Literal(v);
    case 'float':
      return f32Literal(v as number);
    case 'const int32_t *':
      return v as string;
    case 'int32_t[NACC_MAX_RANK]': {
      const a = v as readonly number[];
      if (a.length > MAX_RANK) throw new Error(`internal: ${where} has ${a.length} > ${MAX_RANK} entries`);
      return `{${[...a, ...new Array(MAX_RANK - a.length).fill(0)].map((x) => int32Literal(x)).join(', ')}}`;
    }
    case 'nacc_broadcast':
      return structInit('nacc_broadcast', v as StructValue<'nacc_broadcast'>);
  }
}

/** A designated initialiser of struct S: `{.batches = 1, .in_h = 32, ...}`, fields in table order. */
export function structInit<S extends CStructName>(name: S, value: StructValue<S>): string {
  const fields = C_STRUCTS[name] as Record<string, FieldType>;
  const given = value as Record<string, unknown>;
  for (const k of Object.keys(given)) if (!(k in fields)) throw new Error(`internal: ${name} has no field ${k}`);
  return `{${Object.entries(fields)
    .map(([f, t]) => {
      if (!(f in given)) throw new Error(`internal: ${name}.${f} has no value`);
      return `.${f} = ${valueText(t, given[f], `${name}.${f}`)}`;
    })
    .join(', ')}}`;
}

/** `static const S pK = {...};` */
export function structDecl<S extends CStructName>(name: S, varName: string, value: StructValue<S>): string {
  return `static const ${name} ${varName} = ${structInit(name, value)};`;
}
