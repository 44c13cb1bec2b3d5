import { readFile } from 'node:fs/promises';
import { decodeJwt, SignJWT } from 'jose';

/** A token for `user`, with `tags` where the source can mint them (a token file's tokens carry their own). */
export type TokenSource = (user: string, tags?: string[]) => Promise<string>;

/** Tokens minted with the gateway's HS256 secret, one per user (cached). */
export function mintedTokens(secret: string, lifetime = '2h'): TokenSource {
  const key = new TextEncoder().encode(secret);
  const cache = new Map<string, Promise<string>>();
  return (user, tags = []) => {
    const cacheKey = `${user}\n${tags.join(',')}`;
    let token = cache.get(cacheKey);
    if (!token) {
      const claims = tags.length > 0 ? { tags } : {};
      token = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(user).setIssuedAt().setExpirationTime(lifetime).sign(key);
      cache.set(cacheKey, token);
    }
    return token;
  };
}

/**
 * Tokens from a file, one per line, for gateways whose signing key the load tester must not hold.
 * Each token's `sub` (read, not verified) is the user the run pushes to.
 */
export async function tokenFile(path: string): Promise<{ users: string[]; source: TokenSource }> {
  const tokens = (await readFile(path, 'utf8')).split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const byUser = new Map<string, string>();
  for (const token of tokens) {
    const { sub } = decodeJwt(token);
    if (typeof sub !== 'string' || sub === '') throw new Error(`a token in ${path} has no sub claim`);
    byUser.set(sub, token);
  }
  if (byUser.size === 0) throw new Error(`token file ${path} holds no tokens`);
  return {
    users: [...byUser.keys()],
    source: async (user) => {
      const token = byUser.get(user);
      if (!token) throw new Error(`token file has no token for ${user}`);
      return token;
    },
  };
}
