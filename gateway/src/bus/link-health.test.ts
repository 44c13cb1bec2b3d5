import { describe, expect, it } from 'vitest';
import { createLinkHealth } from './link-health.ts';

/** Whether `promise` has settled, judged after every callback already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('link health', () => {
  it('has whenLive wait for the connection and the subscription, and answer at once while both hold', async () => {
    const link = createLinkHealth('connecting');
    const early = link.whenLive('push');
    link.subscriptionLost('push', 'subscribing');
    link.up();
    expect(await settled(early)).toBe(false);
    link.subscribed('signal');
    expect(await settled(early)).toBe(false);
    link.subscribed('push');
    expect(await settled(early)).toBe(true);
    expect(await settled(link.whenLive('push'))).toBe(true);
  });

  it('has whenLive wait again while the connection or the subscription is lost', async () => {
    const link = createLinkHealth('connecting');
    link.up();
    link.down('gone');
    const afterDrop = link.whenLive('push');
    link.subscriptionLost('push', 'refused');
    link.up();
    expect(await settled(afterDrop)).toBe(false);
    link.subscribed('push');
    expect(await settled(afterDrop)).toBe(true);
  });
});
