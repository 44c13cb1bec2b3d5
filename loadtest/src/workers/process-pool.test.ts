import { describe, expect, it } from 'vitest';
import { createProcessPool } from './process-pool.ts';
import type { FromWorker, ToWorker } from './worker-messages.ts';

const LOAD_WORKER = new URL('./client-worker.ts', import.meta.url);

describe('createProcessPool', () => {
  it('answers a request with the reply of its type', async () => {
    const pool = createProcessPool<ToWorker, FromWorker>({ entry: LOAD_WORKER, size: 2, label: 'load worker' });
    try {
      const answers = await pool.request({ type: 'settle', expected: {}, floors: {} }, 'settled');
      expect(answers.map((a) => a.outcome.expected)).toEqual([0, 0]);
    } finally {
      await pool.close({ type: 'close' });
    }
  });

  it('rejects a request still waiting when its worker dies, and any request after', async () => {
    const events: string[] = [];
    const pool = createProcessPool<ToWorker, FromWorker>({ entry: LOAD_WORKER, size: 1, label: 'load worker', onMessage: (m) => events.push(m.type) });
    const [worker] = pool.workers;
    // `quiet` is never answered with `settled`: only the worker's death can end this wait.
    const waiting = worker!.request({ type: 'quiet' }, 'settled');
    await expect.poll(() => events.includes('tick'), { timeout: 5_000 }).toBe(true);
    worker!.kill();
    await expect(waiting).rejects.toThrow(/load worker 0 exited \(code -, signal SIGKILL\)/);
    await expect(pool.request({ type: 'settle', expected: {}, floors: {} }, 'settled')).rejects.toThrow(/load worker 0/);
    await pool.close({ type: 'close' });
  });
});
