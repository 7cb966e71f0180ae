// The cycle model's timings (issue 26.6): Cortex-M4 TRM rules applied to disassembled code, the
// innermost loops found from backward branches, and a cycle figure for every kernel class.
import { describe, expect, it } from 'vitest';
import { cpiOf, innermostLoops, insnCycles, parseObjdump, sequenceCycles, type Insn } from '../../compiler/mcu/cortex-m4-timing.ts';
import { CYCLE_MODEL } from '../../compiler/mcu/cycle-model.ts';
import { INSTRUCTION_MODEL } from '../../compiler/mcu/instruction-model.ts';
import { cyclesPerInstruction } from '../../compiler/mcu/cycles.ts';

const DIS = `
m.o:     file format elf32-littlearm

Disassembly of section .text.dot:

00000000 <dot.constprop.0>:
   0:\tpush\t{r4, r5, lr}
   2:\tmovs\tr3, #0
   4:\tldr.w\tr4, [r0], #4
   8:\tldr.w\tr5, [r1], #4
   c:\tsmlad\tr3, r4, r5, r3
  10:\tsubs\tr2, #1
  12:\tbne.n\t4 <dot.constprop.0+0x4>
  14:\tmov\tr0, r3
  16:\tpop\t{r4, r5, pc}
`;

const insn = (op: string, args: string, addr = 0): Insn => ({ op, args, addr });

describe('Cortex-M4 timings (TRM 100166 Table 3-1, 3.3.2)', () => {
  it('reads functions and their instructions from objdump output, without clone suffixes or widths', () => {
    const f = parseObjdump(DIS);
    expect([...f.keys()]).toEqual(['dot']);
    expect(f.get('dot')!.map((i) => i.op)).toEqual(['push', 'movs', 'ldr', 'ldr', 'smlad', 'subs', 'bne', 'mov', 'pop']);
  });

  it('loads take 2 cycles, 1 behind a load whose result the address does not use; SMLAD 1; STR #imm 1; LDRD 3; LDM 1+N', () => {
    expect(insnCycles(insn('ldr', 'r4, [r0]'), insn('movs', 'r3, #0'), false)).toBe(2);
    expect(insnCycles(insn('ldr', 'r5, [r1]'), insn('ldr', 'r4, [r0]'), false)).toBe(1);
    expect(insnCycles(insn('ldr', 'r5, [r4]'), insn('ldr', 'r4, [r0]'), false)).toBe(2);
    expect(insnCycles(insn('smlad', 'r3, r4, r5, r3'), undefined, false)).toBe(1);
    expect(insnCycles(insn('str', 'r3, [sp, #4]'), insn('smlad', 'r3, r4, r5, r3'), false)).toBe(1);
    expect(insnCycles(insn('ldrd', 'r2, r3, [sl]'), undefined, false)).toBe(3);
    expect(insnCycles(insn('pop', '{r4, r5, pc}'), undefined, false)).toBe(1 + 3 + 2);
    // an address the preceding ALU instruction computed: one cycle more (no forwarding path)
    expect(insnCycles(insn('ldr', 'r4, [r0]'), insn('adds', 'r0, #4'), false)).toBe(3);
  });

  it('branches: taken 1+P (P = 2), not taken 1; the loop-closing branch is taken', () => {
    expect(insnCycles(insn('bne', '4 <f+0x4>'), undefined, true)).toBe(3);
    expect(insnCycles(insn('bne', '40 <f+0x40>'), undefined, false)).toBe(1);
    expect(insnCycles(insn('b', '40 <f+0x40>'), undefined, false)).toBe(3);
  });

  it('the innermost loop is the body of a backward branch; its cycles per instruction follow the rules', () => {
    const f = parseObjdump(DIS).get('dot')!;
    const [loop] = innermostLoops(f);
    expect(loop.map((i) => i.op)).toEqual(['ldr', 'ldr', 'smlad', 'subs', 'bne']);
    // ldr 2, pipelined ldr 1, smlad 1, subs 1, taken bne 3
    expect(sequenceCycles(loop)).toBe(8);
    expect(cpiOf([loop])).toBeCloseTo(8 / 5, 6);
  });

  it('every kernel class the instruction model knows has cycles per instruction derived for it', () => {
    const missing = Object.keys(INSTRUCTION_MODEL.classes).filter((c) => !CYCLE_MODEL.classes[c]);
    expect(missing).toEqual([]);
    for (const [inner, rest] of Object.values(CYCLE_MODEL.classes)) {
      expect(inner).toBeGreaterThanOrEqual(1);
      expect(rest).toBeGreaterThanOrEqual(1);
    }
    expect(cyclesPerInstruction('f:dw.ring.9_3')).toEqual(CYCLE_MODEL.classes['f:dw.ring.any']);
  });
});
