import { createClient } from 'redis';
import { startBroker, type BrokerProcess } from './broker-process.ts';

/** A private broker whose clients' subscriptions a test can take away while their connections stay. */
export interface SubscriptionFaultBroker extends BrokerProcess {
  /** Ends every live subscription, and refuses new ones until `restoreSubscriptions`. */
  cutSubscriptions(): Promise<void>;
  restoreSubscriptions(): Promise<void>;
}

/**
 * One user every unauthenticated client becomes, whose subscribe permission can be revoked, in an
 * account of its own with JetStream (the bus's stream history): users of the global account get
 * no JetStream once the server is configured with authorization.
 */
const natsConfig = (subscribe: 'allow' | 'deny') => `
accounts { WSGW { jetstream: enabled, users = [ { user: wsgw, password: wsgw-test, permissions: { subscribe: { ${subscribe}: [">"] } } } ] } }
no_auth_user: wsgw
`;

/** Runs one command on a Redis server through a connection of its own. */
async function redisCommand(url: string, args: string[]): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    await client.sendCommand(args);
  } finally {
    await client.close();
  }
}

/**
 * NATS: revoking the subscribe permission on a configuration reload ends the live subscriptions
 * (a permissions violation), and new ones fail until it is given back. Redis 7: taking the
 * channels away from the user disconnects its subscribers, and their resubscription is refused.
 */
export async function startSubscriptionFaultBroker(kind: 'nats' | 'redis'): Promise<SubscriptionFaultBroker> {
  if (kind === 'nats') {
    const broker = await startBroker('nats', { natsConfig: natsConfig('allow') });
    return {
      ...broker,
      cutSubscriptions: () => broker.reconfigure(natsConfig('deny')),
      restoreSubscriptions: () => broker.reconfigure(natsConfig('allow')),
    };
  }
  const broker = await startBroker('redis');
  return {
    ...broker,
    cutSubscriptions: () => redisCommand(broker.url, ['ACL', 'SETUSER', 'default', 'resetchannels']),
    restoreSubscriptions: () => redisCommand(broker.url, ['ACL', 'SETUSER', 'default', 'allchannels']),
  };
}
