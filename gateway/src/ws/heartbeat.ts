import type { Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';

/**
 * Protocol-level pings: each round terminates connections that did not answer the previous
 * ping and pings the rest. A dead peer is noticed within two intervals. The heartbeat keeps which
 * pings are unanswered itself (it listens for each connection's pongs from its first round on),
 * and the hub does the cutting, so the close is counted as `timeout` by the one module that owns
 * a connection's close reason.
 */
export function startHeartbeat(hub: Hub, intervalMs: number): () => void {
  const watched = new WeakSet<Connection>();
  const unanswered = new WeakSet<Connection>();
  const timer = setInterval(() => {
    for (const connection of hub.connections()) {
      if (hub.closeReasonOf(connection) !== undefined) continue;
      if (unanswered.has(connection)) {
        hub.terminate(connection, 'timeout');
        continue;
      }
      if (!watched.has(connection)) {
        watched.add(connection);
        connection.ws.on('pong', () => unanswered.delete(connection));
      }
      unanswered.add(connection);
      connection.ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
