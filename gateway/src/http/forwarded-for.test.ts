import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { connectClient } from '../testing/test-client.ts';
import { useTestGateways } from '../testing/test-gateway.ts';
import { createClientAddressResolver } from './forwarded-for.ts';

const startTestGateway = useTestGateways();

describe('WSGW_TRUSTED_PROXIES', () => {
  it('behind a trusted proxy, rate-limits and reports each forwarded client on its own', async () => {
    // The test's sockets come from 127.0.0.1: here that is the proxy.
    const gateway = await startTestGateway({ trustedProxies: ['127.0.0.1/32'], connectRatePerIp: 1 });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const connectAs = async (user: string, ip: string) => connectClient(`${gateway.wsUrl}?token=${await gateway.token(user)}`, from(ip));
    // The burst is twice the rate: two connections, then 429 for that client only.
    const first = await connectAs('alice', '203.0.113.5');
    const second = await connectAs('alice', '198.51.100.1, 203.0.113.5');
    expect(await gateway.refusal(`?token=${await gateway.token('alice')}`, from('203.0.113.5'))).toEqual({ status: 429, body: { error: 'too many connection attempts' } });
    const other = await connectAs('bob', '203.0.113.6');
    const { body } = await gateway.api('GET', '/api/users/alice');
    expect(body.connections.map((c: { remote: string }) => c.remote)).toEqual(['203.0.113.5', '203.0.113.5']);
    expect((await gateway.api('GET', '/api/users/bob')).body.connections[0].remote).toBe('203.0.113.6');
    await Promise.all([first.close(), second.close(), other.close()]);
  });

  it('ignores X-Forwarded-For from a peer it does not trust', async () => {
    const gateway = await startTestGateway({ trustedProxies: ['10.0.0.0/8', 'fd00::/8'], connectRatePerIp: 1 });
    const clients = [];
    for (const ip of ['203.0.113.1', '203.0.113.2']) {
      clients.push(await connectClient(`${gateway.wsUrl}?token=${await gateway.token('alice')}`, { 'x-forwarded-for': ip }));
    }
    // A third "client" is the same peer as far as the gateway can tell: its burst is spent.
    const refusal = await gateway.refusal(`?token=${await gateway.token('alice')}`, { 'x-forwarded-for': '203.0.113.3' });
    expect(refusal.status).toBe(429);
    const { body } = await gateway.api('GET', '/api/users/alice');
    for (const connection of body.connections) expect(connection.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('refuses a malformed X-Forwarded-For from a trusted proxy with 400', async () => {
    const gateway = await startTestGateway({ trustedProxies: ['127.0.0.1'] });
    const token = await gateway.token('alice');
    for (const header of ['not-an-address', '203.0.113.5:4711', '203.0.113.5,,10.0.0.1', '']) {
      const refusal = await gateway.refusal(`?token=${token}`, { 'x-forwarded-for': header });
      expect(refusal, header).toEqual({ status: 400, body: { error: 'malformed X-Forwarded-For: expected a comma-separated list of IP addresses' } });
    }
  });

  it('reads the right-most untrusted address, IPv4 and IPv6 alike', () => {
    const resolver = createClientAddressResolver(['10.0.0.0/8', 'fd00::/8']);
    expect(resolver.resolve('::ffff:10.1.2.3', '2001:db8::1, 10.9.9.9')).toEqual({ ip: '2001:db8::1', forwarded: true });
    expect(resolver.resolve('fd00::5', '203.0.113.9, not-an-address')).toBeUndefined();
    expect(resolver.resolve('fd00::5', '198.51.100.7, 203.0.113.9, fd00::1')).toEqual({ ip: '203.0.113.9', forwarded: true });
    expect(resolver.resolve('fd00::5', '10.0.0.1, fd00::2')).toEqual({ ip: '10.0.0.1', forwarded: true });
    expect(resolver.resolve('2001:db8::2', '198.51.100.7')).toEqual({ ip: '2001:db8::2', forwarded: false });
  });

  it('refuses to start with a malformed CIDR', () => {
    for (const value of ['10.0.0.0/33', 'fd00::/129', 'example.com', '10.0.0.0/8/1', '10.0.0.0/x']) {
      expect(() => loadConfig({ WSGW_TRUSTED_PROXIES: value }), value).toThrow(ConfigError);
    }
    expect(loadConfig({ WSGW_TRUSTED_PROXIES: ' 10.0.0.0/8, ::1 ,' }).trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
  });
});
