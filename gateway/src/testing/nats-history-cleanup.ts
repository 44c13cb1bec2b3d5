import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { historyLayout } from '../bus/nats-history-layout.ts';

/**
 * Deletes the JetStream streams the NATS bus made for `prefixes` on a shared server: a test's
 * prefix is used once, and its streams would otherwise stay on the server after every run.
 * A stream already gone is fine.
 */
export async function removeNatsHistory(url: string, prefixes: Iterable<string>): Promise<void> {
  // A private server a fault test has stopped is not waited for.
  const nc = await connect({ servers: url, timeout: 1000 });
  try {
    const jsm = await jetstreamManager(nc);
    const names = [...prefixes].flatMap((prefix) => {
      const layout = historyLayout(prefix);
      return [layout.counters, layout.entries];
    });
    await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
  } finally {
    await nc.close();
  }
}
