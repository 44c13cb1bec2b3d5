/**
 * Frames a WebSocket client sends: masked, as RFC 6455 §5.3 requires of every client frame.
 * Clients only send small control answers and protocol handshakes, so one frame per message.
 */
import { randomBytes } from 'node:crypto';

/** Encodes one final frame of `opcode` carrying `payload`, masked with a fresh key. */
export const encodeClientFrame = (opcode: number, payload: Buffer, maskKey: Buffer = randomBytes(4)): Buffer => {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) {
    frame[1] = 0x80 | length;
  } else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const keyAt = 2 + lengthBytes;
  maskKey.copy(frame, keyAt, 0, 4);
  const dataAt = keyAt + 4;
  for (let i = 0; i < length; i += 1) frame[dataAt + i] = payload[i]! ^ maskKey[i & 3]!;
  return frame;
};
