import type { BusListeners } from './bus-listeners.ts';
import { parseBusMessage } from './bus-validation.ts';
import { createPushDedupe } from './push-dedupe.ts';
import { streamsOfTarget } from '../push/streams.ts';
import type { RedisChannels } from './redis-channels.ts';
import type { ChannelListener } from './redis-subscriptions.ts';

export interface RedisInboxOptions {
  channels: RedisChannels;
  /** The node's id: it hears the signals sent to it alone. */
  nodeId?: string;
  listeners: BusListeners;
  /** Whether the node watches `stream` now. */
  watches(stream: string): boolean;
}

/** What a Redis node hears on its channels: the ones it holds for its life, and what it does with a message on any. */
export interface RedisInbox {
  /** The fan-out channel and the signal channels: held from start to close. */
  readonly standing: readonly string[];
  hear: ChannelListener;
}

/**
 * Sorts what arrives on a node's channels: signals to the listeners; on the fan-out channel, the
 * pushes naming a stream the node watches; and a push heard on several of its streams' channels
 * once, the first copy. Everything is checked first (`parseBusMessage`); what fails is counted.
 */
export function createRedisInbox(options: RedisInboxOptions): RedisInbox {
  const { channels, listeners } = options;
  const signals = new Set([channels.signal, ...(options.nodeId === undefined ? [] : [channels.signalTo(options.nodeId)])]);
  const dedupe = createPushDedupe();
  return {
    standing: [channels.fanOut, ...signals],
    hear(text, channel) {
      if (signals.has(channel)) return listeners.signal(text);
      const message = parseBusMessage(text);
      if (!message.ok) return listeners.invalid('push', message.error);
      const { push } = message.value;
      const streams = streamsOfTarget(push.to);
      if (channel === channels.fanOut && !streams.some(options.watches)) return;
      // A push to one stream can only come once.
      if (streams.length > 1 && !dedupe.first(push.id)) return;
      listeners.deliver(message.value);
    },
  };
}
