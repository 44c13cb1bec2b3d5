/**
 * The gateway's client protocol (gateway/PROTOCOL.md), also spoken by the raw `ws` baseline:
 * `/ws?token=<jwt>`, ready at the `welcome` frame; every later frame is a push. Keepalives are
 * protocol-level pings, which the WebSocket layer answers.
 */
import { IGNORE, PUSH, READY, type ClientProtocol } from './client-protocol.ts';

const WELCOME_MARK = '"welcome"';

export const wsgwProtocol: ClientProtocol = {
  name: 'wsgw',
  needsToken: true,
  path: (_user, token) => `/ws?token=${encodeURIComponent(token)}`,
  readyOnUpgrade: false,
  classify: (message, ready) => (ready ? PUSH : message.indexOf(WELCOME_MARK) >= 0 ? READY : IGNORE),
};
