import { subjectToken } from './nats-history-layout.ts';

/**
 * The core NATS subjects of a cluster (PROTOCOL.md, "Routing on NATS"). Pushes go on one subject
 * per wsgw stream, so the server carries a push only to the nodes that subscribed to one of its
 * streams (a push too wide for that goes once to every node); signals go to every node, or to one node's own subject. Stream names and node ids are
 * made subject tokens as the history does (`subjectToken`), so no `.`, `*` or `>` in a user id, tag
 * or node id reaches another subject. None of these is in a JetStream stream's subjects
 * (`<prefix>.pos.>`, `<prefix>.h.>`): JetStream never stores them.
 */
export interface NatsSubjects {
  /** `<prefix>.s.<token>`: the pushes appended to `stream`. */
  stream(stream: string): string;
  /** `<prefix>.wide`: pushes to so many streams that one copy to every node costs less than one per stream. */
  readonly wide: string;
  /** `<prefix>.signal`: signals to every node. */
  readonly signal: string;
  /** `<prefix>.signal.<token>`: signals to the node `nodeId` alone. */
  directSignal(nodeId: string): string;
}

export function natsSubjects(prefix: string): NatsSubjects {
  const signal = `${prefix}.signal`;
  return {
    stream: (stream) => `${prefix}.s.${subjectToken(stream)}`,
    wide: `${prefix}.wide`,
    signal,
    directSignal: (nodeId) => `${signal}.${subjectToken(nodeId)}`,
  };
}
