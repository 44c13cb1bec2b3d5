import { describe, expect, it } from 'vitest';
import { generateFuzzCases, WATCHER, WATCHER_TAG, type FuzzCase } from '../testing/push-fuzz-cases.ts';
import { createSeededRandom } from '../testing/seeded-random.ts';
import { useTestGateways, type TestGateway } from '../testing/test-gateway.ts';

const startTestGateway = useTestGateways();

const SEED = 20261201;
const CASES = 3000;
const CONCURRENCY = 8;
const MiB = 1024 * 1024;

interface Answer {
  status: number;
  contentType: string | null;
  body: any;
}

async function send(gateway: TestGateway, testCase: FuzzCase): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (testCase.authorization === undefined) headers.authorization = `Bearer ${gateway.config.apiKey}`;
  else if (testCase.authorization !== null) headers.authorization = testCase.authorization;
  const response = await fetch(`${gateway.http}${testCase.path}`, { method: 'POST', headers, body: testCase.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { notJson: text.slice(0, 200) };
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}

/** What is wrong with an answer, or undefined when it is what the contract prescribes. */
function mismatch(testCase: FuzzCase, answer: Answer): string | undefined {
  const { status, body } = answer;
  if (status !== testCase.status) return `status ${status}, expected ${testCase.status}: ${JSON.stringify(body).slice(0, 200)}`;
  if (!answer.contentType?.startsWith('application/json')) return `content type ${answer.contentType}`;
  if (status !== 202) return typeof body?.error === 'string' && Object.keys(body).length === 1 ? undefined : `error body ${JSON.stringify(body)}`;
  if (testCase.path === '/api/push') return typeof body.id === 'string' && Number.isInteger(body.recipients) ? undefined : `result ${JSON.stringify(body)}`;
  const results: any[] = body.results;
  const shape = results.map((result) => (typeof result.id === 'string' ? 'ok' : typeof result.error === 'string' ? 'error' : 'neither'));
  return JSON.stringify(shape) === JSON.stringify(testCase.entries) ? undefined : `batch results ${JSON.stringify(results).slice(0, 300)}`;
}

describe('push API fuzz', () => {
  it(`answers ${CASES} generated requests (seed ${SEED}) with their documented status and a JSON body, never a 5xx, and loses nothing`, async () => {
    // The watcher reads everything; a generous buffer limit keeps the many large pushes from
    // cutting it as a slow consumer, which is not what this suite is about.
    const gateway = await startTestGateway({ slowConsumerBytes: 256 * MiB });
    const watcher = await gateway.connect(WATCHER, [WATCHER_TAG]);
    const received = new Map<string, string>();
    watcher.ws.on('message', (raw) => {
      const text = raw.toString();
      const match = /^\{"type":"push","id":("(?:[^"\\]|\\.)*"),"ts":\d+,"data":(.*)\}$/s.exec(text);
      if (match) received.set(JSON.parse(match[1]!) as string, match[2]!);
    });

    const cases = generateFuzzCases(createSeededRandom(SEED), CASES);
    const failures: string[] = [];
    const expected = new Map<string, string>();
    let accepted = 0;
    let refused = 0;
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const testCase = cases[next++]!;
        const answer = await send(gateway, testCase);
        const wrong = mismatch(testCase, answer);
        if (wrong) failures.push(`${testCase.kind}: ${wrong}`);
        if (testCase.status === 400 || testCase.status === 413) refused += 1;
        if (answer.status !== 202) continue;
        if (testCase.path === '/api/push') accepted += 1;
        for (const entry of testCase.entries ?? []) (entry === 'ok' ? (accepted += 1) : (refused += 1));
        if (testCase.watcherData !== undefined) expected.set(answer.body.id, testCase.watcherData);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures).toEqual([]);

    const marker = await gateway.push({ to: { users: [WATCHER] }, data: 'marker' });
    await watcher.waitFor((frame) => frame.type === 'push' && frame.id === marker.body.id, 10_000);
    expect(expected.size).toBeGreaterThan(CASES / 10);
    const missing = [...expected].filter(([id, data]) => received.get(id) !== data);
    expect(missing).toEqual([]);
    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(stats.pushes).toMatchObject({ total: accepted + 1, errors: refused });
    expect(stats.connections).toBe(1);
  }, 60_000);
});
