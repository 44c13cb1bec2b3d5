import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { TokenBucket } from '../limits/token-bucket.ts';

/**
 * One client WebSocket as the hub sees it: who it is and the handles to reach it. What changes
 * while it is open has an owner of its own: the write coalescer holds its queue, the hub the
 * reason it is closing (`hub.closeReasonOf`), the heartbeat its unanswered pings, the inbound
 * buckets their tokens.
 */
export interface Connection {
  readonly id: string;
  readonly user: string;
  readonly tags: readonly string[];
  /** Epoch milliseconds. */
  readonly connectedAt: number;
  readonly remote: string;
  readonly ws: WebSocket;
  /** The TCP socket under `ws`; fan-out writes pre-built frames to it directly. */
  readonly socket: Duplex;
  readonly inboundRate: TokenBucket;
  readonly invalidFrames: TokenBucket;
}

/**
 * `ws` keeps its socket in a private field; there is no public accessor. Reading it once at
 * registration is what lets fan-out write one shared frame buffer to many sockets.
 */
export function socketOf(ws: WebSocket): Duplex {
  const socket = (ws as unknown as { _socket?: Duplex })._socket;
  if (!socket) throw new Error('WebSocket has no underlying socket');
  return socket;
}
