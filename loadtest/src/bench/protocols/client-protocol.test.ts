import { describe, expect, it } from 'vitest';
import { clientProtocolFor } from './client-protocol.ts';

const classify = (name: Parameters<typeof clientProtocolFor>[0], text: string, ready = false) =>
  clientProtocolFor(name).classify(Buffer.from(text), ready);

describe('socket.io client protocol', () => {
  it('connects the namespace on open, is ready at its connect, answers pings, sees events as pushes', () => {
    expect(classify('socket.io', '0{"sid":"a","pingInterval":25000}')).toEqual({ kind: 'reply', text: '40' });
    expect(classify('socket.io', '40{"sid":"b"}')).toEqual({ kind: 'ready' });
    expect(classify('socket.io', '2', true)).toEqual({ kind: 'reply', text: '3' });
    expect(classify('socket.io', '42["push",{"seq":1}]', true)).toEqual({ kind: 'push' });
  });
});

describe('wsgw client protocol', () => {
  it('is ready at the welcome frame and counts later frames as pushes', () => {
    expect(classify('wsgw', '{"type":"welcome","user":"u1"}')).toEqual({ kind: 'ready' });
    expect(classify('wsgw', '{"type":"push","data":{"seq":3}}', true)).toEqual({ kind: 'push' });
    expect(clientProtocolFor('wsgw').path('u1', 'a.b')).toBe('/ws?token=a.b');
  });
});

describe('nchan client protocol', () => {
  it('is ready on upgrade and takes every message as a push', () => {
    expect(clientProtocolFor('nchan').readyOnUpgrade).toBe(true);
    expect(classify('nchan', '{"seq":1}', true)).toEqual({ kind: 'push' });
  });
});
