/**
 * What a bench client must know of one server's protocol on top of WebSocket: where to connect,
 * when the connection is ready for pushes, which keepalives to answer, and which messages are
 * pushes. The frame counter (../client-worker.ts) knows nothing else of any server; each protocol
 * lives in a module of its own and this is the one place that picks it.
 */
import { nchanProtocol } from './nchan.ts';
import { socketIoProtocol } from './socket-io.ts';
import { wsgwProtocol } from './wsgw.ts';

export const PROTOCOL_NAMES = ['wsgw', 'socket.io', 'nchan'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** How a client treats one server message. Constant objects: classifying a frame allocates nothing. */
export type MessageAction =
  | { kind: 'ready' }
  | { kind: 'push' }
  | { kind: 'ignore' }
  /** Answer with this text frame (a protocol handshake or keepalive), then ignore the message. */
  | { kind: 'reply'; text: string };

export const READY: MessageAction = { kind: 'ready' };
export const PUSH: MessageAction = { kind: 'push' };
export const IGNORE: MessageAction = { kind: 'ignore' };

export interface ClientProtocol {
  name: ProtocolName;
  /** Whether `path` needs a signed token for the user (minting one costs client CPU at connect). */
  needsToken: boolean;
  /** Request target of the upgrade for `user`; `token` is empty when `needsToken` is false. */
  path(user: string, token: string): string;
  /** True when the upgrade alone makes the connection ready (no welcome message). */
  readyOnUpgrade: boolean;
  /** Classifies one text or binary message; `ready` says whether the connection is ready already. */
  classify(message: Buffer, ready: boolean): MessageAction;
}

export const clientProtocolFor = (name: ProtocolName): ClientProtocol => {
  switch (name) {
    case 'wsgw':
      return wsgwProtocol;
    case 'socket.io':
      return socketIoProtocol;
    case 'nchan':
      return nchanProtocol;
  }
};
