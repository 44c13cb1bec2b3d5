import type { AddressInfo } from 'node:net';
import { mintToken } from './auth/token-minter.ts';
import type { GatewayConfig } from './config.ts';

/**
 * Dev mode's welcome: the generated secrets (they exist only in this process), a token for user
 * `demo`, and commands that connect and push, so a first run shows a delivery in a minute.
 */
export async function devBanner(config: GatewayConfig, address: AddressInfo): Promise<string> {
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  const base = `http://${host}:${address.port}`;
  const token = config.jwtSecret ? await mintToken({ secret: config.jwtSecret, user: 'demo', expiresIn: '24h' }) : undefined;
  const lines = [
    '',
    'wsgw is running in DEV MODE with generated secrets (set NODE_ENV=production to require real ones).',
    '',
    `  WSGW_API_KEY=${config.apiKey}`,
    ...(config.jwtSecret && !config.jwtPublicKey && !config.jwks ? [`  WSGW_JWT_SECRET=${config.jwtSecret}`] : []),
    ...(config.adminToken ? [`  WSGW_ADMIN_TOKEN=${config.adminToken}`] : []),
    '',
  ];
  if (config.adminToken) {
    lines.push('Operator console (the link logs straight in):', `  ${base}/console/#token=${encodeURIComponent(config.adminToken)}`, '');
  }
  if (token) {
    lines.push(
      'Token for user "demo" (valid 24 h):',
      `  ${token}`,
      '',
      'Connect:',
      `  npx wscat -c "ws://${host}:${address.port}/ws?token=${token}"`,
      '',
    );
  }
  lines.push(
    'Push to it:',
    `  curl -s -X POST ${base}/api/push -H "Authorization: Bearer ${config.apiKey}" -H "Content-Type: application/json" -d '{"to":{"users":["demo"]},"data":{"hello":"world"}}'`,
    '',
  );
  return lines.join('\n');
}
