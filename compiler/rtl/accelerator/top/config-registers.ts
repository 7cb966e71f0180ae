// Configuration registers: three sets, so that the next program's loads run while the current
// one computes — the bus writes sh_*, the load engine reads nx_*, the sequencer and drain cfg_*.
import { alwaysFF, and, ifs, lit, nb, ref, reg, signed, slice, wire, type Expr, type Stmt } from '../../verilog/index.ts';
import { CONFIG_FIELDS } from '../mapping.ts';
import type { TopBuilder } from './context.ts';

/** Declares the sh_* / nx_* / cfg_* register sets and the bus that writes them. */
export function configRegisters(b: TopBuilder): void {
  const { items, cfgAW, decl } = b;
  // ---- configuration registers ------------------------------------------------------------
  // Three sets, so that the next program's loads run while the current one computes: the bus
  // writes sh_* (free again as soon as its loads start: `ready`), the load engine reads nx_*
  // (latched from sh_* when its loads start), the sequencer and drain read cfg_* (latched from
  // nx_* when the program starts computing).
  const cfgCases: { labels: Expr[]; body: Stmt[] }[] = [];
  CONFIG_FIELDS.forEach((f, i) => {
    decl(
      reg(`sh_${f.name}`, f.bits, f.signed ?? false),
      reg(`nx_${f.name}`, f.bits, f.signed ?? false),
      reg(`cfg_${f.name}`, f.bits, f.signed ?? false),
    );
    const value = f.bits === 16 ? ref('cfg_data') : slice('cfg_data', f.bits - 1, 0);
    cfgCases.push({ labels: [lit(i, cfgAW)], body: [nb(`sh_${f.name}`, f.signed ? signed(value) : value)] });
  });
  items.push(alwaysFF('clk', [ifs(ref('cfg_we'), [{ kind: 'case', expr: ref('cfg_addr'), items: cfgCases, default: [] }])]));
  decl(wire('lgo', 1), wire('launch', 1));
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('lgo'),
        CONFIG_FIELDS.map((f) => nb(`nx_${f.name}`, ref(`sh_${f.name}`))),
      ),
    ]),
  );
  items.push(
    alwaysFF('clk', [
      ifs(
        ref('launch'),
        CONFIG_FIELDS.map((f) => nb(`cfg_${f.name}`, ref(`nx_${f.name}`))),
      ),
    ]),
  );
}
