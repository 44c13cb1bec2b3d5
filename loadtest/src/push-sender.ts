import type { BatchPushResponse, PushRequest, PushTarget } from '@wsgw/gateway/protocol';
import { epochMs } from './clock.ts';

/** One push, numbered in its stream's sequence (a user's, or a chat room's). */
export interface PlannedPush {
  stream: string;
  seq: number;
  to: PushTarget;
}

export interface PushSender {
  /** Sends the pushes (batched, at most 1000 per call); resolves with the ones the gateway accepted. */
  send(pushes: PlannedPush[]): Promise<PlannedPush[]>;
  /** The push API's errors by kind since the previous call; the sender forgets them. */
  takeErrors(): Record<string, number>;
}

const MAX_BATCH = 1000;

/**
 * Drives the gateway's push API. Each push carries its sequence number and the instant it was
 * sent, which the receiving clients turn into exact loss accounting and end-to-end latency.
 */
export function createPushSender(options: { baseUrl: string; apiKey: string; run: string }): PushSender {
  let errors: Record<string, number> = {};
  const count = (kind: string, n = 1) => (errors[kind] = (errors[kind] ?? 0) + n);

  const sendBatch = async (batch: PlannedPush[]): Promise<PlannedPush[]> => {
    const sentAt = epochMs();
    const pushes: PushRequest[] = batch.map((push) => ({ to: push.to, data: { run: options.run, stream: push.stream, seq: push.seq, sentAt } }));
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}/api/push/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pushes }),
      });
    } catch (error) {
      count(`push api: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}`, batch.length);
      return [];
    }
    if (response.status !== 202) {
      count(`push api: http ${response.status}`, batch.length);
      await response.body?.cancel();
      return [];
    }
    const { results } = (await response.json()) as BatchPushResponse;
    return batch.filter((_push, i) => {
      const result = results[i];
      if (result && 'id' in result) return true;
      count(`push api: ${result && 'error' in result ? result.error : 'no result'}`);
      return false;
    });
  };

  return {
    async send(pushes) {
      const batches: PlannedPush[][] = [];
      for (let i = 0; i < pushes.length; i += MAX_BATCH) batches.push(pushes.slice(i, i + MAX_BATCH));
      return (await Promise.all(batches.map(sendBatch))).flat();
    },
    takeErrors() {
      const taken = errors;
      errors = {};
      return taken;
    },
  };
}
