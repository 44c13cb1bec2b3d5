import { importJWK, type JWK, type JWTHeaderParameters } from 'jose';
import { TokenError } from './token-error.ts';

/** The algorithms a JWKS key may verify; HS* and `none` never come from a JWKS. */
export type JwksAlgorithm = 'RS256' | 'ES256';
export const JWKS_ALGORITHMS: readonly JwksAlgorithm[] = ['RS256', 'ES256'];

export interface JwksKeysOptions {
  /** The identity provider's JWKS endpoint (`.../.well-known/jwks.json`). */
  url: string;
  /** After a fetch, no other fetch starts for this long, ms (unknown kids within it are refused). */
  cooldownMs: number;
  /** A fetch that has not answered by then counts as failed, ms. */
  timeoutMs: number;
  /** Keys older than this are fetched again on the next token (revoked keys do not live forever), ms. */
  maxAgeMs: number;
  /** Told of every failed fetch; the message names the URL and the cause, never a token. */
  onFetchError?(message: string): void;
}

/** Hands jose the key a token names: from the cache, or from one bounded refresh. */
export interface JwksKeys {
  keyFor(header: JWTHeaderParameters): Promise<CryptoKey>;
}

interface CachedKey {
  kid: string | undefined;
  alg: JwksAlgorithm;
  key: CryptoKey;
}

/** A JWKS larger than this is not a key set; reading it whole would let the endpoint fill memory. */
const MAX_JWKS_BYTES = 512 * 1024;

/**
 * A cached JWKS. It is fetched on the first token, again when a token names an unknown `kid` or
 * the keys are older than `maxAgeMs`, but never more than once per `cooldownMs`: a flood of
 * made-up kids costs the identity provider one request, not one per handshake. Concurrent
 * handshakes share one fetch. A failed fetch keeps the keys already cached.
 */
export function createJwksKeys(options: JwksKeysOptions): JwksKeys {
  let keys: CachedKey[] | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (Date.now() - fetchedAt < options.cooldownMs) return Promise.resolve();
    // Failed fetches count too: an endpoint that is down is not asked on every handshake.
    fetchedAt = Date.now();
    inFlight = fetchKeys(options)
      .then((fresh) => {
        keys = fresh;
      })
      .catch((error: unknown) => options.onFetchError?.(error instanceof Error ? error.message : String(error)))
      .finally(() => {
        fetchedAt = Date.now();
        inFlight = undefined;
      });
    return inFlight;
  };

  const find = (header: JWTHeaderParameters): CachedKey | undefined => {
    const usable = (keys ?? []).filter((key) => key.alg === header.alg);
    // Without a kid, only a set with a single key for the algorithm says which key is meant.
    if (header.kid === undefined) return usable.length === 1 ? usable[0] : undefined;
    return usable.find((key) => key.kid === header.kid);
  };

  return {
    async keyFor(header) {
      if (!JWKS_ALGORITHMS.includes(header.alg as JwksAlgorithm)) {
        throw new TokenError(`token algorithm ${String(header.alg)} is not accepted`);
      }
      if (keys === undefined || Date.now() - fetchedAt >= options.maxAgeMs) await refresh();
      if (keys === undefined) throw new TokenError('token signing keys are unavailable: the JWKS endpoint could not be read');
      let found = find(header);
      if (!found) {
        await refresh();
        found = find(header);
      }
      if (!found) throw new TokenError(header.kid === undefined ? 'token has no kid and the JWKS has no single key for its algorithm' : 'token kid is not in the JWKS');
      return found.key;
    },
  };
}

async function fetchKeys(options: JwksKeysOptions): Promise<CachedKey[]> {
  const where = loggableUrl(options.url);
  let response: Response;
  try {
    response = await fetch(options.url, { signal: AbortSignal.timeout(options.timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    const cause = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : describeCause(error);
    throw new Error(`JWKS fetch from ${where} failed: ${cause}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`JWKS fetch from ${where} failed: HTTP ${response.status}`);
  }
  const text = await readBounded(response, MAX_JWKS_BYTES);
  if (text === undefined) throw new Error(`JWKS from ${where} is larger than ${MAX_JWKS_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`JWKS from ${where} is not JSON`);
  }
  const list = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error(`JWKS from ${where} has no "keys" array`);
  const imported = await Promise.all(list.map((jwk) => importKey(jwk as JWK)));
  return imported.filter((key): key is CachedKey => key !== undefined);
}

/**
 * Imports the keys the gateway can use: RSA keys for RS256, P-256 keys for ES256, signing keys
 * only. The rest (oct secrets, encryption keys, other curves) is skipped, not an error:
 * providers publish keys for other uses next to the signing keys.
 */
async function importKey(jwk: JWK): Promise<CachedKey | undefined> {
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
  const alg: JwksAlgorithm | undefined = jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : undefined;
  if (!alg || (jwk.alg !== undefined && jwk.alg !== alg)) return undefined;
  try {
    const key = await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e, crv: jwk.crv, x: jwk.x, y: jwk.y }, alg);
    return { kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, alg, key: key as CryptoKey };
  } catch {
    return undefined;
  }
}

/** The body as text, or undefined once it passes `limit` bytes (the rest is not read). */
async function readBounded(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A reader rather than `for await`: the DOM typings the console checks this file with have no
  // async iterator on a web stream.
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Cancelled: the rest is never downloaded.
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The URL without credentials or query: either may hold a secret, and this text is logged. */
function loggableUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
