/**
 * nchan's WebSocket subscriber: `/sub?user=<id>` subscribes to the user's channel and the shared
 * broadcast channel (see ../nchan-config.ts). nchan sends no greeting, so the upgrade itself is the
 * ready signal, and every message is a published push, delivered as published.
 */
import { PUSH, type ClientProtocol } from './client-protocol.ts';

export const nchanProtocol: ClientProtocol = {
  name: 'nchan',
  needsToken: false,
  path: (user) => `/sub?user=${encodeURIComponent(user)}`,
  readyOnUpgrade: true,
  classify: () => PUSH,
};
