import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { CloseReason } from '../protocol.ts';
import type { TokenBucket } from '../limits/token-bucket.ts';
import type { PreparedPush } from './prepared-push.ts';

/** One client WebSocket as the hub sees it. */
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
  /** Frames waiting for the next coalesced write, or for the socket to drain (bytes in `queuedBytes`). */
  queue: PreparedPush[];
  queuedBytes: number;
  /** Cleared on each heartbeat ping, set again by the pong. */
  alive: boolean;
  /** Set when the gateway decided to close the connection; no frame is queued after that. */
  closeReason: CloseReason | undefined;
  readonly inboundRate: TokenBucket;
  readonly invalidFrames: TokenBucket;
  acks: number;
}

/** Bytes handed to the connection but not yet sent to the peer. */
export function bufferedBytes(connection: Connection): number {
  return connection.socket.writableLength + connection.queuedBytes;
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
