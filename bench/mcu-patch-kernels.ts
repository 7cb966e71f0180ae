// Instructions per MAC in QEMU (-icount, Cortex-M4 mps2-an386) per layer kind, portable
// reference kernels against the SMLAD fast kernels (templates/mcu/dsp-library/), on
// single-layer models and on the shared models (layer-by-layer and the auto patch schedule).
// Every run is also checked bit for bit against the TS reference executor.
// Run: npx tsx bench/mcu-patch-kernels.ts [--json] [--no-models]
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, thousands } from '../compiler/cli/table.ts';
import { importTflite } from '../compiler/importers/tflite/index.ts';
import type { QModel, QTensor } from '../compiler/ir/quantized.ts';
import { modelMacs } from '../compiler/ir/quantized.ts';
import { compileForMcu } from '../compiler/mcu/compile.ts';
import { buildArm, runQemu, ticksToInstructions } from '../testbench/mcu/runner.ts';
import { resolveBoard } from '../compiler/mcu/targets.ts';
import { runModel, toBytes } from '../compiler/reference/int8/executor.ts';
import { Prng } from '../compiler/util/prng.ts';
import { randomModelInput } from './mcu-random-input.ts';

const json = process.argv.includes('--json');
const work = mkdtempSync(join(tmpdir(), 'nacc-mcu-patch-bench-'));
const rng = new Prng(8);

/** A one-op model: conv (k x k, cin -> cout) or depthwise (k x k over cin channels). */
function singleLayer(kind: 'conv' | 'dw', h: number, w: number, cin: number, cout: number, k: number): QModel {
  const int8 = (n: number) => Int8Array.from({ length: n }, () => rng.int(255) - 127);
  const dw = kind === 'dw';
  const oc = dw ? cin : cout;
  const t = (
    id: number,
    name: string,
    shape: number[],
    dtype: QTensor['dtype'],
    scale: number[],
    zp: number[],
    axis: number,
    data?: QTensor['data'],
  ): QTensor => ({ id, name, shape, dtype, quant: { scale, zeroPoint: zp, axis }, ...(data ? { data } : {}) });
  const fshape = dw ? [1, k, k, oc] : [oc, k, k, cin];
  const fscale = Array.from({ length: oc }, () => 0.002 + rng.next() * 0.01);
  const tensors = [
    t(0, 'x', [1, h, w, cin], 'int8', [0.05], [3], 0),
    t(
      1,
      'w',
      fshape,
      'int8',
      fscale,
      fscale.map(() => 0),
      dw ? 3 : 0,
      int8(fshape.reduce((a, b) => a * b, 1)),
    ),
    t(
      2,
      'b',
      [oc],
      'int32',
      fscale.map((s) => s * 0.05),
      fscale.map(() => 0),
      0,
      Int32Array.from({ length: oc }, () => rng.int(2001) - 1000),
    ),
    t(3, 'y', [1, h, w, oc], 'int8', [0.08], [-5], 0),
  ];
  return {
    name: `${kind}${k}x${k}_${h}x${w}x${cin}${dw ? '' : `_${cout}`}`,
    source: 'bench',
    tensors,
    ops: [
      {
        index: 0,
        kind: dw ? 'DEPTHWISE_CONV_2D' : 'CONV_2D',
        inputs: [0, 1, 2],
        outputs: [3],
        options: {
          padding: 'SAME',
          strideH: 1,
          strideW: 1,
          dilationH: 1,
          dilationW: 1,
          activation: 'RELU6',
          ...(dw ? { depthMultiplier: 1 } : {}),
        },
      },
    ],
    inputs: [0],
    outputs: [3],
  };
}

async function measure(model: QModel, files: Record<string, string>, input: Uint8Array, expected: Buffer, tag: string) {
  const dir = join(work, `${model.name}-${tag}`);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const arm = await buildArm(dir);
  const q = await runQemu(arm.elf, input, join(dir, 'build'), { timeoutMs: 600_000 });
  return {
    instructions: ticksToInstructions(q.ticks),
    exact: Buffer.from(q.output).equals(expected),
    ram: arm.sections.data + arm.sections.bss + q.stackBytes,
  };
}

