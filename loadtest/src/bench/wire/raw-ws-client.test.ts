import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { openRawWebSocket } from './raw-ws-client.ts';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const listen = (): Promise<{ server: WebSocketServer; port: number }> =>
  new Promise((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, (): void => resolve({ server, port: (server.address() as AddressInfo).port }));
    servers.push(server);
  });

describe('openRawWebSocket', () => {
  it('upgrades, receives messages, answers pings and sends masked text a ws server accepts', async () => {
    const { server, port } = await listen();
    const seen: string[] = [];
    const serverGot = new Promise<{ text: string; path: string; pong: boolean }>((resolve) => {
      server.on('connection', (socket, request) => {
        let pong = false;
        socket.on('pong', () => (pong = true));
        socket.on('message', (data) => resolve({ text: String(data), path: request.url ?? '', pong }));
        socket.ping();
        socket.send('x'.repeat(300));
        socket.send('hello');
      });
    });
    const client = await new Promise<ReturnType<typeof openRawWebSocket>>((resolve) => {
      const ws = openRawWebSocket(
        { host: '127.0.0.1', port, path: '/ws?token=t' },
        {
          onOpen: () => undefined,
          onMessage: (payload) => {
            seen.push(payload.toString('utf8'));
            if (seen.length === 2) resolve(ws);
          },
          onClose: () => undefined,
        },
      );
    });
    expect(seen).toEqual(['x'.repeat(300), 'hello']);
    client.sendText('40');
    // The pong was written before the text, on the same socket, so it arrived first.
    await expect(serverGot).resolves.toEqual({ text: '40', path: '/ws?token=t', pong: true });
    client.terminate();
  });

  it('reports an upgrade the server refuses as a close before opening', async () => {
    const { server, port } = await listen();
    server.options.verifyClient = () => false;
    const closed = await new Promise<{ reason: string; opened: boolean }>((resolve) => {
      openRawWebSocket({ host: '127.0.0.1', port, path: '/' }, { onOpen: () => undefined, onMessage: () => undefined, onClose: (reason, opened) => resolve({ reason, opened }) });
    });
    expect(closed.opened).toBe(false);
    expect(closed.reason).toMatch(/upgrade answered "HTTP\/1\.1 401/);
  });
});
