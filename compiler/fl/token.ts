// The per-job secret of `nacc fl serve` / `join`: made fresh for each job, kept in a file only its
// owner can read, never on a command line or in output, and never sent: workers prove it by an HMAC.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { D, fail } from '../diagnostics/index.ts';
import { MAC_BYTES, NONCE_BYTES } from './frames.ts';

/** A fresh token (a secret, not a simulation input: node:crypto, not the seeded PRNG). */
export const newToken = (): string => randomBytes(32).toString('hex');
export const newNonce = (): Buffer => randomBytes(NONCE_BYTES);

/** Write the token to `path` with mode 0600 (an existing file is truncated and its mode narrowed first). */
export function writeTokenFile(path: string, token: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'w', 0o600);
  } catch (e) {
    fail(D.flTokenWrite, `cannot write the token file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    chmodSync(path, 0o600);
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Read a token file written by `nacc fl serve`; one others can read is refused (like ssh keys). */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077)
      fail(D.flTokenRead, `token file '${path}' can be read by others (mode ${mode.toString(8).padStart(4, '0')}); it must be 0600`);
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    if ((e as { code?: string }).code === undefined) throw e;
    fail(D.flTokenRead, `cannot read the token file '${path}': ${(e as NodeJS.ErrnoException).code}`);
  }
  if (!/^[0-9a-f]{16,}$/.test(text)) fail(D.flTokenRead, `token file '${path}' does not hold a token written by 'nacc fl serve'`);
  return text;
}

export const proof = (token: string, nonce: Uint8Array): Buffer => createHmac('sha256', token).update(nonce).digest();

/** The server's answer to a worker's nonce: a worker decodes a job only from a server that holds the token. */
export const serverProof = (token: string, workerNonce: Uint8Array): Buffer =>
  proof(token, Buffer.concat([Buffer.from('server:'), workerNonce]));

export function proofMatches(token: string, nonce: Uint8Array, mac: Uint8Array): boolean {
  const want = proof(token, nonce);
  return mac.length === MAC_BYTES && timingSafeEqual(want, mac);
}

export function serverProofMatches(token: string, workerNonce: Uint8Array, mac: Uint8Array): boolean {
  return mac.length === MAC_BYTES && timingSafeEqual(serverProof(token, workerNonce), mac);
}
