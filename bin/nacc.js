#!/usr/bin/env node
// nacc entry: runs the compiled CLI (dist/, built by `npm run bootstrap`) when it matches the
// sources, otherwise the TypeScript sources through tsx, so an edited tree never runs stale code.
import { freshCompiledMain } from '../scripts/compiled-js.mjs';

const compiled = freshCompiledMain();
let main;
if (compiled) {
  ({ main } = await import(compiled));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../compiler/cli/main.ts'));
}
await main(process.argv);
