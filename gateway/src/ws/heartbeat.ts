import type { Connection } from '../hub/connection.ts';
import type { Hub } from '../hub/hub.ts';
import type { WebSocket } from 'ws';

/**
 * Each interval's round is spread over this many ticks: pinging 10k sockets at once is 10k socket
 * writes in one go, a stall of tens of milliseconds for every push that arrives meanwhile.
 */
export const HEARTBEAT_SLICES = 25;

/**
 * Protocol-level pings: each round terminates connections that did not answer the previous
 * ping and pings the rest. A dead peer is noticed within two intervals. The heartbeat keeps which
 * pings are unanswered itself (it listens for each connection's pongs from its first round on),
 * and the hub does the cutting, so the close is counted as `timeout` by the one module that owns
 * a connection's close reason.
 *
 * A round walks the hub's connections in slices, one every `intervalMs / HEARTBEAT_SLICES`, so
 * each connection is still visited once per interval. The walk is a live iterator over the hub:
 * a connection that closes meanwhile is skipped, one that opens is visited in the same round.
 */
export function startHeartbeat(hub: Hub, intervalMs: number): () => void {
  // By socket, so that one pong listener serves every connection.
  const watched = new WeakSet<WebSocket>();
  const unanswered = new WeakSet<WebSocket>();
  function onPong(this: WebSocket) {
    unanswered.delete(this);
  }
  let round: Iterator<Connection> | undefined;

  const visit = (connection: Connection) => {
    const { ws } = connection;
    if (hub.closeReasonOf(connection) !== undefined) return;
    if (unanswered.has(ws)) {
      hub.terminate(connection, 'timeout');
      return;
    }
    if (!watched.has(ws)) {
      watched.add(ws);
      ws.on('pong', onPong);
    }
    unanswered.add(ws);
    ws.ping();
  };

  const timer = setInterval(() => {
    const slice = Math.ceil(hub.size / HEARTBEAT_SLICES);
    round ??= hub.connections();
    for (let visited = 0; visited < slice; visited += 1) {
      const next = round.next();
      if (next.done) {
        round = undefined;
        return;
      }
      visit(next.value);
    }
  }, intervalMs / HEARTBEAT_SLICES);
  timer.unref();
  return () => clearInterval(timer);
}
