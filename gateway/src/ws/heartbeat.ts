import type { Hub } from '../hub/hub.ts';

/**
 * Protocol-level pings: each round terminates connections that did not answer the previous
 * ping and pings the rest. A dead peer is noticed within two intervals. The hub does the cutting,
 * so the close is counted as `timeout` by the one module that owns a connection's close reason.
 */
export function startHeartbeat(hub: Hub, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of hub.connections()) {
      if (hub.closeReasonOf(connection) !== undefined) continue;
      if (!connection.alive) {
        hub.terminate(connection, 'timeout');
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
