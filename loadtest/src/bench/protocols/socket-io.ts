/**
 * Socket.IO 4 over its WebSocket transport only, i.e. Engine.IO 4 packets in text frames:
 * the server opens with `0{…}`, the client connects the default namespace with `40`, the server's
 * `40{"sid":…}` makes it ready. Engine.IO pings (`2`) are answered with `3`, or the server drops
 * the connection after pingTimeout; events arrive as `42["push",{…}]`.
 */
import { IGNORE, PUSH, READY, type ClientProtocol, type MessageAction } from './client-protocol.ts';

const OPEN = 0x30; // '0'
const MESSAGE = 0x34; // '4'
const PING = 0x32; // '2'
const CONNECT = 0x30; // '0' (Socket.IO packet type, after Engine.IO's '4')
const EVENT = 0x32; // '2'

const CONNECT_NAMESPACE: MessageAction = { kind: 'reply', text: '40' };
const PONG: MessageAction = { kind: 'reply', text: '3' };

export const socketIoProtocol: ClientProtocol = {
  name: 'socket.io',
  needsToken: false,
  path: (user) => `/socket.io/?EIO=4&transport=websocket&user=${encodeURIComponent(user)}`,
  readyOnUpgrade: false,
  classify: (message) => {
    const engine = message[0];
    if (engine === MESSAGE) {
      const packet = message[1];
      if (packet === EVENT) return PUSH;
      if (packet === CONNECT) return READY;
      return IGNORE;
    }
    if (engine === PING && message.length === 1) return PONG;
    if (engine === OPEN) return CONNECT_NAMESPACE;
    return IGNORE;
  },
};
