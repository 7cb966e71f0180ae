// The Redis URL of the search queue: where it comes from (--redis URL or NACC_REDIS_URL, so a
// password need not appear in a process list), how it is printed (never with credentials), and
// the check that the server answers before a search or a worker starts (exit 4 when not).
import { createRequire } from 'node:module';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { D, fail } from '../../diagnostics/index.ts';

/** The environment variable a bare `--redis` reads its URL from. */
export const REDIS_URL_ENV = 'NACC_REDIS_URL';

/** How long the start-up check waits for the server (ms); NACC_REDIS_CONNECT_TIMEOUT_MS overrides. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The URL as it may be printed: user name and password replaced by `***`. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(a URL that does not parse)';
  }
}

/** `--redis URL` as given, or NACC_REDIS_URL for a bare `--redis`; a usage error (exit 2) unless it is redis:// or rediss://. */
export function redisUrlOption(value: string | true, env: NodeJS.ProcessEnv = process.env): string {
  const url = value === true ? env[REDIS_URL_ENV] : value;
  if (!url) fail(D.redisUrlMissing, `--redis without a URL reads it from ${REDIS_URL_ENV}, which is not set`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail(D.redisUrl, `--redis must be a URL such as redis://HOST:6379 (got ${redactRedisUrl(url)})`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    fail(D.redisUrl, `--redis must be a redis:// or rediss:// URL (got ${redactRedisUrl(url)})`);
  return url;
}

/** An error's text with the URL's credentials removed, whatever the client put in it. */
export function scrubCredentials(text: string, url: string): string {
  let out = text.split(url).join(redactRedisUrl(url));
  try {
    const u = new URL(url);
    for (const secret of [u.password, decodeURIComponent(u.password)]) if (secret.length >= 3) out = out.split(secret).join('***');
  } catch {
    // an unparseable URL never reached a client
  }
  return out;
}

/** ioredis, loaded on demand so commands that never touch a queue do not load it. */
export function loadIoredis(): new (url: string, o?: RedisOptions) => RedisClient {
  const mod = createRequire(import.meta.url)('ioredis') as { Redis: new (url: string, o?: RedisOptions) => RedisClient };
  return mod.Redis;
}

/**
 * Connects once, without retrying, and asks the server for PING: a ToolError-like user error
 * (exit 4) naming the redacted URL when it does not answer or refuses the credentials.
 */
export async function checkRedisReachable(url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const Redis = loadIoredis();
  const timeout = Number(env.NACC_REDIS_CONNECT_TIMEOUT_MS) > 0 ? Number(env.NACC_REDIS_CONNECT_TIMEOUT_MS) : CONNECT_TIMEOUT_MS;
  let lastError: Error | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeout,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`answered PING with ${JSON.stringify(pong)}`);
  } catch (e) {
    const reason = scrubCredentials((lastError ?? (e as Error)).message || String(e), url);
    fail(D.redisUnreachable, `cannot use the Redis server at ${redactRedisUrl(url)}: ${reason}`);
  } finally {
    client.disconnect();
  }
}
