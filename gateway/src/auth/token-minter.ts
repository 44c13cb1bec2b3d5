import { SignJWT } from 'jose';

export interface MintOptions {
  secret: string;
  user: string;
  tags?: string[];
  /** Lifetime, e.g. '24h' or seconds. */
  expiresIn?: string | number;
}

/** Signs an HS256 connection token (dev mode's demo token, tests, load generators). */
export async function mintToken(options: MintOptions): Promise<string> {
  const claims = options.tags && options.tags.length > 0 ? { tags: options.tags } : {};
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.user)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(options.secret));
}
