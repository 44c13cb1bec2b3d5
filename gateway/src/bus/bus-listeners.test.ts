import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createBusListeners } from './bus-listeners.ts';
import type { BusMessage } from './bus.ts';

/** A real pino logger writing into memory, one parsed JSON object per line. */
function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines, text: () => JSON.stringify(lines) };
}

const SECRET = 'secret-payload-7f3a';
const push = { id: 'p1', ts: 1, acceptedAt: 1, publishedAt: 1, to: { users: ['u'], tags: [], all: false }, payload: '"ok"' };

describe('bus listeners', () => {
  it('count every invalid message but log each kind once per interval, never with what was sent', () => {
    const { logger, lines, text } = memoryLogger();
    const listeners = createBusListeners(logger, 'test.push');
    const delivered: BusMessage[] = [];
    listeners.onPush((message) => delivered.push(message));
    listeners.onSignal({ topic: 'count', parse: (body) => (typeof body === 'number' ? { ok: true, value: body } : { ok: false, error: 'not a number' }), handle: () => undefined });

    for (let i = 0; i < 100; i += 1) {
      listeners.push(`{"origin":"x","push":{"payload":"${SECRET}"}}`);
      listeners.push(`not json ${SECRET}`);
      listeners.push(JSON.stringify({ origin: 'x', push: { ...push, payload: `${SECRET},"id":"forged"` } }));
      listeners.signal(JSON.stringify({ origin: 'x', topic: 'count', body: SECRET }));
    }
    listeners.push(JSON.stringify({ origin: 'x', push, headers: {} }));

    expect(listeners.invalidMessages()).toEqual({ push: 300, signal: 100 });
    expect(delivered.map((message) => message.push.id)).toEqual(['p1']);
    expect(lines.map((line) => [line.msg, line.kind])).toEqual([
      ['invalid bus message dropped', 'push'],
      ['invalid bus message dropped', 'signal'],
    ]);
    expect(text()).not.toContain(SECRET);
  });

  it('run every handler when one throws, and log the failure without the message', () => {
    const { logger, lines, text } = memoryLogger();
    const listeners = createBusListeners(logger, 'test.push');
    const delivered: string[] = [];
    listeners.onPush((message) => {
      throw new TypeError(`cannot use ${message.push.payload}`);
    });
    listeners.onPush((message) => delivered.push(message.push.id));
    for (const id of ['p1', 'p2']) {
      expect(() => listeners.push(JSON.stringify({ origin: 'x', push: { ...push, id, payload: `"${SECRET}"` }, headers: {} }))).not.toThrow();
    }
    expect(delivered).toEqual(['p1', 'p2']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'bus handler failed', kind: 'push', error: 'TypeError' });
    expect(text()).not.toContain(SECRET);
  });
});
