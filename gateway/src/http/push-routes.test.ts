import { describe, expect, it } from 'vitest';
import { useTestGateways } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

describe('POST /api/push', () => {
  it('delivers to every connection of a user with the push frame of the contract', async () => {
    const gateway = await startTestGateway();
    const clients = await Promise.all([gateway.connect('alice'), gateway.connect('alice'), gateway.connect('alice')]);
    const other = await gateway.connect('bob');
    const before = Date.now();
    const response = await gateway.push({ to: { users: ['alice'] }, data: { text: 'hi', n: [1, 2] } });
    expect(response).toMatchObject({ status: 202, body: { id: expect.any(String), recipients: 3 } });
    for (const client of clients) {
      const [frame] = await client.waitForPushes(1);
      // The first push of alice's stream: position 1 there, past the 0 her welcome gave.
      expect(client.welcome.streams?.['u:alice']?.seq).toBe(0);
      expect(frame).toEqual({ type: 'push', id: response.body.id, ts: expect.any(Number), pos: { 'u:alice': 1 }, data: { text: 'hi', n: [1, 2] } });
      expect(frame!.ts).toBeGreaterThanOrEqual(before);
    }
    // A marker to bob: a stray copy of alice's push would have reached him before it.
    await gateway.push({ to: { users: ['bob'] }, data: 'marker' });
    expect((await other.waitForPushes(1)).map((f) => f.data)).toEqual(['marker']);
  });

  it('delivers to tags and to everyone', async () => {
    const gateway = await startTestGateway();
    const news = await gateway.connect('alice', ['news']);
    const sport = await gateway.connect('bob', ['sport']);
    const none = await gateway.connect('carol');
    expect((await gateway.push({ to: { tags: ['news'] }, data: 'n' })).body.recipients).toBe(1);
    expect((await gateway.push({ to: { all: true }, data: 'a' })).body.recipients).toBe(3);
    expect((await news.waitForPushes(2)).map((f) => f.data)).toEqual(['n', 'a']);
    expect((await sport.waitForPushes(1)).map((f) => f.data)).toEqual(['a']);
    expect((await none.waitForPushes(1)).map((f) => f.data)).toEqual(['a']);
    expect((await gateway.push({ to: { users: ['nobody'] }, data: 1 })).body.recipients).toBe(0);
  });

  it('delivers once to a connection matched by several targets', async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice', ['news', 'sport']);
    const bob = await gateway.connect('bob', ['news']);
    const response = await gateway.push({ to: { users: ['alice', 'bob'], tags: ['news', 'sport'] }, data: 'once' });
    expect(response.body.recipients).toBe(2);
    await gateway.push({ to: { users: ['alice'], all: true }, data: 'marker' });
    expect((await alice.waitForPushes(2)).map((f) => f.data)).toEqual(['once', 'marker']);
    expect((await bob.waitForPushes(2)).map((f) => f.data)).toEqual(['once', 'marker']);
  });

  it('does not deliver a repeated caller id again and answers with the first result', async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    const first = await gateway.api('POST', '/api/push', { id: 'order-42', to: { users: ['alice'] }, data: 1 });
    await gateway.connect('alice');
    const again = await gateway.api('POST', '/api/push', { id: 'order-42', to: { users: ['alice'] }, data: 2 });
    expect(first.body).toEqual({ id: 'order-42', recipients: 1 });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replay')).toBe('true');
    await gateway.push({ to: { users: ['alice'] }, data: 'marker' });
    expect((await alice.waitForPushes(2)).map((f) => f.data)).toEqual([1, 'marker']);
  });

  it('forgets caller ids after the idempotency window', async () => {
    const gateway = await startTestGateway({ idempotencyMs: 200 });
    const alice = await gateway.connect('alice');
    await gateway.push({ id: 'x', to: { users: ['alice'] }, data: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await gateway.push({ id: 'x', to: { users: ['alice'] }, data: 2 })).body.recipients).toBe(1);
    expect((await alice.waitForPushes(2)).map((f) => f.data)).toEqual([1, 2]);
  });

  it.each([
    ['malformed JSON', '{"to":', 'request body is not valid JSON'],
    ['an empty body', '', 'request body is empty'],
    ['no target', { to: {}, data: 1 }, 'push has no target: set to.users, to.tags or to.all'],
    ['a missing to', { data: 1 }, '"to" must be an object with users, tags or all'],
    ['users that are not strings', { to: { users: [1] }, data: 1 }, '"to.users" must be an array of non-empty strings'],
    ['tags that are not an array', { to: { tags: 'news' }, data: 1 }, '"to.tags" must be an array of non-empty strings'],
    ['all that is not a boolean', { to: { all: 'yes' }, data: 1 }, '"to.all" must be a boolean'],
    ['missing data', { to: { all: true } }, '"data" is required'],
    ['an id that is not a string', { to: { all: true }, data: 1, id: 5 }, '"id" must be a string of 1 to 128 characters'],
    ['an array body', [1], 'push must be a JSON object'],
  ])('answers 400 for %s', async (_name, body, error) => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    expect(await gateway.push(body)).toEqual({ status: 400, body: { error } });
    const stats = await gateway.api('GET', '/api/stats');
    expect(stats.body.pushes.errors).toBe(1);
    expect(stats.body.pushes.total).toBe(0);
    // Anything the refused push had delivered would have come before this marker.
    await gateway.push({ to: { users: ['alice'] }, data: 'marker' });
    expect((await alice.waitForPushes(1)).map((f) => f.data)).toEqual(['marker']);
  });

  it('answers 401 without the API key or with a wrong one', async () => {
    const gateway = await startTestGateway();
    const body = { to: { all: true }, data: 1 };
    for (const authorization of ['', 'Bearer wrong', `Basic ${gateway.config.apiKey}`, `Bearer ${gateway.config.apiKey}x`]) {
      const response = await gateway.api('POST', '/api/push', body, { authorization });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: 'missing or invalid API key' });
    }
    expect((await gateway.api('GET', '/api/stats', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('answers 413 for a body over WSGW_MAX_BODY, with or without a content length', async () => {
    const gateway = await startTestGateway({ maxBodyBytes: 2048 });
    const big = JSON.stringify({ to: { all: true }, data: 'x'.repeat(4096) });
    const response = await gateway.api('POST', '/api/push', big);
    expect(response).toMatchObject({ status: 413, body: { error: 'request body exceeds 2048 bytes' } });
    const chunked = await fetch(`${gateway.http}/api/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.config.apiKey}` },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toEqual({ error: 'request body exceeds 2048 bytes' });
    expect((await gateway.push({ to: { all: true }, data: 'small' })).status).toBe(202);
  });

  it('answers 404 with JSON for unknown routes', async () => {
    const gateway = await startTestGateway();
    expect(await gateway.api('GET', '/api/nope')).toMatchObject({ status: 404, body: { error: 'not found' } });
    expect(await gateway.api('GET', '/nope')).toMatchObject({ status: 404, body: { error: 'not found' } });
  });
});

describe('POST /api/push/batch', () => {
  it('delivers the good pushes in order and reports the bad one without failing the others', async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    const response = await gateway.api('POST', '/api/push/batch', {
      pushes: [
        { to: { users: ['alice'] }, data: 1 },
        { to: {}, data: 2 },
        { to: { users: ['alice'] }, data: 3, id: 'b-3' },
        { to: { users: ['alice'] }, data: 4, id: 'b-3' },
      ],
    });
    expect(response.status).toBe(202);
    expect(response.body.results).toEqual([
      { id: expect.any(String), recipients: 1 },
      { error: 'push has no target: set to.users, to.tags or to.all' },
      { id: 'b-3', recipients: 1 },
      { id: 'b-3', recipients: 1 },
    ]);
    await gateway.push({ to: { users: ['alice'] }, data: 'marker' });
    expect((await alice.waitForPushes(3)).map((f) => f.data)).toEqual([1, 3, 'marker']);
  });

  it('refuses a batch that is not a list or holds more than 1000 pushes', async () => {
    const gateway = await startTestGateway();
    expect(await gateway.api('POST', '/api/push/batch', { pushes: {} })).toMatchObject({ status: 400, body: { error: '"pushes" must be an array' } });
    const pushes = Array.from({ length: 1001 }, () => ({ to: { all: true }, data: 1 }));
    expect(await gateway.api('POST', '/api/push/batch', { pushes })).toMatchObject({ status: 400, body: { error: 'a batch holds at most 1000 pushes' } });
  });
});
