import type { BusMessage, BusSignal } from './bus.ts';

/**
 * The wire form of a bus message for brokers without headers (Redis), and the body for those
 * with them (NATS carries the headers natively).
 */
export function encodeBusMessage(message: BusMessage, withHeaders: boolean): string {
  return JSON.stringify(withHeaders ? message : { origin: message.origin, push: message.push });
}

export function decodeSignal(text: string): BusSignal | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<BusSignal>;
    if (typeof parsed.origin !== 'string' || typeof parsed.topic !== 'string') return undefined;
    return { origin: parsed.origin, topic: parsed.topic, body: parsed.body };
  } catch {
    return undefined;
  }
}

export function decodeBusMessage(text: string, headers?: Record<string, string>): BusMessage | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<BusMessage>;
    if (typeof parsed.origin !== 'string' || typeof parsed.push !== 'object' || parsed.push === null) return undefined;
    return { origin: parsed.origin, push: parsed.push, headers: headers ?? parsed.headers ?? {} };
  } catch {
    return undefined;
  }
}
