import { createServer } from 'node:net';
import { useTestGateways, type TestGateway } from '@wsgw/gateway/testing';
import { describe, expect, it } from 'vitest';
import { createSessionStore, type TokenStorage } from './session.svelte.ts';

const startGateway = useTestGateways();

function memoryStorage(initial: Record<string, string> = {}): TokenStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** An address where nothing listens (a port that was free a moment ago). */
async function nobodyHome(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const tokenOf = (gateway: TestGateway) => gateway.config.adminToken!;

describe('createSessionStore against a gateway', () => {
  it('signs in with the operator token and keeps it for the tab', async () => {
    const gateway = await startGateway();
    const storage = memoryStorage();
    const session = createSessionStore({ baseUrl: gateway.http, storage, takeLinkToken: () => undefined });
    expect(await session.login(` ${tokenOf(gateway)} `)).toBe(true);
    expect(session.state).toBe('signed-in');
    expect(session.session?.node).toBe(gateway.config.nodeId);
    expect(session.token).toBe(tokenOf(gateway));
    expect(await session.api?.session()).toEqual(session.session);
    expect(storage.items.get('wsgw.console.token')).toBe(tokenOf(gateway));
  });

  it('says "Invalid token" when the gateway refuses it, including the push API key', async () => {
    const gateway = await startGateway();
    const session = createSessionStore({ baseUrl: gateway.http, storage: null, takeLinkToken: () => undefined });
    expect(await session.login('wrong-token-wrong-token')).toBe(false);
    expect(session.state).toBe('signed-out');
    expect(session.error).toBe('Invalid token');
    expect(await session.login(gateway.config.apiKey)).toBe(false);
    expect(session.error).toBe('Invalid token');
  });

  it('says the gateway is unreachable, not that the token is wrong, when nothing answers', async () => {
    const storage = memoryStorage({ 'wsgw.console.token': 'kept-token' });
    const session = createSessionStore({ baseUrl: await nobodyHome(), storage, takeLinkToken: () => undefined });
    await session.start();
    expect(session.state).toBe('signed-out');
    expect(session.error).toMatch(/^Cannot reach the gateway/);
    // Kept: a reload retries it once the gateway is back.
    expect(storage.items.get('wsgw.console.token')).toBe('kept-token');
  });

  it('prefers the link token over the stored one at start, and stays signed out without any', async () => {
    const gateway = await startGateway();
    const storage = memoryStorage({ 'wsgw.console.token': 'stale' });
    const linked = createSessionStore({ baseUrl: gateway.http, storage, takeLinkToken: () => tokenOf(gateway) });
    await linked.start();
    expect(linked.state).toBe('signed-in');
    expect(storage.items.get('wsgw.console.token')).toBe(tokenOf(gateway));

    const none = createSessionStore({ baseUrl: gateway.http, storage: memoryStorage(), takeLinkToken: () => undefined });
    await none.start();
    expect(none.state).toBe('signed-out');
    expect(none.error).toBeUndefined();
  });

  it('signs out on revalidation once the gateway comes back with another token, and on logout', async () => {
    const gateway = await startGateway();
    const storage = memoryStorage();
    const session = createSessionStore({ baseUrl: gateway.http, storage, takeLinkToken: () => undefined });
    await session.login(tokenOf(gateway));
    await session.revalidate();
    expect(session.state).toBe('signed-in');

    const port = Number(new URL(gateway.http).port);
    await gateway.close();
    const rotated = await startGateway({ port, adminToken: 'a-rotated-operator-token' });
    // The first check may still meet the old server's dropped connection (no answer: kept signed in).
    await expect
      .poll(async () => {
        await session.revalidate();
        return session.state;
      })
      .toBe('signed-out');
    expect(session.error).toMatch(/no longer accepts/);
    expect(storage.items.size).toBe(0);

    await session.login(tokenOf(rotated));
    session.logout();
    expect(session.state).toBe('signed-out');
    expect(session.api).toBeUndefined();
  });

  it('lets only the latest of overlapping sign-ins decide', async () => {
    const gateway = await startGateway();
    const session = createSessionStore({ baseUrl: gateway.http, storage: null, takeLinkToken: () => undefined });
    const first = session.login('wrong-token-wrong-token');
    const second = session.login(tokenOf(gateway));
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(session.state).toBe('signed-in');
    expect(session.error).toBeUndefined();
  });
});
