import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { LinkHealth } from './link-health.ts';

/** Re-subscribing after a subscription ended: 250 ms, doubling, at most 5 s apart. */
export const resubscribeDelay = (attempt: number) => Math.min(250 * 2 ** attempt, 5000);

export interface NatsSubscriptionOptions {
  nc: NatsConnection;
  subject: string;
  handle(msg: Msg): void;
  /** Told when the subscription is live and when it is lost. */
  link: LinkHealth;
  logger?: Logger;
  /** True once the bus is closing: nothing is subscribed again then. */
  stopped(): boolean;
}

/**
 * Subscribes, and subscribes again (with a growing delay) whenever the server ends the
 * subscription (permissions changed, say). It counts as live once the server has answered past
 * it: a refused one ends before that.
 */
export function keepNatsSubscription(options: NatsSubscriptionOptions, attempt = 0): void {
  const { nc, subject, link } = options;
  link.subscriptionLost(subject, `NATS: subscribing to ${subject}`);
  let confirmed = false;
  const subscription = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (error) return; // the subscription ends; `closed` below takes it from there
      try {
        options.handle(msg);
      } catch {
        // The listeners never throw; this only keeps a surprise out of the client's read loop.
      }
    },
  });
  nc.flush().then(
    () => {
      if (subscription.isClosed()) return;
      confirmed = true;
      link.subscribed(subject);
    },
    () => undefined,
  );
  void subscription.closed.then((error) => {
    if (options.stopped() || nc.isClosed()) return;
    const why = error instanceof Error ? error.message : 'ended by the server';
    link.subscriptionLost(subject, `NATS subscription to ${subject} lost: ${why}`);
    options.logger?.warn({ bus: 'nats', subject, err: why }, 'bus subscription lost; subscribing again');
    const next = confirmed ? 0 : attempt + 1;
    setTimeout(() => {
      if (!options.stopped() && !nc.isClosed()) keepNatsSubscription(options, next);
    }, resubscribeDelay(next)).unref();
  });
}