const inputOf = (m: QModel): Uint8Array => randomModelInput(m, rng);

const board = resolveBoard('stm32h743');
const rows: Record<string, unknown>[] = [];
const cases: [string, QModel][] = [
  ['1x1 conv', singleLayer('conv', 20, 20, 48, 48, 1)],
  ['1x1 conv (small cin)', singleLayer('conv', 20, 20, 16, 48, 1)],
  ['3x3 conv', singleLayer('conv', 20, 20, 16, 32, 3)],
  ['3x3 depthwise', singleLayer('dw', 20, 20, 96, 96, 3)],
  ['3x3 depthwise in place', singleLayer('dw', 20, 20, 96, 96, 3)],
  ['7x7 depthwise', singleLayer('dw', 10, 10, 96, 96, 7)],
];
const models =
  process.argv.includes('--no-models') || !existsSync('../shared/models')
    ? []
    : readdirSync('../shared/models').flatMap((d) =>
        readdirSync(join('../shared/models', d))
          .filter((f) => f.endsWith('.tflite'))
          .map((f) => join('../shared/models', d, f)),
      );
for (const f of models) {
  const m = importTflite(readFileSync(f), f);
  cases.push([`${m.name} (layer)`, m]);
  cases.push([`${m.name} (auto)`, m]);
}
for (const [what, m] of cases) {
  const input = inputOf(m);
  const raw = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
  const x = m.tensors[m.inputs[0]].dtype === 'float32' ? new Float32Array(raw) : new Int8Array(raw);
  const expected = Buffer.concat(runModel(m, [x]).map((o) => Buffer.from(toBytes(o))));
  // Single depthwise layers run out of place, to measure the depthwise kernel itself.
  // The same program on both kernel paths (compiler/mcu/kernel-registry.ts): every call that has an SMLAD version takes it.
  const options = (fastKernels: boolean) => ({
    schedule: what.endsWith('(auto)') ? ('auto' as const) : ('layer' as const),
    inPlaceDepthwise: !what.includes('depthwise') || what.includes('in place'),
    fastKernels,
  });
  const c = compileForMcu(m, board, options(false));
  const macs = c.summary.macs;
  const slow = await measure(m, c.program.files, input, expected, 'portable');
  const fast = await measure(m, compileForMcu(m, board, options(true)).program.files, input, expected, 'smlad');
  rows.push({
    case: what,
    schedule: c.summary.schedule.kind,
    macs,
    model_macs: modelMacs(m),
    portable_instructions: slow.instructions,
    portable_per_mac: Number((slow.instructions / macs).toFixed(2)),
    smlad_instructions: fast.instructions,
    smlad_per_mac: Number((fast.instructions / macs).toFixed(2)),
    speedup: Number((slow.instructions / fast.instructions).toFixed(2)),
    bit_exact: slow.exact && fast.exact,
    ram_bytes: fast.ram,
  });
  if (!json)
    process.stderr.write(
      `${what}: ${(slow.instructions / macs).toFixed(2)} -> ${(fast.instructions / macs).toFixed(2)} instructions/MAC${slow.exact && fast.exact ? '' : ' (NOT BIT-EXACT)'}\n`,
    );
}
if (json) process.stdout.write(`${JSON.stringify({ board: 'mps2-an386 (Cortex-M4, qemu -icount shift=0)', rows }, null, 2)}\n`);
else {
  process.stdout.write(
    `${formatTable(
      ['case', 'schedule', 'MACs', 'portable instr/MAC', 'SMLAD instr/MAC', 'speed-up', 'bit-exact'],
      rows.map((r) => [
        String(r.case),
        String(r.schedule),
        thousands(r.macs as number),
        String(r.portable_per_mac),
        String(r.smlad_per_mac),
        `${r.speedup}x`,
        r.bit_exact ? 'yes' : 'NO',
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
    )}\n`,
  );
}
