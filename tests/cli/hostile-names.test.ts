// No injection through names (issue 14 item 2; issue 15 item 4): the two reported exploits, then
// a seeded fuzz of hostile names through every channel a user controls — ONNX graph / tensor /
// node names, TFLite tensor names and file names, .nacc identifiers, model and output folders —
// into the real `nacc mcu` / `nacc rtl`. Every generated file must build (gcc and
// arm-none-eabi-gcc -Wall -Wextra -Werror, Verilator -Wall lint and Icarus), no marker may
// become code or a symbol, a Makefile parse must run nothing, and no raw name may appear.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxBuilder } from '../helpers/onnx-builder.ts';
import { C_WARN_FLAGS, armFlags } from '../../compiler/mcu/emit.ts';
import { Prng } from '../../compiler/util/prng.ts';
import { nacc } from '../helpers/cli.ts';
import { writeTflite, type WTensor } from '../mcu/tflite-writer.ts';

const SEED = 140214; // issue 14, item 2, fuzz set 14
const MARK = 'nacc_pwned';

/** Ways a name can try to turn into code, each carrying the marker `m`. */
const INJECTIONS: ((m: string) => string)[] = [
  (m) => `*/ int ${m} = 1; /*`,
  (m) => `\nint ${m} = 1;\n`,
  (m) => `\\\nint ${m} = 1;`,
  (m) => `??/\nint ${m} = 1;`,
  (m) => `*\\\n/ int ${m} = 1; /*`,
  (m) => `\r\n$(shell touch ${m})\n${m}:\n\ttouch ${m}\n`,
  (m) => `\`touch ${m}\` $(touch ${m})`,
  (m) => `\n#define main ${m}\n`,
  (m) => `\nendmodule\nmodule ${m};\n`,
  (m) => `\u2028int ${m} = 1;`,
  (m) => `\n// verilator lint_off WIDTH\nwire ${m};`,
];
const NOISE = [
  '*/',
  '/*',
  '//',
  '"',
  "'",
  '\\',
  '$(shell id)',
  '`id`',
  '#include <stdio.h>',
  '#include "nacc_kernels.h"',
  'void nacc_run(void) {',
  'module',
  'endmodule',
  'wire',
  '0',
  '9lives',
  '-',
  ' ',
  '\t',
  '%',
  '??',
  ';',
  '{',
  '}',
  '\u00e9',
  '\u65e5\u672c',
  '\u{1f600}',
];
/** Every hostile name holds one of these, which every sanitiser must escape: a raw name can then never appear. */
const BREAKERS = ['\n', '\r', '\u2028', '\u202e', '\u200b', '\u0007'];

