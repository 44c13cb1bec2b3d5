/**
 * Reading numbers out of push frames without parsing them: the bench payload (push-payload.ts)
 * carries `"seq":<int>` and `"sentAt":<epoch ms>`, which every server passes through verbatim, so a
 * scan for the key finds them whatever the server wraps them in (gateway frame, Socket.IO event,
 * nchan's raw message).
 */
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;

const SEQ_KEY = Buffer.from('"seq":');
const SENT_AT_KEY = Buffer.from('"sentAt":');

/** The non-negative decimal number right after `key`, or -1 when there is none. */
const numberAfter = (frame: Buffer, key: Buffer): number => {
  const at = frame.indexOf(key);
  if (at < 0) return -1;
  let value = 0;
  let digits = 0;
  let scale = 0;
  for (let i = at + key.length; i < frame.length; i += 1) {
    const byte = frame[i]!;
    if (byte === DOT && scale === 0) {
      scale = 1;
      continue;
    }
    if (byte < DIGIT_0 || byte > DIGIT_9) break;
    if (scale > 0) {
      scale /= 10;
      value += (byte - DIGIT_0) * scale;
    } else {
      value = value * 10 + (byte - DIGIT_0);
    }
    digits += 1;
  }
  return digits > 0 ? value : -1;
};

/** The push's sequence number, or -1. */
export const readSeq = (frame: Buffer): number => Math.trunc(numberAfter(frame, SEQ_KEY));

/** The push's send time in epoch ms (fractional), or -1. */
export const readSentAt = (frame: Buffer): number => numberAfter(frame, SENT_AT_KEY);
