import { randomUUID } from 'node:crypto';
import type { Bus, SignalBodyParser } from '../bus/bus.ts';
import { MAX_ORIGIN_LENGTH } from '../bus/bus-validation.ts';
import { isBoundedString, isRecord } from '../validation.ts';

/** What every peer answered to one question, and whether all of them did in time. */
export interface ClusterAnswers<A> {
  answers: Array<{ node: string; answer: A }>;
  /** False when a live peer did not answer within the wait, or the peer list was not settled. */
  complete: boolean;
}

export interface ClusterQuery<Q, A> {
  /** Asks each of `peers`; resolves when all answered or `waitMs` passed. This node is not asked. */
  ask(question: Q, peers: string[], waitMs: number): Promise<ClusterAnswers<A>>;
  stop(): void;
}

export interface ClusterQueryOptions<Q, A> {
  nodeId: string;
  bus: Bus;
  topic: string;
  /** This node's answer to a peer's question; a promise when it takes work first (a tag change). */
  answer(question: Q): A | Promise<A>;
  /** Check what peers send: a question, and an answer. */
  parseQuestion: SignalBodyParser<Q>;
  parseAnswer: SignalBodyParser<A>;
  /** Whether the peer list is complete (see `Membership.settled`); answers are incomplete while it is not. */
  settled(): boolean;
}

interface Envelope<T> {
  query: string;
  /** The asking node (answers only). */
  to?: string;
  body: T;
}

/** Longest query id, characters (they are UUIDs). */
const MAX_QUERY_ID = 64;

/** The envelope around a question or an answer, with its body checked by `parse`. */
function envelopeParser<T>(parse: SignalBodyParser<T>, addressed: boolean): SignalBodyParser<Envelope<T>> {
  return (value) => {
    if (!isRecord(value) || !isBoundedString(value.query, MAX_QUERY_ID)) return { ok: false, error: 'a query needs an id' };
    if (addressed && !isBoundedString(value.to, MAX_ORIGIN_LENGTH)) return { ok: false, error: 'an answer needs the asking node' };
    const body = parse(value.body);
    if (!body.ok) return body;
    return { ok: true, value: { query: value.query, ...(addressed && { to: value.to as string }), body: body.value } };
  };
}

/**
 * Request/answer over the bus's signals: `topic.ask` goes to each peer asked, which runs `answer`
 * and replies on `topic.answer` to the asker alone. The bus carries no replies of its
 * own, and the same shape serves user lookups and disconnects across the cluster.
 */
export function createClusterQuery<Q, A>(options: ClusterQueryOptions<Q, A>): ClusterQuery<Q, A> {
  const { nodeId, bus } = options;
  const askTopic = `${options.topic}.ask`;
  const answerTopic = `${options.topic}.answer`;
  const pending = new Map<string, (from: string, body: A) => void>();

  const stopAsks = bus.onSignal<Envelope<Q>>({
    topic: askTopic,
    parse: envelopeParser(options.parseQuestion, false),
    handle(origin, { query, body }) {
      if (origin === nodeId) return;
      const send = (answer: A) => {
        const reply: Envelope<A> = { query, to: origin, body: answer };
        bus.signal({ origin: nodeId, topic: answerTopic, body: reply }, origin).catch(() => undefined);
      };
      const answer = options.answer(body);
      // A failed answer is not sent: the asker counts this node as not answering in time.
      if (answer instanceof Promise) answer.then(send, () => undefined);
      else send(answer);
    },
  });
  const stopAnswers = bus.onSignal<Envelope<A>>({
    topic: answerTopic,
    parse: envelopeParser(options.parseAnswer, true),
    handle(origin, reply) {
      if (reply.to === nodeId) pending.get(reply.query)?.(origin, reply.body);
    },
  });

  return {
    async ask(question, peers, waitMs) {
      const answers: ClusterAnswers<A>['answers'] = [];
      const settled = options.settled();
      if (peers.length === 0) return { answers, complete: settled };
      const query = randomUUID();
      const waiting = new Set(peers);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        pending.set(query, (from, body) => {
          if (!waiting.delete(from)) return;
          answers.push({ node: from, answer: body });
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        const envelope: Envelope<Q> = { query, body: question };
        // Each asked peer alone: the question is for the nodes concerned, not the whole cluster.
        for (const peer of peers) bus.signal({ origin: nodeId, topic: askTopic, body: envelope }, peer).catch(() => resolve());
      });
      pending.delete(query);
      return { answers, complete: waiting.size === 0 && settled };
    },
    stop() {
      stopAsks();
      stopAnswers();
    },
  };
}
