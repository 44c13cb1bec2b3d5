import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.ts';

/** What every peer answered to one question, and whether all of them did in time. */
export interface ClusterAnswers<A> {
  answers: Array<{ node: string; answer: A }>;
  /** False when a live peer did not answer within the wait. */
  complete: boolean;
}

export interface ClusterQuery<Q, A> {
  /** Asks every peer; resolves when all answered or `waitMs` passed. This node is not asked. */
  ask(question: Q, peers: string[], waitMs: number): Promise<ClusterAnswers<A>>;
  stop(): void;
}

interface Envelope<T> {
  query: string;
  /** The asking node (answers only). */
  to?: string;
  body: T;
}

/**
 * Request/answer over the bus's signal channel: `topic.ask` goes to every node, each peer runs
 * `answer` and replies on `topic.answer` addressed to the asker. The bus carries no replies of its
 * own, and the same shape serves user lookups and disconnects across the cluster.
 */
export function createClusterQuery<Q, A>(nodeId: string, bus: Bus, topic: string, answer: (question: Q) => A): ClusterQuery<Q, A> {
  const askTopic = `${topic}.ask`;
  const answerTopic = `${topic}.answer`;
  const pending = new Map<string, (from: string, body: A) => void>();

  const unsubscribe = bus.onSignal((signal) => {
    if (signal.topic === askTopic && signal.origin !== nodeId) {
      const { query, body } = signal.body as Envelope<Q>;
      const reply: Envelope<A> = { query, to: signal.origin, body: answer(body) };
      bus.signal({ origin: nodeId, topic: answerTopic, body: reply }).catch(() => undefined);
    } else if (signal.topic === answerTopic) {
      const reply = signal.body as Envelope<A>;
      if (reply.to === nodeId) pending.get(reply.query)?.(signal.origin, reply.body);
    }
  });

  return {
    async ask(question, peers, waitMs) {
      const answers: ClusterAnswers<A>['answers'] = [];
      if (peers.length === 0) return { answers, complete: true };
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
        bus.signal({ origin: nodeId, topic: askTopic, body: envelope }).catch(() => resolve());
      });
      pending.delete(query);
      return { answers, complete: waiting.size === 0 };
    },
    stop: unsubscribe,
  };
}
