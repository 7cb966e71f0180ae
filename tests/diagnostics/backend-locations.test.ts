// Back-end errors point at the declaration they concern (issue 18 item 6): a refused RTL layer,
// an RTL --layer the network lacks, a federated job whose data cannot be built and a patch split
// a network cannot take print `file:line:col: error[CODE]` and a code frame
// under it, as the front end's errors do; and a program too large for the part a .nacc declares
// (the Arm linker's verdict, M0501) points at the part's declaration.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { naccInProcess } from '../helpers/in-process.ts';
import { itNeeds, needTool } from '../helpers/requires.ts';

const ARM = await Promise.all(['arm-none-eabi-gcc', 'newlib'].map(needTool));

const work = mkdtempSync(join(tmpdir(), 'nacc-backend-locations-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The file with these lines; `line(text, needle)` is the 1-based line of the first holding needle. */
function source(name: string, lines: string[]): { path: string; line: (needle: string) => number; text: (n: number) => string } {
  const path = join(work, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return {
    path,
    line: (needle) => lines.findIndex((l) => l.includes(needle)) + 1,
    text: (n) => lines[n - 1],
  };
}

/** stderr's error is located at `path:line:col` with that code, and the code frame of that line follows. */
function expectLocated(stderr: string, code: string, path: string, line: number, lineText: string): void {
  const lines = stderr.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${path}:${line}:`) && l.includes(`: error[${code}]: `));
  expect(i, `no error[${code}] at ${path}:${line} in:\n${stderr}`).toBeGreaterThanOrEqual(0);
  // the frame after the message (which may run over several lines): gutter, the line, carets
  const j = lines.findIndex((l, k) => k > i && l === `${line} | ${lineText}`);
  expect(j, `no code frame of line ${line} in:\n${stderr}`).toBeGreaterThan(i);
  expect(lines[j - 1], stderr).toMatch(/^\s+\|$/);
  expect(lines[j + 1], stderr).toMatch(/^\s+\| +\^+$/);
}

const NETWORK = [
  'network small {',
  '  input x: int8[8, 8, 8]',
  '  a = conv2d(x, out: 8, kernel: 3, pad: same, act: relu)',
  '  output conv2d(a, out: 8, kernel: 1)',
  '}',
];
const ACCELERATOR = [
  'accelerator tiny {',
  '  pe_array: [4, 4]',
  '  parallel: [K, C]',
  '  register_file: 16 B per pe',
  '  global_buffer: 32 KB',
  '  dram_bandwidth: 8 B/cycle',
  '  word: 8 bit',
  '}',
];

describe('back-end errors carry the location of the declaration they concern', () => {
  it("an RTL layer whose loop order overflows the register file points at the layer's declaration", async () => {
    const f = source('rtl-order.nacc', [...ACCELERATOR, ...NETWORK]);
    const r = await naccInProcess([
      'rtl',
      f.path,
      '--accelerator',
      'tiny',
      '--network',
      'small',
      '--order',
      'CRSKPQ',
      '--out',
      join(work, 'o1'),
    ]);
    expect(r.code, r.stderr).not.toBe(0);
    const line = f.line('a = conv2d');
    expectLocated(r.stderr, 'R0302', f.path, line, f.text(line));
  });

  it("an RTL --layer the network lacks points at the network's declaration", async () => {
    const f = source('rtl-layer.nacc', [...ACCELERATOR, ...NETWORK]);
    const r = await naccInProcess([
      'rtl',
      f.path,
      '--accelerator',
      'tiny',
      '--network',
      'small',
      '--layer',
      'nosuch',
      '--out',
      join(work, 'o2'),
    ]);
    expect(r.code, r.stderr).not.toBe(0);
    const line = f.line('network small');
    expectLocated(r.stderr, 'R0402', f.path, line, f.text(line));
  });

  it("a federated job whose data argument is not a number points at the job's declaration", async () => {
    const f = source('fl-data.nacc', [
      'network mlp {',
      '  input image: float32[16, 16, 1]',
      '  x = flatten(image)',
      '  output dense(x, out: 10)',
      '}',
      'federated job1 {',
      '  network: mlp',
      '  data: synthetic_digits(samples: 400, noise: high, partition: iid)',
      '  workers: 2',
      '  step_time: 10 ms',
      '  latency: 10 ms',
      '  bandwidth: 20 Mbit/s',
      '  algorithm: fedavg(local_steps: 1)',
      '  optimizer: sgd(lr: 0.05, momentum: 0.0)',
      '  batch: 8',
      '  target_accuracy: 0.5',
      '  max_steps: 2',
      '  seed: 1',
      '}',
    ]);
    const r = await naccInProcess(['fl', f.path, '--job', 'job1']);
    expect(r.code, r.stderr).not.toBe(0);
    const line = f.line('federated job1');
    expectLocated(r.stderr, 'F0205', f.path, line, f.text(line));
  });

  it("a patch split the network cannot take points at the network's declaration", async () => {
    const file = 'examples/mcunetv2-mobilenetv2.nacc';
    const lines = readFileSync(file, 'utf8').split('\n');
    const r = await naccInProcess(['mcu-schedule', file, '--network', 'mbv2_224', '--schedule', 'patch', '--split', '7']);
    expect(r.code, r.stderr).toBe(2);
    const line = lines.findIndex((l) => l.startsWith('network mbv2_224')) + 1;
    expect(line).toBeGreaterThan(0);
    expectLocated(r.stderr, 'E0782', file, line, lines[line - 1]);
  });

  itNeeds(
    ARM,
    "a program larger than the part's flash points at the part's declaration",
    async () => {
      const f = source('mcu-flash.nacc', [
        'network tiny {',
        '  input x: int8[8, 8, 1]',
        '  output conv2d(x, out: 4, kernel: 3, pad: same, act: relu)',
        '}',
        'mcu small_part {',
        '  core: cortex-m4',
        '  sram: 64 KB',
        '  flash: 2 KB',
        '}',
      ]);
      const dir = join(work, 'mcu-flash');
      const g = await naccInProcess(['mcu', f.path, '--target', 'small_part', '--out', dir]);
      expect(g.code, g.stderr).toBe(0);
      const r = await naccInProcess(['verify', dir, '--qemu']);
      expect(r.code, r.stderr).toBe(1);
      const line = f.line('mcu small_part');
      expectLocated(r.stderr, 'M0501', f.path, line, f.text(line));
    },
    300_000,
  );
});
