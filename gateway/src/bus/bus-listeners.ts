import type { Logger } from 'pino';
import { createBusDropLog } from './bus-drop-log.ts';
import { parseBusMessage, parseSignal } from './bus-validation.ts';
import type { BusHandler, BusMessage, BusSignal, SignalSubscription } from './bus.ts';

export type BusListeners = ReturnType<typeof createBusListeners>;

/**
 * The local side of a bus: who listens on this node, the checking of what the broker hands over,
 * and the isolation of each handler. NATS and Redis differ only in how the text reaches `push`
 * and `signal`; the memory bus hands objects to `deliver` and `deliverSignal`. None of these
 * throws: an exception reaching a broker client's read loop would end its subscriptions.
 */
export function createBusListeners(logger: Logger | undefined, where: string) {
  const handlers = new Set<BusHandler>();
  const subscriptions = new Set<SignalSubscription<unknown>>();
  const drops = createBusDropLog(logger, where);

  const deliver = (message: BusMessage) => {
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (error) {
        drops.handlerFailed('push', error);
      }
    }
  };

  const deliverSignal = (signal: BusSignal) => {
    for (const subscription of subscriptions) {
      if (subscription.topic !== signal.topic) continue;
      const body = subscription.parse(signal.body);
      if (!body.ok) {
        drops.invalid('signal', `${signal.topic}: ${body.error}`);
        // One count per signal, however many listeners share its topic.
        return;
      }
      try {
        subscription.handle(signal.origin, body.value);
      } catch (error) {
        drops.handlerFailed('signal', error);
      }
    }
  };

  return {
    /** Text from the broker's push subject, with the broker's own headers when it has them. */
    push(text: string, headers?: Record<string, string>) {
      const message = parseBusMessage(text, headers);
      if (message.ok) deliver(message.value);
      else drops.invalid('push', message.error);
    },
    /** Text from the broker's signal subject. */
    signal(text: string) {
      const signal = parseSignal(text);
      if (signal.ok) deliverSignal(signal.value);
      else drops.invalid('signal', signal.error);
    },
    /** A message the broker held that failed its checks elsewhere (a history entry): counted and logged like the rest. */
    invalid: drops.invalid,
    deliver,
    deliverSignal,
    onPush(handler: BusHandler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    onSignal<T>(subscription: SignalSubscription<T>) {
      const entry = subscription as SignalSubscription<unknown>;
      subscriptions.add(entry);
      return () => void subscriptions.delete(entry);
    },
    invalidMessages: drops.counts,
    clear() {
      handlers.clear();
      subscriptions.clear();
    },
  };
}
