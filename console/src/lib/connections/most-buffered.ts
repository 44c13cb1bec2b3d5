import type { BufferedConnection, NodeReport } from '@wsgw/gateway/protocol';

/** Every node's most-buffered connections as one list, most bytes first, at most `limit` rows. */
export function mergeMostBuffered(nodes: readonly Pick<NodeReport, 'mostBuffered'>[], limit = 20): BufferedConnection[] {
  return nodes
    .flatMap((node) => node.mostBuffered ?? [])
    .sort((a, b) => b.bufferedAmount - a.bufferedAmount || a.id.localeCompare(b.id))
    .slice(0, limit);
}
