// Cycles of Cortex-M4 Thumb code from its disassembly, by the processor's documented timings,
// and the innermost loops of a function: what bench/mcu-cycle-model.ts derives the cycle model from.
//
// Source: Arm Cortex-M4 Processor Technical Reference Manual (ARM 100166_0001_00, r0p1), section
// 3.3.1 "Table of processor instructions" (Table 3-1, zero wait states) and 3.3.2 "Load/store
// timings":
// - data processing, MUL/MLA/MLS, SMULL/UMULL/SMLAL/UMLAL, the DSP multiplies (SMLAD, SMLAxy,
//   SMMLA(R), SMMUL(R), SMUAD ...), SSAT/USAT, SXTB16, IT: 1 cycle;
// - LDR (any width, single register): 2 cycles; a single load or store directly after a single
//   load costs one cycle less unless its address uses the loaded register ("LDR R0,[R1];
//   LDR R1,[R2] - normally three cycles total");
// - STR Rx,[Ry,#imm]: 1 cycle (the write buffer takes the data); STR with a register offset: 2;
// - LDRD/STRD: 1+N = 3, never pipelined with their neighbours; LDM/STM/PUSH/POP: 1+N (N
//   registers); POP or LDM that loads PC: 1+N+P;
// - a load or store whose address register the directly preceding data-processing instruction
//   wrote: one extra cycle ("there is no forwarding path");
// - B, BL, BX, BLX, a taken conditional branch, CBZ/CBNZ taken: 1+P; not taken: 1; TBB/TBH 2+P;
//   P, the pipeline refill, is 1 to 3 cycles (target alignment and width): we take P = 2;
// - SDIV/UDIV: 2 to 12 cycles (early termination): we take 7.
// Cortex-M7 parts (dual issue, caches, branch prediction) have no published per-instruction table;
// the same timings are used for them and are stated as Cortex-M4 timings wherever they appear.

export interface Insn {
  addr: number;
  /** Mnemonic without width qualifiers (`ldr.w` -> `ldr`). */
  op: string;
  args: string;
}

/** The documented constants chosen inside the TRM's ranges (see the header). */
export const M4_PIPELINE_REFILL = 2;
export const M4_DIVIDE_CYCLES = 7;

const CONDITIONS = 'eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al';
const COND_BRANCH = new RegExp(`^b(${CONDITIONS})$`);
const REG = /^(r\d{1,2}|sl|fp|ip|lr|sp|pc)\b/;

/** Functions of `objdump -d --no-show-raw-insn` output: name -> instructions in address order. */
export function parseObjdump(text: string): Map<string, Insn[]> {
  const functions = new Map<string, Insn[]>();
  let current: Insn[] | undefined;
  for (const line of text.split('\n')) {
    const head = line.match(/^[0-9a-f]+ <([^>]+)>:$/);
    if (head) {
      current = [];
      functions.set(head[1].replace(/\.constprop\.\d+$|\.isra\.\d+$|\.part\.\d+$/, ''), current);
      continue;
    }
    const m = line.match(/^\s+([0-9a-f]+):\t([a-z0-9.]+)(?:\t(.*))?$/);
    if (!m || !current) continue;
    current.push({ addr: parseInt(m[1], 16), op: m[2].replace(/\.(w|n)$/, ''), args: (m[3] ?? '').replace(/\s*@.*$/, '') });
  }
  return functions;
}

const isBranch = (op: string) =>
  op === 'b' ||
  op === 'bl' ||
  op === 'bx' ||
  op === 'blx' ||
  COND_BRANCH.test(op) ||
  op === 'cbz' ||
  op === 'cbnz' ||
  op === 'tbb' ||
  op === 'tbh';
const isSingleLoad = (op: string) => /^ldr(s?b|s?h)?(ex)?$/.test(op) || new RegExp(`^ldr(s?b|s?h)?(${CONDITIONS})$`).test(op);
const isSingleStore = (op: string) => /^str(b|h)?(ex)?$/.test(op) || new RegExp(`^str(b|h)?(${CONDITIONS})$`).test(op);
const isMultiple = (op: string) => /^(ldm|stm)(ia|db|fd|ea)?$/.test(op) || op === 'push' || op === 'pop';