function hostileName(rng: Prng, marker: string, opts: { path?: boolean } = {}): string {
  const pick = <T>(xs: T[]) => xs[rng.int(xs.length)];
  const parts = [pick(NOISE), pick(INJECTIONS)(marker), pick(BREAKERS)];
  for (let n = rng.int(3); n > 0; n--) parts.splice(rng.int(parts.length + 1), 0, pick(NOISE));
  let s = parts.join('');
  // a path component cannot hold NUL, and `..` would only climb back up
  if (opts.path) s = s.replace(/\0/g, '').replace(/\.\.+/g, '.');
  return s;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The text a C compiler (and GNU ld) sees as code: trigraph splices and line splices joined, comments removed. */
const cCode = (text: string) =>
  text
    .replace(/\?\?\//g, '\\')
    .replace(/\\\r?\n/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, '');
const makeCode = (text: string) => text.replace(/\\\r?\n/g, ' ').replace(/#.*$/gm, '');
const verilogCode = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, '');

/** Checks shared by every generated folder: no raw name, no marker outside comments. */
function expectNoInjection(out: string, names: string[], marker = MARK): void {
  for (const file of walk(out)) {
    if (file.includes(`${join(out, 'build')}/`)) continue;
    const text = readFileSync(file, 'latin1');
    if (file.endsWith('.json')) {
      JSON.parse(readFileSync(file, 'utf8')); // names are data there, JSON-escaped
      continue;
    }
    for (const n of names) expect(text.includes(n), `${file} holds the raw name ${JSON.stringify(n)}`).toBe(false);
    const code = /\.(c|h|ld)$/.test(file)
      ? cCode(text)
      : /Makefile$/.test(file)
        ? makeCode(text)
        : /\.s?v$/.test(file)
          ? verilogCode(text)
          : text;
    expect(code.includes(marker), `${file}: '${marker}' outside a comment`).toBe(false);
  }
}

/** Compile every generated C file for the Cortex-M4 (-Werror), and check no symbol carries the marker. */
async function expectArmObjectsClean(out: string, marker = MARK): Promise<void> {
  const objDir = mkdtempSync(join(tmpdir(), 'nacc-hostile-obj-'));
  const sources = readdirSync(out).filter((f) => f.endsWith('.c'));
  expect(sources.length).toBeGreaterThan(4);
  for (const src of sources) {
    const obj = join(objDir, src.replace(/\.c$/, '.o'));
    const r = await execa('arm-none-eabi-gcc', [...C_WARN_FLAGS, ...armFlags('cortex-m4'), '-c', src, '-o', obj], {
      cwd: out,
      reject: false,
      all: true,
    });
    expect(r.exitCode, `arm-none-eabi-gcc -c ${src}:\n${r.all}`).toBe(0);
    const nm = await execa('arm-none-eabi-nm', [obj], { reject: false });
    expect(nm.exitCode).toBe(0);
    expect(nm.stdout.includes(marker), `${src}: symbol with '${marker}':\n${nm.stdout}`).toBe(false);
  }
}

/** A Makefile parse (`make -n`, which still expands $(shell ...)) runs nothing the names asked for. */
async function expectMakefileInert(out: string, root: string, marker = MARK): Promise<void> {
  const r = await execa('make', ['-n', 'host'], { cwd: out, reject: false, all: true });
  expect(r.exitCode, r.all).toBe(0);
  expect(r.stdout.includes(marker), `make -n would run: ${r.stdout}`).toBe(false);
  // a file `touch`ed by a name would be called exactly like the marker
  expect(walk(root).filter((f) => /^nacc_pwned(_\w+)?$/.test(f.split('/').pop()!))).toEqual([]);
}

/** A one-conv ONNX model whose graph, tensor and node names are the given ones. */
function onnxModel(
  names: { graph: string; input: string; weight: string; node: string; relu: string; output: string },
  rng: Prng,
): Uint8Array {
  const b = new OnnxBuilder(names.graph);
  const x = b.input(names.input, [1, 3, 8, 8]);
  const w = b.init(
    names.weight,
    [4, 3, 3, 3],
    Array.from({ length: 108 }, () => rng.uniform(-0.5, 0.5)),
  );
  const c = b.node('Conv', [x, w], { pads: [1, 1, 1, 1] }, { name: names.node });
  b.output(b.node('Relu', [c], {}, { name: names.relu, outputs: [names.output] }));
  return b.toBytes();
}

/** A one-conv int8 TFLite model whose tensor names are the given ones. */
function tfliteModel(names: string[], rng: Prng): Uint8Array {
  const i8 = (n: number) => Int8Array.from({ length: n }, () => rng.int(255) - 127);
  const T: WTensor[] = [
    { name: names[0], shape: [1, 6, 6, 2], type: 'int8', scale: [0.05], zeroPoint: [3] },
    { name: names[1], shape: [3, 3, 3, 2], type: 'int8', scale: [0.01, 0.02, 0.015], zeroPoint: [0, 0, 0], axis: 0, data: i8(54) },
    { name: names[2], shape: [3], type: 'int32', data: Int32Array.from([100, -50, 7]) },
    { name: names[3], shape: [1, 6, 6, 3], type: 'int8', scale: [0.04], zeroPoint: [-20] },
  ];
  // Conv2DOptions: SAME, stride 1x1, RELU6, dilation 1x1
  return writeTflite(
    T,
    [
      {
        code: 3,
        inputs: [0, 1, 2],
        outputs: [3],
        optionsType: 1,
        options: [
          [0, 'i8', 0],
          [1, 'i32', 1],
          [2, 'i32', 1],
          [3, 'i8', 3],
          [4, 'i32', 1],
          [5, 'i32', 1],
        ],
      },
    ],
    [0],
    [3],
  );
}

const fresh = (tag: string) => mkdtempSync(join(tmpdir(), `nacc-hostile-${tag}-`));

describe('the reported exploits', () => {
  it("an ONNX graph named 'g */ int nacc_pwned = 1; /* g' in a folder named 'x*/ int nacc_injected = 42; /*' stays a comment", async () => {
    const root = fresh('exploit');
    const dir = join(root, 'x*/ int nacc_injected = 42; /*');
    mkdirSync(dir, { recursive: true });
    const names = { graph: 'g */ int nacc_pwned = 1; /* g', input: 'x', weight: 'w', node: 'conv', relu: 'relu', output: 'y' };
    writeFileSync(join(dir, 'm.onnx'), onnxModel(names, new Prng(SEED)));
    const out = join(root, 'out');
    const r = await nacc(['mcu', join(dir, 'm.onnx'), '--target', 'mps2-an386', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    for (const marker of ['nacc_pwned', 'nacc_injected']) {
      expectNoInjection(out, [], marker);
      await expectArmObjectsClean(out, marker);
    }
    // `nacc verify` builds (gcc -Werror) and runs what it generated
    const v = await nacc(['verify', out, '--host']);
    expect(v.code, v.stderr).toBe(0);
    const nm = await execa('nm', [join(out, 'build', 'host', 'model')]);
    expect(nm.stdout).not.toMatch(/nacc_pwned|nacc_injected/);
  });

  it('an accelerator whose name has a hyphen gives a legal Verilog design, bench and manifest', async () => {
    const root = fresh('hyphen');
    const file = join(root, 'h.nacc');
    writeFileSync(
      file,
      `accelerator my-acc {\n  pe_array: [2, 2]\n  parallel: [K, C]\n  register_file: 64 B per pe\n  global_buffer: 8 KB\n  dram_bandwidth: 4 B/cycle\n  word: 8 bit\n}\nnetwork net-1 {\n  input x: int8[4, 4, 4]\n  c = conv2d(x, out: 4, kernel: 3, pad: same, act: relu)\n  output c\n}\n`,
    );
    const out = join(root, 'out');
    const r = await nacc(['rtl', file, '--accelerator', 'my-acc', '--network', 'net-1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.top).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(m.testbench).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(readFileSync(join(out, m.benchFile), 'utf8')).toMatch(new RegExp(`^module ${m.testbench};$[\\s\\S]*^  ${m.top} dut \\($`, 'm'));
    const v = await nacc(['verify', out, '--sim', 'iverilog']);
    expect(v.code, v.stderr).toBe(0);
  });
});

describe(`hostile names, seed ${SEED}`, () => {
  it('through ONNX graph, tensor and node names and the model and output folders (layer and patch schedules)', async () => {
    const rng = new Prng(SEED);
    const root = fresh('onnx');
    const keys = ['graph', 'input', 'weight', 'node', 'relu', 'output'] as const;
    const names = Object.fromEntries(keys.map((k, i) => [k, hostileName(rng, `${MARK}_${i}`)])) as Record<(typeof keys)[number], string>;
    const dir = join(root, hostileName(rng, `${MARK}_dir`, { path: true }));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'm.onnx'), onnxModel(names, rng));
    for (const schedule of ['layer', 'patch']) {
      const out = join(root, `${schedule}-${hostileName(rng, `${MARK}_out`, { path: true })}`);
      const r = await nacc([
        'mcu',
        join(dir, 'm.onnx'),
        '--target',
        'mps2-an386',
        '--schedule',
        schedule,
        ...(schedule === 'patch' ? ['--patches', '2'] : []),
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      // the printed build command, pasted into a shell, names the folder and runs nothing else
      const word = r.stdout.match(/\(build: make -C ([\s\S]*) host\|mcu\|qemu\)/)?.[1];
      expect(word, r.stdout).toBeDefined();
      expect((await execa('sh', ['-c', `printf '%s' ${word}`], { cwd: root })).stdout).toBe(out);
      expectNoInjection(out, Object.values(names));
      await expectArmObjectsClean(out);
      await expectMakefileInert(out, root);
      const v = await nacc(['verify', out, '--host']);
      expect(v.code, v.stderr).toBe(0);
    }
  });

  it('through TFLite tensor names and a hostile .tflite file name (which names the model)', async () => {
    const rng = new Prng(SEED + 1);
    const root = fresh('tflite');
    const names = [0, 1, 2, 3].map((i) => hostileName(rng, `${MARK}_${i}`));
    // the file's base name names the model; the newline keeps it from ever appearing raw
    const file = join(root, `${hostileName(rng, `${MARK}_file`, { path: true })}\nmodel.tflite`);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, tfliteModel(names, rng));
    const out = join(root, hostileName(rng, `${MARK}_out`, { path: true }));
    const r = await nacc(['mcu', file, '--target', 'stm32f746', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expectNoInjection(out, [
      ...names,
      file
        .split('/')
        .pop()!
        .replace(/\.tflite$/, ''),
    ]);
    await expectArmObjectsClean(out);
    await expectMakefileInert(out, root);
  });

  it('through .nacc identifiers (Verilog and C keywords, hyphens, collisions) into C and Verilog', async () => {
    const rng = new Prng(SEED + 2);
    const pick = <T>(xs: T[]) => xs[rng.int(xs.length)];
    const WORDS = [
      'module',
      'endmodule',
      'wire',
      'reg',
      'always',
      'begin',
      'end',
      'assign',
      'logic',
      'int',
      'main',
      'static',
      'register',
      'void',
      'Reset_Handler',
      'nacc_arena',
    ];
    const ident = (taken: Set<string>): string => {
      for (;;) {
        const n = rng.int(3) === 0 ? pick(WORDS) : `${pick(WORDS)}-${pick(WORDS)}`;
        if (!taken.has(n)) return (taken.add(n), n);
      }
    };
    const taken = new Set<string>();
    const [acc, net, mcu, a, b, c] = [0, 1, 2, 3, 4, 5].map(() => ident(taken));
    // `b` and its underscore spelling collide once legalised
    const b2 = b.includes('-') ? b.replace(/-/g, '_') : `${b}_`;
    const root = fresh('nacc');
    const dir = join(root, hostileName(rng, `${MARK}_dir`, { path: true }));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'n.nacc');
    writeFileSync(
      file,
      [
        `accelerator ${acc} {`,
        '  pe_array: [2, 2]',
        '  parallel: [K, C]',
        '  register_file: 64 B per pe',
        '  global_buffer: 8 KB',
        '  dram_bandwidth: 4 B/cycle',
        '  word: 8 bit',
        '}',
        `mcu ${mcu} {`,
        '  core: cortex-m4',
        '  sram: 64 KB',
        '  flash: 256 KB',
        '}',
        `network ${net} {`,
        '  input x: int8[6, 6, 4]',
        `  ${a} = conv2d(x, out: 4, kernel: 3, pad: same, act: relu)`,
        `  ${b} = dwconv2d(${a}, kernel: 3, pad: same)`,
        `  ${b2} = conv2d(${b}, out: 4, kernel: 1)`,
        `  ${c} = add(${b2}, ${a})`,
        `  output ${c}`,
        '}',
        '',
      ].join('\n'),
    );
    const mcuOut = join(root, hostileName(rng, `${MARK}_mcu`, { path: true }));
    const m = await nacc(['mcu', file, '--network', net, '--target', mcu, '--out', mcuOut]);
    expect(m.code, m.stderr).toBe(0);
    expectNoInjection(mcuOut, []);
    await expectArmObjectsClean(mcuOut);
    const v = await nacc(['verify', mcuOut, '--host']);
    expect(v.code, v.stderr).toBe(0);

    const rtlOut = join(root, hostileName(rng, `${MARK}_rtl`, { path: true }));
    const r = await nacc(['rtl', file, '--accelerator', acc, '--network', net, '--layer', `${a},${b2}`, '--out', rtlOut]);
    expect(r.code, r.stderr).toBe(0);
    expectNoInjection(rtlOut, []);
    const manifest = JSON.parse(readFileSync(join(rtlOut, 'manifest.json'), 'utf8'));
    for (const id of [manifest.top, manifest.testbench]) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    for (const f of [...manifest.designFiles, manifest.benchFile]) {
      const module = readFileSync(join(rtlOut, f), 'utf8').match(/^module (\S+?)[ ;(#]/m)?.[1];
      expect(f, `file named after its module ${module}`).toBe(`${f.split('/')[0]}/${module}.v`);
    }
    // verilator --lint-only -Wall on the design, then Icarus runs the bench on both layers
    const s = await nacc(['verify', rtlOut, '--sim', 'iverilog']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/lint \(verilator -Wall\): 0 warning/);
  });
});
