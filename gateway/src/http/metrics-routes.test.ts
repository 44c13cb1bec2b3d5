import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const scrape = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, text, json: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined, headers: response.headers };
};

describe('/metrics', () => {
  it('with WSGW_METRICS_PORT, is served on that port only', async () => {
    const gateway = await startTestGateway({ metricsPort: 0 });
    const address = gateway.server.metricsAddress();
    expect(address?.port).toBeGreaterThan(0);
    expect(address!.port).not.toBe(Number(new URL(gateway.http).port));
    const own = await scrape(`http://127.0.0.1:${address!.port}/metrics`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('wsgw_connections ');
    expect(await scrape(`${gateway.http}/metrics`)).toMatchObject({ status: 404, json: { error: 'not found' } });
    // The metrics port serves nothing else: not the API, not the health check.
    expect(await scrape(`http://127.0.0.1:${address!.port}/health`)).toMatchObject({ status: 404, json: { error: 'not found: this port serves /metrics only' } });
    expect((await scrape(`${gateway.http}/health`)).status).toBe(200);
  });

  it('with WSGW_METRICS_TOKEN, asks for it as a Bearer token', async () => {
    const metricsToken = 'scrape-token-0123456789';
    const gateway = await startTestGateway({ metricsToken });
    const url = `${gateway.http}/metrics`;
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${metricsToken}` }, { authorization: `Bearer ${gateway.config.apiKey}` }]) {
      const refused = await scrape(url, headers);
      expect(refused, JSON.stringify(headers)).toMatchObject({ status: 401, json: { error: 'missing or invalid metrics token' } });
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    }
    const allowed = await scrape(url, { authorization: `Bearer ${metricsToken}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('wsgw_connections ');
  });

  it('takes both together: a port of its own behind the token', async () => {
    const metricsToken = 'scrape-token-0123456789';
    const gateway = await startTestGateway({ metricsPort: 0, metricsToken });
    const url = `http://127.0.0.1:${gateway.server.metricsAddress()!.port}/metrics`;
    expect((await scrape(url)).status).toBe(401);
    expect((await scrape(url, { authorization: `Bearer ${metricsToken}` })).status).toBe(200);
  });

  it('refuses a short token, a bad port, and the main port as the metrics port', () => {
    expect(() => loadConfig({ WSGW_METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ WSGW_METRICS_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ WSGW_METRICS_PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '9000', WSGW_METRICS_PORT: '9000' })).toThrow(/must differ from PORT/);
    expect(loadConfig({ WSGW_METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(loadConfig({}).metricsPort).toBeUndefined();
  });
});