/** The branch target of a direct branch (`b 36 <f+0x36>`), else undefined. */
export function branchTarget(insn: Insn): number | undefined {
  if (!isBranch(insn.op) || insn.op === 'bx' || insn.op === 'blx' || insn.op === 'bl' || insn.op === 'tbb' || insn.op === 'tbh')
    return undefined;
  const m = insn.args.match(/(?:^|,\s*)([0-9a-f]+) </);
  return m ? parseInt(m[1], 16) : undefined;
}

function registerCount(args: string): number {
  const list = args.match(/\{([^}]*)\}/);
  if (!list) return 1;
  let n = 0;
  for (const part of list[1].split(',')) {
    const range = part.trim().match(/^r(\d+)-r(\d+)$/);
    n += range ? Number(range[2]) - Number(range[1]) + 1 : 1;
  }
  return n;
}

function destination(insn: Insn): string | undefined {
  if (isBranch(insn.op) || isSingleStore(insn.op) || /^(cmp|cmn|tst|teq|it|nop|str|stm|push)/.test(insn.op)) return undefined;
  return insn.args.match(REG)?.[1];
}

function addressRegisters(insn: Insn): string[] {
  const mem = insn.args.match(/\[([^\]]*)\]/);
  return mem
    ? mem[1]
        .split(',')
        .map((s) => s.trim().match(REG)?.[1])
        .filter((r): r is string => !!r)
    : [];
}

/**
 * Cycles of one instruction after `prev` (for load pipelining and address interlocks), with
 * `taken` saying whether a branch is taken.
 */
export function insnCycles(insn: Insn, prev: Insn | undefined, taken: boolean): number {
  const { op } = insn;
  const P = M4_PIPELINE_REFILL;
  if (op === 'tbb' || op === 'tbh') return 2 + P;
  if (isBranch(op)) return op === 'b' || op === 'bl' || op === 'bx' || op === 'blx' || taken ? 1 + P : 1;
  if (op === 'sdiv' || op === 'udiv' || /^[su]div/.test(op)) return M4_DIVIDE_CYCLES;
  const addr = addressRegisters(insn);
  const prevDest = prev ? destination(prev) : undefined;
  const interlock = prev && prevDest && !isSingleLoad(prev.op) && !isMultiple(prev.op) && addr.includes(prevDest) ? 1 : 0;
  if (op.startsWith('ldrd') || op.startsWith('strd')) return 3 + interlock;
  if (isMultiple(op)) return 1 + registerCount(insn.args) + ((op === 'pop' || op.startsWith('ldm')) && /\bpc\b/.test(insn.args) ? P : 0);
  if (isSingleLoad(op) || isSingleStore(op)) {
    const base = isSingleLoad(op) ? 2 : addr.length > 1 ? 2 : 1;
    // pipelined behind a single load whose result this address does not use
    const pipelined = prev && isSingleLoad(prev.op) && !(prevDest && addr.includes(prevDest)) ? 1 : 0;
    if (/\bpc\b/.test(insn.args.split(',')[0]) && isSingleLoad(op)) return 2 + P;
    return Math.max(1, base - pipelined) + interlock;
  }
  return 1;
}

/** Cycles of a straight pass over `insns`; backward branches taken, forward ones not. */
export function sequenceCycles(insns: readonly Insn[]): number {
  let cycles = 0;
  insns.forEach((insn, i) => {
    const target = branchTarget(insn);
    cycles += insnCycles(insn, insns[i - 1], target !== undefined && target <= insn.addr);
  });
  return cycles;
}

/** The innermost loops of a function: bodies of backward branches that hold no other backward branch. */
export function innermostLoops(insns: readonly Insn[]): Insn[][] {
  const loops: { from: number; to: number }[] = [];
  for (const insn of insns) {
    const t = branchTarget(insn);
    if (t !== undefined && t <= insn.addr && t >= (insns[0]?.addr ?? 0)) loops.push({ from: t, to: insn.addr });
  }
  const inner = loops.filter(
    (l) => !loops.some((o) => o !== l && o.from >= l.from && o.to <= l.to && (o.from !== l.from || o.to !== l.to)),
  );
  return inner.map((l) => insns.filter((x) => x.addr >= l.from && x.addr <= l.to));
}

/** Cycles per instruction of some instruction sequences (each passed once), or undefined if empty. */
export function cpiOf(sequences: readonly (readonly Insn[])[]): number | undefined {
  const n = sequences.reduce((s, q) => s + q.length, 0);
  return n ? sequences.reduce((s, q) => s + sequenceCycles(q), 0) / n : undefined;
}
