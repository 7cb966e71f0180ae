// Regenerates editors/vscode/ (package.json, language-configuration.json, the TextMate grammar)
// from the lexer's token lists and the built-in ops. Run: npx tsx scripts/gen-grammar.ts
// (`--check` exits 1 when the committed files differ instead of writing them).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vscodeExtensionFiles } from '../compiler/frontend/grammar-export.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, text] of Object.entries(vscodeExtensionFiles(version))) {
  const file = join(root, 'editors', 'vscode', rel);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) continue;
  stale++;
  if (check) {
    process.stderr.write(`stale: editors/vscode/${rel}\n`);
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  process.stderr.write(`wrote editors/vscode/${rel}\n`);
}
if (check && stale) {
  process.stderr.write('run: npx tsx scripts/gen-grammar.ts\n');
  process.exit(1);
}
