import type { BusMessage } from './bus.ts';

/**
 * The wire form of a bus message for brokers without headers (Redis), and the body for those
 * with them (NATS carries the headers natively). The way back is `parseBusMessage` in
 * bus-validation.ts, which trusts nothing of it.
 */
export function encodeBusMessage(message: BusMessage, withHeaders: boolean): string {
  return JSON.stringify(withHeaders ? message : { origin: message.origin, push: message.push, positions: message.positions });
}
