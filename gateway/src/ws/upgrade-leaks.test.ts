import { Agent, request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { rawHttp } from '../testing/raw-http.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

// The gateway runs in this process, so its heap is this heap; a fresh context hands out `gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const MB = 1024 * 1024;

/** Sends `count` requests through `send`, `concurrency` at a time. */
async function flood(count: number, concurrency: number, send: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A keep-alive GET /ws that says `Upgrade: websocket` but not `Connection: Upgrade`: an ordinary request. */
function upgradeHeaderOnly(gateway: TestGateway, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(gateway.http);
    const sent = request({ host: '127.0.0.1', port, path: '/ws', agent, headers: { upgrade: 'websocket' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('requests to /ws that do not upgrade', () => {
  it('answer 20,000 GET /ws with Upgrade but no Connection: Upgrade with 426 and keep nothing', async () => {
    const gateway = await startTestGateway();
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const statuses = new Map<string, number>();
    const count = async () => {
      const { status, body } = await upgradeHeaderOnly(gateway, agent);
      const key = `${status} ${body}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    };
    await flood(200, 16, count);
    const before = heapAfterGc();
    await flood(20_000, 16, count);
    agent.destroy();
    expect(Object.fromEntries(statuses)).toEqual({ '426 {"error":"expected a WebSocket upgrade"}': 20_200 });
    // Each parked waiter held about 6 KB (over 100 MB here); what is left must be noise.
    await expect.poll(() => (heapAfterGc() - before) / MB, { timeout: 5000, interval: 200 }).toBeLessThan(4);
  }, 60_000);

  it('keep nothing of 2,000 admitted upgrades whose handshake ws would refuse', async () => {
    const gateway = await startTestGateway({ connectRatePerIp: 1_000_000 });
    const port = Number(new URL(gateway.http).port);
    const token = await gateway.token('alice');
    const handshake = `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`;
    const malformed: Array<[string, number]> = [
      [`${handshake}Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n`, 400],
      [`${handshake}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12\r\n\r\n`, 426],
      [`${handshake}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a,,b\r\n\r\n`, 400],
    ];
    const wrong: string[] = [];
    const send = async (index: number) => {
      const [text, expected] = malformed[index % malformed.length]!;
      const { status, headers } = await rawHttp(port, text);
      if (status !== expected || !headers['content-type']?.startsWith('application/json')) wrong.push(`${status} ${headers['content-type']}`);
    };
    await flood(60, 8, send);
    const before = heapAfterGc();
    await flood(2_000, 8, send);
    expect(wrong).toEqual([]);
    await expect.poll(() => (heapAfterGc() - before) / MB, { timeout: 5000, interval: 200 }).toBeLessThan(4);
    const { body } = await gateway.api('GET', '/api/stats');
    expect(body.connectionsOpened).toBe(0);
  }, 60_000);
});
