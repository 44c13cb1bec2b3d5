import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { JWKS_ALGORITHMS, type JwksKeys } from './jwks-keys.ts';
import { MAX_CONNECTION_TAGS as MAX_TAGS, MAX_ID_LENGTH } from '../protocol.ts';
import { hasUnfitCharacters } from '../validation.ts';
import { TokenError } from './token-error.ts';

export { TokenError };

/** Who a verified connection token speaks for. */
export interface Principal {
  user: string;
  tags: string[];
  /** The token's `exp` claim, epoch seconds; absent for a token that does not expire. */
  exp?: number;
}

export interface TokenVerifierOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM (SPKI) public key; RSA keys verify RS256, EC P-256 keys verify ES256. */
  publicKey?: string;
  /** Keys from an identity provider's JWKS endpoint (RS256 and ES256 only). */
  jwks?: JwksKeys;
  /** When set, the token's `iss` must be this. */
  issuer?: string;
  /** When set, the token's `aud` must contain one of these. */
  audience?: string[];
}

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Builds a verifier that accepts only the algorithms the configured keys allow:
 * `alg: none` and algorithm-confusion tokens (HS256 signed with the public key) fail.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const publicKey = options.publicKey ? readPublicKey(options.publicKey) : undefined;
  const { jwks } = options;
  if (publicKey && jwks) throw new Error('a JWT public key and a JWKS are exclusive: both would claim RS256/ES256 tokens');
  const algorithms = [...(secret ? ['HS256'] : []), ...(publicKey ? [publicKey.alg] : []), ...(jwks ? JWKS_ALGORITHMS : [])];
  if (algorithms.length === 0) throw new Error('a JWT secret, public key or JWKS is required');
  const claims = {
    algorithms,
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined && options.audience.length > 0 ? { audience: options.audience } : {}),
  };

  // Imported once: given the raw bytes, jose imports a new WebCrypto key for every token, work
  // and garbage on each of 10k handshakes.
  let hmacKey: Promise<CryptoKey> | undefined;
  const keyFor = (header: JWTHeaderParameters): Promise<CryptoKey> | KeyObject => {
    if (header.alg === 'HS256' && secret) {
      hmacKey ??= crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      return hmacKey;
    }
    if (publicKey && header.alg === publicKey.alg) return publicKey.key;
    // HS256 never reaches the JWKS: the secret answered it above, or `algorithms` refused it.
    if (jwks && header.alg !== 'HS256') return jwks.keyFor(header);
    throw new TokenError(`token algorithm ${String(header.alg)} is not accepted`);
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keyFor, claims));
    } catch (error) {
      throw new TokenError(describe(error));
    }
    return principalFrom(payload);
  };
}

function principalFrom(payload: JWTPayload): Principal {
  const { sub, tags, exp } = payload;
  // jose has checked `exp` is a number in the future when present.
  const expiry = typeof exp === 'number' ? { exp } : {};
  if (typeof sub !== 'string' || sub === '') throw new TokenError('token has no sub claim');
  if (sub.length > MAX_ID_LENGTH) throw new TokenError('token sub claim is too long');
  if (hasUnfitCharacters(sub)) throw new TokenError('token sub claim has control characters or unpaired surrogates');
  if (tags === undefined) return { user: sub, tags: [], ...expiry };
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== '' && tag.length <= MAX_ID_LENGTH)) {
    throw new TokenError('token tags claim must be an array of non-empty strings');
  }
  if (tags.some((tag: string) => hasUnfitCharacters(tag))) throw new TokenError('token tags claim has control characters or unpaired surrogates');
  if (tags.length > MAX_TAGS) throw new TokenError(`token has more than ${MAX_TAGS} tags`);
  return { user: sub, tags: [...new Set(tags as string[])], ...expiry };
}

function readPublicKey(pem: string): { key: KeyObject; alg: 'RS256' | 'ES256' } {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType === 'rsa') return { key, alg: 'RS256' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, alg: 'ES256' };
  throw new Error('WSGW_JWT_PUBLIC_KEY must be an RSA or EC P-256 public key');
}

function describe(error: unknown): string {
  if (error instanceof TokenError) return error.message;
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') return 'token issuer is not accepted';
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') return 'token audience is not accepted';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim ${error.claim} is not valid yet or invalid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token algorithm is not accepted';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'token is malformed';
  return 'token is invalid';
}
