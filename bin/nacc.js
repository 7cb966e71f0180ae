#!/usr/bin/env node
// nacc entry: registers the TypeScript loader, then hands over to the CLI.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../compiler/cli/main.ts');
await main(process.argv);
