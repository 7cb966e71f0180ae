// Piscina loads plain JavaScript: beside the compiled worker.js (dist/) load it directly;
// beside the sources, register the TypeScript loader first, then expose the worker.
import { existsSync } from 'node:fs';

const compiled = new URL('./worker.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('./worker.ts');
}
export default mod.default;
