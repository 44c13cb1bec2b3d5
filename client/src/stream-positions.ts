import type { StreamPosition } from '@wsgw/gateway/protocol';

/** Default number of positions held above a stream's watermark while a gap below them is open. */
export const DEFAULT_MAX_AHEAD = 1024;

/**
 * Where the client stands in each of its streams: the contiguous watermark, the highest position
 * up to which every push was seen. Pushes accepted on different nodes at the same moment can
 * arrive out of position order, so the highest position seen is not one the client can resume
 * from: seeing 7 before 6 must leave the watermark at 5 until 6 arrives.
 */
export interface StreamPositions {
  /** Sets where `stream` stands (a welcome, or a resume's answer); a new epoch forgets what was seen in the old one. */
  adopt(stream: string, position: StreamPosition): void;
  /** Records that the push at `seq` of `stream` was seen; ignored for a stream without a position. */
  see(stream: string, seq: number): void;
  forget(stream: string): void;
  has(stream: string): boolean;
  /** Each stream's epoch and watermark: the streams of a `resume` frame. */
  snapshot(): Record<string, StreamPosition>;
  readonly size: number;
}

interface Watermark {
  epoch: string;
  seq: number;
  /** Positions seen above `seq`, with a gap below them. */
  ahead: Set<number>;
}

/**
 * `maxAhead` bounds the positions held above a gap. Past it the highest one is dropped: the
 * watermark never claims a push that was not seen, so a resume asks for the dropped ones again and
 * the duplicate suppression by push id discards them.
 */
export function createStreamPositions(maxAhead: number = DEFAULT_MAX_AHEAD): StreamPositions {
  const streams = new Map<string, Watermark>();
  const advance = (mark: Watermark) => {
    while (mark.ahead.delete(mark.seq + 1)) mark.seq += 1;
  };
  return {
    adopt(stream, { epoch, seq }) {
      const mark = streams.get(stream);
      if (!mark || mark.epoch !== epoch) {
        streams.set(stream, { epoch, seq, ahead: new Set() });
        return;
      }
      mark.seq = seq;
      for (const seen of mark.ahead) if (seen <= seq) mark.ahead.delete(seen);
      advance(mark);
    },
    see(stream, seq) {
      const mark = streams.get(stream);
      if (!mark || seq <= mark.seq || !Number.isSafeInteger(seq)) return;
      if (seq === mark.seq + 1) {
        mark.seq = seq;
        advance(mark);
        return;
      }
      mark.ahead.add(seq);
      if (mark.ahead.size > maxAhead) mark.ahead.delete(Math.max(...mark.ahead));
    },
    forget: (stream) => void streams.delete(stream),
    has: (stream) => streams.has(stream),
    snapshot() {
      const positions: Record<string, StreamPosition> = {};
      for (const [stream, { epoch, seq }] of streams) positions[stream] = { epoch, seq };
      return positions;
    },
    get size() {
      return streams.size;
    },
  };
}
