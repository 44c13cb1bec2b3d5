import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { createFrameLog } from './frame-log.ts';

/** Frame opcodes (RFC 6455 §5.2). */
export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** RSV bits as they sit in the first byte. */
export const Rsv = { rsv1: 0x40, rsv2: 0x20, rsv3: 0x10 } as const;

export interface ClientFrameOptions {
  opcode: number;
  payload?: Buffer | string;
  /** Default true. */
  fin?: boolean;
  /** RSV bits to set (`Rsv.*`, or-ed); default none. */
  rsv?: number;
  /** Default true: a client must mask (§5.3). */
  masked?: boolean;
  /** Length field form: 7-bit, 16-bit or 64-bit; default the minimal one (§5.2 requires it). */
  lengthForm?: 7 | 16 | 64;
  /** The length to declare instead of the payload's own (only the header lies; the bytes sent stay). */
  declaredLength?: bigint;
}

/** Encodes one client → server frame exactly as asked, valid or not. */
export function encodeClientFrame(options: ClientFrameOptions): Buffer {
  const payload = typeof options.payload === 'string' ? Buffer.from(options.payload) : (options.payload ?? Buffer.alloc(0));
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? BigInt(payload.length);
  const form = options.lengthForm ?? (length < 126n ? 7 : length < 65536n ? 16 : 64);
  const header = Buffer.alloc(form === 7 ? 2 : form === 16 ? 4 : 10);
  header[0] = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | (options.opcode & 0x0f);
  const maskBit = masked ? 0x80 : 0;
  if (form === 7) header[1] = maskBit | Number(length);
  else if (form === 16) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i += 1) body[i]! ^= key[i % 4]!;
  return Buffer.concat([header, key, body]);
}

/** The payload of a close frame: the code (2 bytes, big-endian) and the reason. */
export function closePayload(code: number, reason: string | Buffer = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : reason]);
}

/** One frame the server sent. */
export interface ReceivedFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** How the connection ended: the server's close code and reason; 1005 for an empty close frame, 1006 for none. */
export interface RawClose {
  code: number;
  reason: string;
}

/** A WebSocket client that speaks raw bytes: the handshake by hand, frames as crafted. */
export interface RawWebSocket {
  readonly socket: Socket;
  /** Every frame the server sent, in order. */
  readonly frames: ReceivedFrame[];
  /** Writes the frames in one write. */
  send(...frames: Buffer[]): void;
  /** Resolves with the first frame (past or future) that matches. */
  waitFor(match: (frame: ReceivedFrame) => boolean, timeoutMs?: number): Promise<ReceivedFrame>;
  /** Resolves when the server has closed the TCP connection. */
  readonly closed: Promise<RawClose>;
  destroy(): void;
}

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Opens a connection and performs the opening handshake (§4.1); rejects unless the server
 * answers 101 with the right `Sec-WebSocket-Accept`. A close frame from the server is answered
 * with the same code, as a well-behaved client does, so the server can finish the close handshake.
 */
export function openRawWebSocket(port: number, path: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
  const socket = connect(port, '127.0.0.1');
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
  );
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const accept = lines.find((line) => line.toLowerCase().startsWith('sec-websocket-accept:'));
      if (!lines[0]!.startsWith('HTTP/1.1 101 ') || accept?.slice(accept.indexOf(':') + 1).trim() !== expectedAccept) {
        socket.destroy();
        reject(new Error(`handshake refused: ${head.toString('utf8').slice(0, 300)}`));
        return;
      }
      resolve(speak(socket, head.subarray(end + 4)));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** The frame layer once the handshake is done; `rest` is what arrived after the 101 response. */
function speak(socket: Socket, rest: Buffer): RawWebSocket {
  const log = createFrameLog<ReceivedFrame>((frames) => `opcodes ${frames.map((f) => f.opcode).join(',')}`);
  let buffer = rest;
  let close: RawClose | undefined;
  const closed = new Promise<RawClose>((resolve) => socket.once('close', () => resolve(close ?? { code: 1006, reason: '' })));
  socket.on('error', () => undefined); // a reset after the server's close is how some cases end

  const onFrame = (frame: ReceivedFrame) => {
    if (frame.opcode === Opcode.close && close === undefined) {
      const { payload } = frame;
      close = payload.length >= 2 ? { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') } : { code: 1005, reason: '' };
      if (socket.writable) socket.end(encodeClientFrame({ opcode: Opcode.close, payload: payload.length >= 2 ? payload.subarray(0, 2) : undefined }));
    }
    log.record(frame);
  };
  const parse = () => {
    for (;;) {
      const frame = nextFrame(buffer);
      if (!frame) return;
      buffer = buffer.subarray(frame.size);
      onFrame(frame.frame);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    parse();
  });
  parse();

  return {
    socket,
    frames: log.frames,
    send: (...toSend) => void socket.write(Buffer.concat(toSend)),
    waitFor: log.waitFor,
    closed,
    destroy: () => socket.destroy(),
  };
}

/** Decodes one server frame (unmasked, §5.1) from the head of `data`, or undefined if incomplete. */
function nextFrame(data: Buffer): { frame: ReceivedFrame; size: number } | undefined {
  if (data.length < 2) return undefined;
  if ((data[1]! & 0x80) !== 0) throw new Error('the server sent a masked frame');
  let length = data[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  if (data.length < offset + length) return undefined;
  const frame = { fin: (data[0]! & 0x80) !== 0, opcode: data[0]! & 0x0f, payload: data.subarray(offset, offset + length) };
  return { frame, size: offset + length };
}
