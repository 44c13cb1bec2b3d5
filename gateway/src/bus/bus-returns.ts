import type { Bus } from './bus.ts';

/**
 * Calls `back` each time the bus is connected again after a loss (a new `connectedSince`), as
 * seen by looking every `intervalMs`: what a node owes the cluster after an outage (its
 * announcement, the pushes it missed) is due then, not at its next routine tick. Returns the stop.
 */
export function watchBusReturns(bus: Pick<Bus, 'health'>, intervalMs: number, back: () => void): () => void {
  let since = bus.health().connectedSince;
  const timer = setInterval(() => {
    const { connected, connectedSince } = bus.health();
    if (!connected || connectedSince === since) return;
    since = connectedSince;
    back();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
