/**
 * A WebSocket client on a bare `node:net` socket: the HTTP/1.1 upgrade, the frame parser and the
 * control frames (ping → pong, close → close), nothing else. Messages reach the caller as raw
 * payload slices, so counting a delivery costs a buffer scan rather than the work of a full
 * client library; the bench's clients share the machine with the server they measure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { encodeClientFrame } from './client-frames.ts';
import { createFrameParser, OPCODE } from './frame-parser.ts';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');
/** An upgrade answer larger than this is not a WebSocket server's. */
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

/**
 * Every connection of the process reads into this one buffer (`onread`), bypassing the socket's
 * stream machinery: per read that saves a Buffer, a Readable push and an event, which at one frame
 * per read was most of a client's cost. Safe because each read is parsed before the next one;
 * whatever must outlive a read (a partial frame) is copied by the parser.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export interface RawWebSocketHandlers {
  /** The upgrade succeeded (101, with the right accept key). */
  onOpen(): void;
  /** A text or binary message; `payload` is only valid during the call. */
  onMessage(payload: Buffer): void;
  /** The connection ended: before the upgrade (`opened` false) or after. */
  onClose(reason: string, opened: boolean): void;
}

export interface RawWebSocket {
  sendText(text: string): void;
  /** Ends the TCP connection without a close handshake. */
  terminate(): void;
  readonly open: boolean;
}

export interface RawWebSocketOptions {
  host: string;
  port: number;
  /** Request target, path and query: `/ws?token=…`. */
  path: string;
}

const expectedAccept = (key: string): string => createHash('sha1').update(key + ACCEPT_GUID).digest('base64');

/** Checks the response head of the upgrade; returns the problem, or undefined when it is a valid 101. */
const checkUpgradeResponse = (head: string, key: string): string | undefined => {
  const statusLine = head.slice(0, head.indexOf('\r\n'));
  if (!/^HTTP\/1\.1 101\b/.test(statusLine)) return `upgrade answered "${statusLine}"`;
  const accept = /\r\nsec-websocket-accept:\s*(\S+)/i.exec(head)?.[1];
  return accept === expectedAccept(key) ? undefined : 'upgrade answered with a wrong Sec-WebSocket-Accept';
};

/** The HTTP/1.1 upgrade request of one connection, with its handshake key. */
const upgradeRequest = (options: RawWebSocketOptions, key: string): string =>
  `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

export const openRawWebSocket = (options: RawWebSocketOptions, handlers: RawWebSocketHandlers): RawWebSocket => {
  const key = randomBytes(16).toString('base64');
  const socket: Socket = connect({
    host: options.host,
    port: options.port,
    noDelay: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (bytes) => {
        onBytes(READ_BUFFER.subarray(0, bytes));
        return true;
      },
    },
  });
  let opened = false;
  let closed = false;
  let head: Buffer | undefined = Buffer.alloc(0);

  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    socket.destroy();
    handlers.onClose(reason, opened);
  };
  const parser = createFrameParser((opcode, payload) => {
    if (opcode === OPCODE.text || opcode === OPCODE.binary) handlers.onMessage(payload);
    else if (opcode === OPCODE.ping) socket.write(encodeClientFrame(OPCODE.pong, payload));
    else if (opcode === OPCODE.close) {
      socket.end(encodeClientFrame(OPCODE.close, payload.subarray(0, 2)));
      close(`closed by the server (code ${payload.length >= 2 ? payload.readUInt16BE(0) : '-'})`);
    }
  });

  const readHead = (chunk: Buffer): void => {
    const bytes: Buffer = Buffer.concat([head ?? Buffer.alloc(0), chunk]);
    const end = bytes.indexOf(HEADER_END);
    if (end < 0) {
      if (bytes.length > MAX_RESPONSE_HEAD_BYTES) close('upgrade response head too large');
      else head = bytes;
      return;
    }
    head = undefined;
    const problem = checkUpgradeResponse(bytes.subarray(0, end).toString('latin1'), key);
    if (problem) return close(problem);
    opened = true;
    handlers.onOpen();
    const rest = bytes.subarray(end + HEADER_END.length);
    if (rest.length > 0 && !closed) parser.push(rest);
  };

  socket.on('connect', () => socket.write(upgradeRequest(options, key)));
  function onBytes(chunk: Buffer): void {
    if (closed) return;
    try {
      if (head) readHead(chunk);
      else parser.push(chunk);
    } catch (error) {
      close(error instanceof Error ? error.message : String(error));
    }
  }
  socket.on('error', (error) => close(error.message));
  socket.on('close', () => close('connection closed'));

  return {
    sendText: (text) => {
      if (!closed) socket.write(encodeClientFrame(OPCODE.text, Buffer.from(text)));
    },
    terminate: () => {
      closed = true;
      socket.destroy();
    },
    get open() {
      return opened && !closed;
    },
  };
};
