// The golden suites as data: each case is one CLI command on a shipped example and the outputs
// kept side by side with it under tests/golden/expected/<case>/ (generated Verilog, C, and every
// command's --json). `npm run update-golden` rewrites them; review the diff like code.

export interface GoldenCase {
  /** Folder name under tests/golden/expected/. */
  name: string;
  /** nacc's arguments; OUT is a fresh temporary folder. */
  args: string[];
  /** Keep stdout as `stdout.json` (the command ran with --json). */
  json?: boolean;
  /** Files of the `{out}` folder to keep, by extension or exact base name. */
  files?: string[];
}

/** Stands for a fresh temporary output folder (the test substitutes it; nothing is written into the tree). */
export const OUT = '{out}';

const VERILOG = ['.v', 'config.hex', 'manifest.json', 'nacc-run.json'];
const C_PROGRAM = ['.c', '.h', '.ld', 'Makefile', 'nacc-mcu.json', 'nacc-run.json'];

export const GOLDEN_CASES: GoldenCase[] = [
  // Generated Verilog: a weight-stationary and a 3-D array, both through the mapper's programs.
  {
    name: 'rtl-kc_ws-rtl_layers',
    args: ['rtl', 'examples/rtl.nacc', '--accelerator', 'kc_ws', '--network', 'rtl_layers', '--out', OUT],
    files: VERILOG,
  },
  {
    name: 'rtl-kcs_3d-rtl_odd',
    args: ['rtl', 'examples/rtl.nacc', '--accelerator', 'kcs_3d', '--network', 'rtl_odd', '--out', OUT],
    files: VERILOG,
  },
  { name: 'pointacc-knn', args: ['pointacc', 'examples/pointacc.nacc', '--config', 'edge', '--op', 'knn', '--out', OUT], files: VERILOG },
  // Generated C: layer by layer and patch-based.
  {
    name: 'mcu-kws-stm32f412',
    args: ['mcu', 'examples/mcu-kws.nacc', '--target', 'stm32f412', '--schedule', 'layer', '--out', OUT],
    files: C_PROGRAM,
  },
  {
    name: 'mcu-vww-patch',
    args: ['mcu', 'examples/mcunetv2-vww.nacc', '--target', 'stm32f412', '--schedule', 'patch', '--out', OUT],
    files: C_PROGRAM,
  },
  // Every command's --json.
  { name: 'json-inspect', args: ['inspect', 'examples/rtl.nacc', '--json'], json: true },
  {
    name: 'json-cost',
    args: [
      'cost',
      'examples/rtl.nacc',
      '--with',
      'examples/naas_accelerators.nacc',
      '--network',
      'rtl_layers',
      '--accelerator',
      'eyeriss',
      '--json',
    ],
    json: true,
  },
  {
    name: 'json-cost-rtl',
    args: ['cost', 'examples/rtl.nacc', '--network', 'rtl_layers', '--accelerator', 'kc_ws', '--rtl', '--json'],
    json: true,
  },
  {
    name: 'json-search',
    args: [
      'search',
      'examples/rtl.nacc',
      '--with',
      'examples/naas_accelerators.nacc',
      '--network',
      'rtl_odd',
      '--space',
      'naas_eyeriss',
      '--baseline',
      'eyeriss',
      '--budget',
      'tiny',
      '--seed',
      '1',
      '--json',
    ],
    json: true,
  },
  { name: 'json-mcu-schedule', args: ['mcu-schedule', 'examples/mcu-kws.nacc', '--json'], json: true },
  { name: 'json-mcu', args: ['mcu', 'examples/mcu-kws.nacc', '--target', 'stm32f412', '--json'], json: true },
  {
    name: 'json-pointacc',
    args: ['pointacc', 'examples/pointacc.nacc', '--network', 'pointnet2_cls', '--config', 'edge', '--json'],
    json: true,
  },
  { name: 'json-pointops', args: ['pointops', 'knn', '--cloud', 'sphere', '--json'], json: true },
  { name: 'json-fl', args: ['fl', 'examples/federated.nacc', '--job', 'quick_dga', '--json'], json: true },
];

/** JSON keys whose values are wall-clock measurements (they differ run to run by nature). */
export const VOLATILE_KEYS = /^(seconds|wall_seconds|wall_ms|elapsed_ms|load_average)$/;
