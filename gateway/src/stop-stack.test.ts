import { describe, expect, it } from 'vitest';
import { createStopStack } from './stop-stack.ts';

describe('stop stack', () => {
  it('stops the newest part first, each once the previous one is done', async () => {
    const stops = createStopStack();
    const order: string[] = [];
    stops.push(() => void order.push('bus'));
    stops.push(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('connections');
    });
    stops.push(() => void order.push('listening'));
    await stops.unwind();
    expect(order).toEqual(['listening', 'connections', 'bus']);
  });

  it('runs the synchronous stops at the top in the same turn as the call', async () => {
    const stops = createStopStack();
    const order: string[] = [];
    stops.push(async () => void order.push('slow'));
    stops.push(() => void order.push('timers'));
    stops.push(() => void order.push('draining'));
    const unwound = stops.unwind();
    expect(order).toEqual(['draining', 'timers', 'slow']);
    await unwound;
  });

  it('unwinds once, however often it is asked', async () => {
    const stops = createStopStack();
    let calls = 0;
    stops.push(() => void (calls += 1));
    const first = stops.unwind();
    expect(stops.unwind()).toBe(first);
    await first;
    await stops.unwind();
    expect(calls).toBe(1);
  });
});
