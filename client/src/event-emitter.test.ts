import { describe, expect, it } from 'vitest';
import { createEmitter } from './event-emitter.ts';

interface Events {
  tick: number;
  tock: string;
}

describe('event emitter', () => {
  it('calls the listeners of a type in order, until removed', () => {
    const emitter = createEmitter<Events>(() => undefined);
    const seen: string[] = [];
    const stop = emitter.on('tick', (n) => seen.push(`a${n}`));
    emitter.on('tick', (n) => seen.push(`b${n}`));
    emitter.on('tock', (s) => seen.push(s));
    emitter.emit('tick', 1);
    stop();
    emitter.emit('tick', 2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(emitter.listenerCount('tick')).toBe(1);
  });

  it('hands what a listener throws to its handler and still calls the others', () => {
    const failures: unknown[] = [];
    const emitter = createEmitter<Events>((error, type) => failures.push([type, (error as Error).message]));
    const seen: number[] = [];
    emitter.on('tick', () => {
      throw new Error('boom');
    });
    emitter.on('tick', (n) => seen.push(n));
    emitter.emit('tick', 7);
    expect(seen).toEqual([7]);
    expect(failures).toEqual([['tick', 'boom']]);
  });

  it('runs a listener removed during an emit that once, and one added during it from the next emit', () => {
    const emitter = createEmitter<Events>(() => undefined);
    const seen: string[] = [];
    const late = () => seen.push('late');
    const second = () => seen.push('second');
    emitter.on('tock', () => {
      emitter.off('tock', second);
      emitter.on('tock', late);
      seen.push('first');
    });
    emitter.on('tock', second);
    emitter.emit('tock', 'x');
    emitter.emit('tock', 'x');
    expect(seen).toEqual(['first', 'second', 'first', 'late']);
  });
});
