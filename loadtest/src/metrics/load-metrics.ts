import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LatencyHistogram } from './latency-histogram.ts';
import { LoadMetricNames } from './load-metric-names.ts';

/** The load tester's own Prometheus metrics, so a dashboard can follow a run live. */
export interface LoadMetrics {
  connectionOpened(): void;
  connectionFailed(reason: string): void;
  connectionLost(): void;
  sent(count: number): void;
  received(latency: LatencyHistogram): void;
  lost(count: number): void;
  /** Serves /metrics on 127.0.0.1:`port` (0 picks one); resolves with the port. */
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

export function createLoadMetrics(): LoadMetrics {
  const registry = new Registry();
  const registers = [registry];
  const connections = new Gauge({ name: LoadMetricNames.connections, help: 'Client connections open now.', registers });
  const attempted = new Counter({ name: LoadMetricNames.connectionsAttempted, help: 'Connections the run tried to open.', registers });
  const succeeded = new Counter({ name: LoadMetricNames.connectionsSucceeded, help: 'Connections that opened (welcome frame received).', registers });
  const failures = new Counter({ name: LoadMetricNames.connectionFailures, help: 'Connections that could not be opened, by reason.', labelNames: ['reason'], registers });
  const sent = new Counter({ name: LoadMetricNames.sent, help: 'Pushes sent through the push API.', registers });
  const received = new Counter({ name: LoadMetricNames.received, help: 'Push frames received by the clients.', registers });
  const lost = new Counter({ name: LoadMetricNames.lost, help: 'Deliveries owed but never received (known when the run settles).', registers });
  const latency = new Histogram({
    name: LoadMetricNames.latency,
    help: 'Push sent to frame received.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  let server: Server | undefined;

  return {
    connectionOpened() {
      attempted.inc();
      succeeded.inc();
      connections.inc();
    },
    connectionFailed(reason) {
      attempted.inc();
      failures.inc({ reason });
    },
    connectionLost: () => connections.dec(),
    sent: (count) => sent.inc(count),
    received(histogram) {
      // The workers' HDR histograms arrive per tick; replay each bucket at its upper bound.
      let total = 0;
      for (const bucket of histogram.buckets()) {
        for (let i = 0; i < bucket.count; i += 1) latency.observe(bucket.upperMs / 1000);
        total += bucket.count;
      }
      if (total > 0) received.inc(total);
    },
    lost: (count) => lost.inc(count),
    listen(port) {
      server = createServer((request, response) => {
        if (request.url !== '/metrics') return void response.writeHead(404).end();
        registry.metrics().then(
          (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
          () => response.writeHead(500).end(),
        );
      });
      return new Promise((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
      });
    },
    close: () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
}
