import { Counter, Gauge, type Registry, type RegistryContentType } from 'prom-client';
import { BUS_MESSAGE_KINDS, type BusMessageKind } from '../protocol.ts';
import type { BusHealth, HistorySize } from '../bus/bus.ts';
import { zeroCounts } from '../stats/reason-counts.ts';
import { MetricNames } from './metric-names.ts';

export interface BusMetricsOptions {
  /** The bus's health, read at each scrape. */
  busHealth: () => BusHealth;
  /** Messages the bus dropped as unusable since start, by kind, read at each scrape. */
  busInvalid: () => Readonly<Record<BusMessageKind, number>>;
  /** What the streams' history holds, read at each scrape. */
  historySize: () => HistorySize;
}

/**
 * The bus's state as metrics, read from the bus at each scrape: whether it is connected, and its
 * reconnections and invalid messages as counters that grow by what the bus counted since the last one.
 */
export function registerBusMetrics(registers: Array<Registry<RegistryContentType>>, options: BusMetricsOptions): void {
  new Gauge({ name: MetricNames.busConnected, help: 'Whether the node can reach the bus (1) or not (0).', registers, collect() { this.set(options.busHealth().connected ? 1 : 0); } });
  let reconnectsSeen = 0;
  new Counter({
    name: MetricNames.busReconnects,
    help: 'Times the bus connection came back after being lost.',
    registers,
    collect() {
      const { reconnects } = options.busHealth();
      if (reconnects > reconnectsSeen) this.inc(reconnects - reconnectsSeen);
      reconnectsSeen = reconnects;
    },
  });
  const invalidSeen = zeroCounts(BUS_MESSAGE_KINDS);
  const busInvalid = new Counter({
    name: MetricNames.busInvalidMessages,
    help: 'Messages from the bus dropped as unusable, by kind.',
    labelNames: ['kind'],
    registers,
    collect() {
      const counts = options.busInvalid();
      for (const kind of BUS_MESSAGE_KINDS) {
        if (counts[kind] > invalidSeen[kind]) this.inc({ kind }, counts[kind] - invalidSeen[kind]);
        invalidSeen[kind] = counts[kind];
      }
    },
  });
  for (const kind of BUS_MESSAGE_KINDS) busInvalid.inc({ kind }, 0);
  const held = (name: string, help: string, read: (size: HistorySize) => number) =>
    new Gauge({ name, help, registers, collect() { this.set(read(options.historySize())); } });
  held(MetricNames.historyStreams, 'Streams holding history (this node\'s, or the broker\'s for the prefix).', (size) => size.streams);
  held(MetricNames.historyMessages, 'Pushes held in the streams\' history.', (size) => size.messages);
  held(MetricNames.historyBytes, 'Bytes of the pushes held in the streams\' history.', (size) => size.bytes);
}
