import WebSocket from 'ws';
import type { ServerFrame } from '@wsgw/gateway/protocol';
import { epochMs } from '../clock.ts';

export interface PingOptions {
  /** Each client pings (and says hello) at random intervals in [minMs, maxMs]. */
  minMs: number;
  maxMs: number;
  /** Also send a plain-text `hello` frame, which the gateway must answer with an error frame. */
  hello: boolean;
}

export interface PingTally {
  pings: number;
  pongs: number;
  hellos: number;
  helloAnswers: number;
}

export const NO_PINGS: PingTally = { pings: 0, pongs: 0, hellos: 0, helloAnswers: 0 };

export function addPingTallies(a: PingTally, b: PingTally): PingTally {
  return { pings: a.pings + b.pings, pongs: a.pongs + b.pongs, hellos: a.hellos + b.hellos, helloAnswers: a.helloAnswers + b.helloAnswers };
}

/**
 * The `ping` scenario's client side: sends pings (and hellos) on a random 1–3 s rhythm and checks
 * that each gets its answer. Answers come back in order on one connection, so a FIFO of send times
 * gives each pong its round trip.
 */
export function createPinger(ws: WebSocket, options: PingOptions, onRoundTrip: (ms: number) => void) {
  const pending: number[] = [];
  const tally: PingTally = { pings: 0, pongs: 0, hellos: 0, helloAnswers: 0 };
  let hellosPending = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(beat, options.minMs + Math.random() * (options.maxMs - options.minMs));
  };
  const beat = () => {
    if (stopped || ws.readyState !== WebSocket.OPEN) return;
    pending.push(epochMs());
    tally.pings += 1;
    ws.send('{"type":"ping"}');
    if (options.hello) {
      tally.hellos += 1;
      hellosPending += 1;
      ws.send(`hello ${tally.hellos}`);
    }
    schedule();
  };
  schedule();

  return {
    tally,
    /** Takes the frames that answer this client's pings and hellos; returns true when it did. */
    onFrame(frame: ServerFrame): boolean {
      if (frame.type === 'pong') {
        const sentAt = pending.shift();
        if (sentAt === undefined) return true;
        tally.pongs += 1;
        onRoundTrip(epochMs() - sentAt);
        return true;
      }
      if (frame.type === 'error' && hellosPending > 0) {
        hellosPending -= 1;
        tally.helloAnswers += 1;
        return true;
      }
      return false;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
