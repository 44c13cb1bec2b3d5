import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const secrets = { WSGW_API_KEY: 'api-key', WSGW_JWT_SECRET: 's'.repeat(32), WSGW_ADMIN_TOKEN: 'a'.repeat(24) };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(secrets);
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      production: false,
      devSecrets: false,
      maxBodyBytes: 1024 * 1024,
      slowConsumerBytes: 1024 * 1024,
      maxConnectionsPerUser: 100,
      heartbeatMs: 25_000,
      idempotencyMs: 60_000,
      allowedOrigins: [],
    });
  });

  it('generates secrets in dev mode', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.devSecrets).toBe(true);
    expect(a.apiKey).toMatch(/^[\w-]{43}$/);
    expect(a.jwtSecret).toMatch(/^[\w-]{43}$/);
    expect(a.apiKey).not.toBe(b.apiKey);
  });

  it('refuses production without an API key or a JWT key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', WSGW_API_KEY: 'k' })).toThrow('WSGW_JWT_SECRET, WSGW_JWT_PUBLIC_KEY or WSGW_JWT_JWKS_URL');
    expect(() => loadConfig({ NODE_ENV: 'production', WSGW_JWT_SECRET: 's'.repeat(32) })).toThrow('WSGW_API_KEY');
    expect(loadConfig({ NODE_ENV: 'production', ...secrets }).production).toBe(true);
  });

  it('requires an operator token in production unless the console is off', () => {
    const { WSGW_ADMIN_TOKEN: _, ...withoutAdmin } = secrets;
    expect(() => loadConfig({ NODE_ENV: 'production', ...withoutAdmin })).toThrow('WSGW_ADMIN_TOKEN (or WSGW_CONSOLE=false)');
    const consoleOff = loadConfig({ NODE_ENV: 'production', ...withoutAdmin, WSGW_CONSOLE: 'false' });
    expect(consoleOff.adminToken).toBeUndefined();
    expect(() => loadConfig({ ...secrets, WSGW_ADMIN_TOKEN: 'short' })).toThrow('at least 16 characters');
    const dev = loadConfig({ WSGW_API_KEY: 'api-key', WSGW_JWT_SECRET: 's'.repeat(32) });
    expect(dev.devSecrets).toBe(true);
    expect(dev.adminToken).toMatch(/^[\w-]{43}$/);
  });

  it('accepts a trace URL template only with {traceId}', () => {
    const template = 'http://grafana.local/explore?traceId={traceId}';
    expect(loadConfig({ ...secrets, WSGW_TRACE_URL_TEMPLATE: template }).traceUrlTemplate).toBe(template);
    expect(() => loadConfig({ ...secrets, WSGW_TRACE_URL_TEMPLATE: 'http://grafana.local/explore' })).toThrow('{traceId}');
    expect(() => loadConfig({ ...secrets, WSGW_TRACE_URL_TEMPLATE: 'javascript:alert({traceId})' })).toThrow(ConfigError);
  });

  it('rejects short JWT secrets, bad numbers and out-of-range values', () => {
    expect(() => loadConfig({ ...secrets, WSGW_JWT_SECRET: 'short' })).toThrow('at least 32 characters');
    expect(() => loadConfig({ ...secrets, PORT: 'eighty' })).toThrow('PORT must be a whole number');
    expect(() => loadConfig({ ...secrets, PORT: '70000' })).toThrow('between 0 and 65535');
    expect(() => loadConfig({ ...secrets, WSGW_MAX_CONNECTIONS: '0' })).toThrow(ConfigError);
  });

  it('reads the allowed origins list', () => {
    expect(loadConfig({ ...secrets, WSGW_ALLOWED_ORIGINS: 'https://a.example, https://b.example,' }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
