// The PE array: one PE per coordinate of the array's axes, fed by its weight and input lanes,
// enabled per lane by the stage-1 validity bits, read back by the drain at d_raddr.
import { and, clog2, idx, lit, ref, wire } from '../../verilog/index.ts';
import { laneOf, peCoordinates } from '../array.ts';
import type { TopBuilder } from './context.ts';

/** Declares the PEs; returns their coordinates, in psum<n> order. */
export function peArray(b: TopBuilder): number[][] {
  const { hw, names, items, rfAW, decl } = b;
  // ---- PE array -----------------------------------------------------------------------------
  decl(wire('d_raddr', rfAW));
  const coords = peCoordinates(hw.axes);
  coords.forEach((pc, n) => {
    const okBits = hw.axes.map((a, ai) => (a.size === 1 ? ref(`s1_axis_ok${ai}`) : idx(`s1_axis_ok${ai}`, lit(pc[ai], clog2(a.size)))));
    decl(wire(`psum${n}`, 32, true));
    items.push({
      kind: 'instance',
      module: names.pe,
      name: `u_pe${n}_${pc.join('_')}`,
      params: [],
      conns: [
        { port: 'clk', expr: ref('clk') },
        { port: 'en', expr: ref('s1_valid') },
        { port: 'ok', expr: and(...okBits) },
        { port: 'first', expr: ref('s1_first') },
        { port: 'waddr', expr: ref('s1_waddr') },
        { port: 'w', expr: ref(`w_q${laneOf(hw.axes, hw.weightLanes, pc)}`) },
        { port: 'x', expr: ref(`xe${laneOf(hw.axes, hw.inputLanes, pc)}`) },
        { port: 'raddr', expr: ref('d_raddr') },
        { port: 'psum', expr: ref(`psum${n}`) },
      ],
    });
  });

  return coords;
}
