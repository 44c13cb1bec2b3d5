import type { Hub } from '../hub/hub.ts';

/**
 * Protocol-level pings: each round terminates connections that did not answer the previous
 * ping and pings the rest. A dead peer is noticed within two intervals.
 */
export function startHeartbeat(hub: Hub, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of hub.connections()) {
      if (connection.closeReason !== undefined) continue;
      if (!connection.alive) {
        connection.closeReason = 'timeout';
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
