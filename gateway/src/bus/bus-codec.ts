import type { BusMessage } from './bus.ts';

/**
 * The wire form of a bus message for brokers without headers (Redis), and the body for those
 * with them (NATS carries the headers natively). The way back is `parseBusMessage` in
 * bus-validation.ts, which trusts nothing of it.
 */
export function encodeBusMessage(message: BusMessage, withHeaders: boolean): string {
  return JSON.stringify(withHeaders ? message : { origin: message.origin, push: message.push, positions: message.positions });
}

/**
 * A message's wire text (with headers) without its positions and closing brace: the Redis bus's
 * append script completes it with the positions it gives, so what subscribers hear and what the
 * history holds is one text, encoded once.
 */
export function encodeBusMessageHead(message: Omit<BusMessage, 'positions'>): string {
  return JSON.stringify({ origin: message.origin, push: message.push, headers: message.headers }).slice(0, -1);
}
