import { describe, expect, it } from 'vitest';
import { streamIndexOf, streamsOfConnection } from './streams.ts';

describe('streams of a connection', () => {
  it('finds each stream where streamsOfConnection lists it, and none it does not hold', () => {
    const connections: Array<[string, string[]]> = [['alice', []], ['bob', ['news', 'sport']], ['t:x', ['u:bob']]];
    for (const [user, tags] of connections) {
      const streams = streamsOfConnection(user, tags);
      streams.forEach((stream, i) => expect(streamIndexOf(user, tags, stream), `${user} ${stream}`).toBe(i));
      for (const stranger of ['u:abob', 'u:bo', `u:${user}x`, 't:weather', 'all2', 'x:bob', '']) {
        expect(streamIndexOf(user, tags, stranger), `${user} ${stranger}`).toBe(-1);
      }
    }
  });
});
