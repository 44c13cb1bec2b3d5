/**
 * Incremental parser of the frames a WebSocket server sends (RFC 6455 §5.2): unmasked, possibly
 * split over several TCP chunks or several per chunk. It hands each complete message to the caller
 * as a slice of the received bytes; fragmented messages are joined first. Nothing is decoded: the
 * bench counts frames with buffer scans, so the parser must not cost more than the server's write.
 */

/** Opcodes the clients act on. */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** Called once per message (data) or control frame; `payload` is only valid during the call. */
export type FrameHandler = (opcode: number, payload: Buffer) => void;

export interface FrameParser {
  /** Feeds bytes as they arrive; throws on a frame a server must not send (masked, oversized). */
  push(chunk: Buffer): void;
}

/** Server messages larger than this are refused (bench pushes are around 200 bytes). Default 16 MiB. */
const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

interface Header {
  fin: boolean;
  opcode: number;
  headerBytes: number;
  length: number;
}

/** Reads the frame header at `offset`, or undefined when it is not complete yet. */
const readHeader = (data: Buffer, offset: number, maxPayload: number): Header | undefined => {
  if (data.length - offset < 2) return undefined;
  const b0 = data[offset]!;
  const b1 = data[offset + 1]!;
  if ((b1 & 0x80) !== 0) throw new Error('server frame is masked');
  let length = b1 & 0x7f;
  let headerBytes = 2;
  if (length === 126) {
    if (data.length - offset < 4) return undefined;
    length = data.readUInt16BE(offset + 2);
    headerBytes = 4;
  } else if (length === 127) {
    if (data.length - offset < 10) return undefined;
    length = data.readUInt32BE(offset + 2) * 2 ** 32 + data.readUInt32BE(offset + 6);
    headerBytes = 10;
  }
  if (length > maxPayload) throw new Error(`server frame of ${length} bytes exceeds ${maxPayload}`);
  return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, headerBytes, length };
};

export const createFrameParser = (onFrame: FrameHandler, maxPayload = DEFAULT_MAX_PAYLOAD): FrameParser => {
  let rest: Buffer = EMPTY;
  /** Parts of a fragmented data message and its opcode, until its final frame. */
  let fragments: Buffer[] = [];
  let fragmentOpcode = 0;

  const deliver = (header: Header, payload: Buffer): void => {
    if (header.opcode >= OPCODE.close) {
      onFrame(header.opcode, payload);
      return;
    }
    if (header.opcode !== OPCODE.continuation && header.fin && fragments.length === 0) {
      onFrame(header.opcode, payload);
      return;
    }
    if (header.opcode !== OPCODE.continuation) fragmentOpcode = header.opcode;
    // Copied: the slice points into a chunk that the next push() may overwrite.
    fragments.push(Buffer.from(payload));
    if (!header.fin) return;
    const message = Buffer.concat(fragments);
    fragments = [];
    onFrame(fragmentOpcode, message);
  };

  return {
    push(chunk) {
      const data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      let offset = 0;
      for (;;) {
        const header = readHeader(data, offset, maxPayload);
        if (!header || data.length - offset - header.headerBytes < header.length) break;
        const start = offset + header.headerBytes;
        offset = start + header.length;
        deliver(header, data.subarray(start, offset));
      }
      // Copied: `chunk` may be a read buffer that the next read overwrites.
      rest = offset === data.length ? EMPTY : Buffer.from(data.subarray(offset));
    },
  };
};
