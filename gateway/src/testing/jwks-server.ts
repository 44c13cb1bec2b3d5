import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A signing key as an identity provider holds it: the private half signs, the public half is published. */
export interface ProviderKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function createProviderKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<ProviderKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Signs a connection token with `key`, naming its kid (or `kid` when given, e.g. one the JWKS lacks). */
export function signWith(key: ProviderKey, user: string, claims: { iss?: string; aud?: string; kid?: string } = {}): Promise<string> {
  const token = new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: claims.kid ?? key.kid }).setSubject(user).setExpirationTime('5m');
  if (claims.iss !== undefined) token.setIssuer(claims.iss);
  if (claims.aud !== undefined) token.setAudience(claims.aud);
  return token.sign(key.privateKey);
}

export interface JwksServer {
  readonly url: string;
  /** Requests answered so far: what the rate bound is measured with. */
  readonly fetches: number;
  /** What the endpoint publishes from now on (raw JWKs, so tests can publish keys the gateway must skip). */
  publish(keys: JWK[]): void;
  /** `hang`: accept requests and never answer (the gateway's timeout must end them). */
  mode(mode: 'serve' | 'hang' | 'fail'): void;
  close(): Promise<void>;
}

/** A JWKS endpoint on 127.0.0.1 port 0, like the `.well-known/jwks.json` of Auth0, Keycloak or Cognito. */
export async function startJwksServer(keys: JWK[] = []): Promise<JwksServer> {
  let published = keys;
  let fetches = 0;
  let current: 'serve' | 'hang' | 'fail' = 'serve';
  const server: Server = createServer((request, response) => {
    fetches += 1;
    if (current === 'hang') return;
    if (current === 'fail') {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return fetches;
    },
    publish(next) {
      published = next;
    },
    mode(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
