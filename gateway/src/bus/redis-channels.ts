/** A name as a channel segment: base64url has no `.`, so no user, tag or node id reaches another's channel. */
const segment = (name: string) => Buffer.from(name).toString('base64url');

/** The pub/sub channels of a Redis bus prefix. */
export interface RedisChannels {
  /** Where the append script publishes a stream's pushes (`u:<user>`, `t:<tag>`, `all`): `<prefix>.s.<stream>`. */
  stream(stream: string): string;
  /** Pushes to more streams than are published on each, for every node: `<prefix>.push`. */
  readonly fanOut: string;
  /** Signals for every node: `<prefix>.signal`. */
  readonly signal: string;
  /** Signals for one node: `<prefix>.signal.<node id>`. */
  signalTo(nodeId: string): string;
}

/** The channels of `prefix`, names in base64url (see gateway/PROTOCOL.md, "The Redis bus's channels"). */
export function redisChannels(prefix: string): RedisChannels {
  return {
    stream: (stream) => `${prefix}.s.${segment(stream)}`,
    fanOut: `${prefix}.push`,
    signal: `${prefix}.signal`,
    signalTo: (nodeId) => `${prefix}.signal.${segment(nodeId)}`,
  };
}
