import type { Logger } from 'pino';
import { decodeBusMessage, decodeSignal } from './bus-codec.ts';
import type { BusHandler, SignalHandler } from './bus.ts';

/**
 * The local side of a broker-backed bus: who listens on this node, and the decoding of what the
 * broker hands over. NATS and Redis differ only in how the text reaches `push` and `signal`.
 */
export function createBusListeners(logger: Logger | undefined, where: string) {
  const handlers = new Set<BusHandler>();
  const signalHandlers = new Set<SignalHandler>();
  return {
    push(text: string, headers?: Record<string, string>) {
      const message = decodeBusMessage(text, headers);
      if (!message) return void logger?.warn({ where }, 'undecodable bus message ignored');
      for (const handler of handlers) handler(message);
    },
    signal(text: string) {
      const signal = decodeSignal(text);
      if (signal) for (const handler of signalHandlers) handler(signal);
    },
    onPush(handler: BusHandler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    onSignal(handler: SignalHandler) {
      signalHandlers.add(handler);
      return () => void signalHandlers.delete(handler);
    },
    clear() {
      handlers.clear();
      signalHandlers.clear();
    },
  };
}
