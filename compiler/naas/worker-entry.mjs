// Piscina loads plain JavaScript: register the TypeScript loader, then expose the worker.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;
