import { describe, expect, it } from 'vitest';
import { MAX_DATA_DEPTH } from '../protocol.ts';
import type { TestClient } from '../testing/test-client.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

/** Records the raw text of every frame from now on: the bytes the client got, before any parse. */
function rawFrames(client: TestClient): string[] {
  const texts: string[] = [];
  client.ws.on('message', (data) => texts.push(data.toString()));
  return texts;
}

async function postRaw(gateway: TestGateway, path: string, body: string) {
  const response = await fetch(`${gateway.http}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.config.apiKey}`, 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('push data', () => {
  it('is delivered as the exact JSON text the backend sent, big numbers and spacing included', async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    const texts = rawFrames(alice);
    const payloads = [
      '1e400',
      '9007199254740993',
      '{"id":18446744073709551615,"ids":[123456789012345678901234567890]}',
      '{ "spaced" : [ 1 ,\n 2 ] , "x":-0.0 }',
      '"caf\\u00e9 \\ud83d\\ude00 \\"quoted\\" \\\\"',
      '"\\ud800 lone"',
      '{"__proto__":{"polluted":true},"a":{"a":{"a":"}]\\""}}}',
      'null',
    ];
    for (const payload of payloads) {
      const answer = await postRaw(gateway, '/api/push', `{"to":{"users":["alice"]},"data":${payload}}`);
      expect(answer.status).toBe(202);
    }
    await alice.waitForPushes(payloads.length);
    const delivered = texts.map((text) => /,"data":(.*)\}$/s.exec(text)?.[1]);
    expect(delivered).toEqual(payloads);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the last of repeated keys, as JSON.parse does, and delivers in a batch unchanged', async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    const texts = rawFrames(alice);
    const answer = await postRaw(
      gateway,
      '/api/push/batch',
      '{"pushes":[{"data":1,"to":{"users":["alice"]},"data":12345678901234567890},{"to":{"users":["alice"]},"data":[1e400, "]"]}]}',
    );
    expect(answer.status).toBe(202);
    expect(answer.body.results).toEqual([{ id: expect.any(String), recipients: 1 }, { id: expect.any(String), recipients: 1 }]);
    await alice.waitForPushes(2);
    expect(texts.map((text) => /,"data":(.*)\}$/s.exec(text)?.[1])).toEqual(['12345678901234567890', '[1e400, "]"]']);
  });

  it(`refuses data nested deeper than ${MAX_DATA_DEPTH} levels with 400, counted as invalid and never as accepted`, async () => {
    const gateway = await startTestGateway();
    const alice = await gateway.connect('alice');
    const refused = await postRaw(gateway, '/api/push', `{"to":{"users":["alice"]},"data":${nested(5000)}}`);
    expect(refused).toEqual({ status: 400, body: { error: `"data" nests deeper than ${MAX_DATA_DEPTH} levels` } });
    const justOver = await postRaw(gateway, '/api/push', `{"to":{"users":["alice"]},"data":{"a":${nested(MAX_DATA_DEPTH)}}}`);
    expect(justOver.status).toBe(400);
    // A body of nothing but brackets, to the body limit: refused, no stack overflow.
    const brackets = Math.floor(gateway.config.maxBodyBytes / 2) - 40;
    const huge = await postRaw(gateway, '/api/push', `{"to":{"users":["alice"]},"data":${nested(brackets)}}`);
    expect(huge.status).toBe(400);
    const batch = await postRaw(gateway, '/api/push/batch', `{"pushes":[{"to":{"users":["alice"]},"data":${nested(5000)}},{"to":{"users":["alice"]},"data":"marker"}]}`);
    expect(batch.status).toBe(202);
    expect(batch.body.results).toEqual([{ error: `"data" nests deeper than ${MAX_DATA_DEPTH} levels` }, { id: expect.any(String), recipients: 1 }]);
    const deepest = await postRaw(gateway, '/api/push', `{"to":{"users":["alice"]},"data":${nested(MAX_DATA_DEPTH)}}`);
    expect(deepest.status).toBe(202);
    await alice.waitForPushes(2);
    expect(alice.pushes().map((frame) => JSON.stringify(frame.data))).toEqual(['"marker"', nested(MAX_DATA_DEPTH)]);
    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(stats.pushes).toMatchObject({ total: 2, errors: 4 });
    const metrics = await (await fetch(`${gateway.http}/metrics`)).text();
    expect(metrics).toMatch(/^wsgw_push_errors_total\{reason="invalid"\} 4$/m);
    expect(metrics).toMatch(/^wsgw_push_errors_total\{reason="internal"\} 0$/m);
  });

  it('refuses a body that is not UTF-8 instead of replacing its bytes', async () => {
    const gateway = await startTestGateway();
    const body = Buffer.concat([Buffer.from('{"to":{"users":["alice"]},"data":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const response = await fetch(`${gateway.http}/api/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.config.apiKey}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'request body is not valid UTF-8' });
  });
});
