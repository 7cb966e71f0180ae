// Runs the real `maestro` binary (on PATH) on every mapping file of a folder and compares its
// CSV with our MAESTRO-faithful model, layer by layer (runtime, MACs, L1/L2 counts, energy).
//
//   npx tsx bench/maestro-crosscheck.ts DIR_OF_M_FILES [maestro flags...]
//   e.g. npx tsx bench/maestro-crosscheck.ts ../maestro/data/mapping --num_pes=256 --noc_bw_cstr=64 --offchip_bw_cstr=32
//
// Each file is run in its own temporary folder laid out as a reference case (cmd.txt, the
// input, MAESTRO's CSV and exit code), then checked exactly as `nacc maestro check` does.
// Pass --keep OUT to keep those case folders (e.g. to add them as test fixtures).
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { checkMaestroCase } from '../testbench/fidelity/maestro-cases.ts';
import { findOnPath, runToolSync } from '../testbench/tools/run-tool.ts';

const args = process.argv.slice(2);
const keepAt = args.indexOf('--keep');
const keep = keepAt >= 0 ? resolve(args.splice(keepAt, 2)[1]) : undefined;
const [dir, ...flags] = args;
if (!dir) {
  console.error('usage: npx tsx bench/maestro-crosscheck.ts DIR_OF_M_FILES [maestro flags...] [--keep OUT]');
  process.exit(2);
}
if (!findOnPath('maestro')) {
  console.error('maestro is not on PATH: build it from github.com/maestro-project/maestro (commit 4eb08d1) and put the binary on PATH');
  process.exit(4);
}
const root = keep ?? mkdtempSync(join(tmpdir(), 'nacc-maestro-xcheck-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.m'))
  .sort();
let ok = 0;
for (const f of files) {
  const name = basename(f, '.m');
  const caseDir = join(root, 'cases', name);
  mkdirSync(caseDir, { recursive: true });
  cpSync(join(dir, f), join(caseDir, f));
  const argv = [`--Mapping_file=${f}`, ...flags, '--print_res=true', '--print_res_csv_file=true', '--print_log_file=false'];
  writeFileSync(join(caseDir, 'cmd.txt'), `maestro ${argv.join(' ')}\n`);
  const run = runToolSync('maestro', argv, { cwd: caseDir, timeoutMs: 300_000 });
  // A crash (SIGFPE) is exit 128 + signal, as a shell reports it.
  const code = run.exitCode ?? (run.signal === 'SIGFPE' ? 136 : run.signal === 'SIGABRT' ? 134 : 139);
  writeFileSync(join(caseDir, 'exit_code.txt'), `${code}\n`);
  const r = checkMaestroCase(caseDir, root, 0.001);
  if (r.match) ok++;
  const what = r.rejected.reference
    ? `MAESTRO exit ${code}, ${r.rejected.ours ? 'rejected by us' : 'ACCEPTED by us'}`
    : `${r.layers} layers, runtime ${r.runtime.ours}/${r.runtime.reference}, counts ${r.counts_match ? 'equal' : 'differ'}`;
  console.log(`${r.match ? 'ok  ' : 'FAIL'} ${name.padEnd(28)} ${what}`);
  for (const m of r.mismatches.slice(0, 3)) console.log(`       ${m.layer} ${m.field}: ours ${m.ours}, maestro ${m.reference}`);
}
console.log(
  `${ok}/${files.length} mapping files agree with maestro (${flags.join(' ') || 'default flags'})${keep ? `; cases kept in ${keep}` : ''}`,
);
