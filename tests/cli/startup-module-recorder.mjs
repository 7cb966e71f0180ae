// Preloaded with `node --import` by the start-up tests: appends the URL of every module the
// process loads (ES modules via a resolve hook, CommonJS via require's cache) to $NACC_MODULE_LOG.
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const log = process.env.NACC_MODULE_LOG;
if (log) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    let log;
    export function initialize(data) { log = data; }
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(log, result.url + '\\n');
      return result;
    }`;
  register('data:text/javascript,' + encodeURIComponent(hooks), { data: log });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      log,
      Object.keys(cache)
        .map((p) => pathToFileURL(p).href + '\n')
        .join(''),
    );
  });
}
