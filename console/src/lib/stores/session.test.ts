import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startJsonServer, type JsonServer } from '../testing/json-server.ts';
import { createSessionStore, type TokenStorage } from './session.svelte.ts';

const SESSION = { node: 'n1', version: '0.1.0', slowDeliveryThresholdMs: 250 };
const GOOD = 'the-operator-token';

function memoryStorage(initial: Record<string, string> = {}): TokenStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

let server: JsonServer | undefined;
let accepted = GOOD;

async function gateway() {
  server = await startJsonServer((req, res) =>
    req.headers.authorization === `Bearer ${accepted}` ? sendJson(res, 200, SESSION) : sendJson(res, 401, { error: 'missing or invalid operator token' }),
  );
  return server.baseUrl;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
  accepted = GOOD;
});

describe('createSessionStore', () => {
  it('signs in with a valid token and keeps it for the tab', async () => {
    const storage = memoryStorage();
    const session = createSessionStore({ baseUrl: await gateway(), storage, takeLinkToken: () => undefined });
    expect(await session.login(` ${GOOD} `)).toBe(true);
    expect(session.state).toBe('signed-in');
    expect(session.session).toEqual(SESSION);
    expect(session.token).toBe(GOOD);
    expect(await session.api?.session()).toEqual(SESSION);
    expect(storage.items.get('wsgw.console.token')).toBe(GOOD);
  });

  it('says "Invalid token" when the gateway answers 401', async () => {
    const session = createSessionStore({ baseUrl: await gateway(), storage: null, takeLinkToken: () => undefined });
    expect(await session.login('wrong')).toBe(false);
    expect(session.state).toBe('signed-out');
    expect(session.error).toBe('Invalid token');
  });

  it('says the gateway is unreachable, in other words, when nothing answers', async () => {
    const closed = await startJsonServer(() => {});
    await closed.close();
    const storage = memoryStorage({ 'wsgw.console.token': GOOD });
    const session = createSessionStore({ baseUrl: closed.baseUrl, storage, takeLinkToken: () => undefined });
    await session.start();
    expect(session.state).toBe('signed-out');
    expect(session.error).toMatch(/^Cannot reach the gateway/);
    expect(session.error).not.toMatch(/invalid/i);
    // Kept: a reload retries it once the gateway is back.
    expect(storage.items.get('wsgw.console.token')).toBe(GOOD);
  });

  it('prefers the link token over the stored one at start', async () => {
    const storage = memoryStorage({ 'wsgw.console.token': 'stale' });
    const session = createSessionStore({ baseUrl: await gateway(), storage, takeLinkToken: () => GOOD });
    await session.start();
    expect(session.state).toBe('signed-in');
    expect(storage.items.get('wsgw.console.token')).toBe(GOOD);
  });

  it('stays signed out at start without any token', async () => {
    const session = createSessionStore({ baseUrl: await gateway(), storage: memoryStorage(), takeLinkToken: () => undefined });
    await session.start();
    expect(session.state).toBe('signed-out');
    expect(session.error).toBeUndefined();
  });

  it('signs out on revalidation once the gateway stops accepting the token, and on logout', async () => {
    const storage = memoryStorage();
    const session = createSessionStore({ baseUrl: await gateway(), storage, takeLinkToken: () => undefined });
    await session.login(GOOD);
    await session.revalidate();
    expect(session.state).toBe('signed-in');
    accepted = 'rotated';
    await session.revalidate();
    expect(session.state).toBe('signed-out');
    expect(session.error).toMatch(/no longer accepts/);
    expect(storage.items.size).toBe(0);

    accepted = GOOD;
    await session.login(GOOD);
    session.logout();
    expect(session.state).toBe('signed-out');
    expect(session.api).toBeUndefined();
  });

  it('lets only the latest of overlapping sign-ins decide', async () => {
    const session = createSessionStore({ baseUrl: await gateway(), storage: null, takeLinkToken: () => undefined });
    const first = session.login('wrong');
    const second = session.login(GOOD);
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(session.state).toBe('signed-in');
    expect(session.error).toBeUndefined();
  });
});
