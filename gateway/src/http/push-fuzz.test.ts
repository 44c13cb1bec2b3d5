import { describe, expect, it } from 'vitest';
import { generateFuzzCases, WATCHER, WATCHER_TAG, type FuzzCase } from '../testing/push-fuzz-cases.ts';
import { rawHttp } from '../testing/raw-http.ts';
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
  const sent = typeof testCase.body === 'string' ? testCase.body : new Uint8Array(testCase.body);
  const response = await fetch(`${gateway.http}${testCase.path}`, { method: 'POST', headers, body: sent });
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
      const match = /^\{"type":"push","id":("(?:[^"\\]|\\.)*"),"ts":\d+,"pos":\{[^{}]*\},"data":(.*)\}$/s.exec(text);
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

/** Requests no HTTP client sends: framing, headers and bodies broken in the ways a parser meets. */
function rawCases(apiKey: string): Array<{ name: string; request: string; end?: boolean; status: number }> {
  const body = `{"to":{"users":["${WATCHER}"]},"data":"raw"}`;
  const head = (extra: string) => `POST /api/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${apiKey}\r\n${extra}`;
  const sized = (extra = '') => `${head(extra)}Content-Length: ${body.length}\r\n\r\n${body}`;
  const chunks = (size: number) => Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.slice(i * size, (i + 1) * size));
  const chunked = (parts: string[]) => `${head('Transfer-Encoding: chunked\r\n')}\r\n${parts.map((part) => `${part.length.toString(16)}\r\n${part}\r\n`).join('')}0\r\n\r\n`;
  const overLimit = Array.from({ length: 20 }, () => 'x'.repeat(60_000));
  return [
    { name: 'a plain push', request: sized(), status: 202 },
    { name: 'a chunked body', request: chunked(chunks(7)), status: 202 },
    { name: 'a chunked body of one-byte chunks', request: chunked(chunks(1)), status: 202 },
    { name: 'a chunked body over the limit', request: chunked([`{"to":{"all":true},"data":"`, ...overLimit, '"}']), status: 413 },
    { name: 'a declared body over the limit, never sent', request: `${head('Content-Length: 2000000\r\n')}\r\n`, status: 413 },
    { name: 'a bad chunk size', request: `${head('Transfer-Encoding: chunked\r\n')}\r\nzz\r\n${body}\r\n0\r\n\r\n`, status: 400 },
    { name: 'a Content-Length that is not a number', request: `${head('Content-Length: abc\r\n')}\r\n${body}`, status: 400 },
    { name: 'a negative Content-Length', request: `${head('Content-Length: -1\r\n')}\r\n${body}`, status: 400 },
    { name: 'two different Content-Lengths', request: `${head('Content-Length: 3\r\nContent-Length: 4\r\n')}\r\n${body}`, status: 400 },
    { name: 'Content-Length with chunked encoding', request: `${head(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`)}\r\n0\r\n\r\n`, status: 400 },
    { name: 'a body cut short', request: `${head('Content-Length: 500\r\n')}\r\n${body}`, end: true, status: 400 },
    { name: 'headers cut short', request: head(''), end: true, status: 400 },
    { name: 'NUL in a header', request: sized('X-Note: a\0b\r\n'), status: 400 },
    { name: 'a header line without a colon', request: sized('Garbage\r\n'), status: 400 },
    { name: 'a header of 100 KB', request: sized(`X-Big: ${'b'.repeat(100_000)}\r\n`), status: 431 },
    { name: 'an API key of 100 KB', request: `POST /api/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${'k'.repeat(100_000)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`, status: 431 },
    { name: 'no Host', request: sized().replace('Host: 127.0.0.1\r\n', ''), status: 400 },
    { name: 'an invalid Host', request: sized().replace('Host: 127.0.0.1', 'Host: a b/c'), status: 400 },
    { name: 'an invalid method', request: sized().replace('POST', 'PO(ST'), status: 400 },
    { name: 'a TLS hello', request: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', status: 400 },
    { name: 'an HTTP/2 preface', request: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 400 },
  ];
}

describe('push API framing', () => {
  it('answers every malformed request with its status and a JSON error, and delivers the good ones', async () => {
    const gateway = await startTestGateway();
    const watcher = await gateway.connect(WATCHER);
    const port = Number(new URL(gateway.http).port);
    const answers = [];
    for (const testCase of rawCases(gateway.config.apiKey)) {
      const { status, headers, body } = await rawHttp(port, testCase.request, { end: testCase.end });
      const json = headers['content-type']?.startsWith('application/json') ? (JSON.parse(body) as Record<string, unknown>) : undefined;
      const wellFormed = status === 202 ? typeof json?.id === 'string' : typeof json?.error === 'string';
      answers.push({ name: testCase.name, status, wellFormed });
    }
    expect(answers).toEqual(rawCases('').map(({ name, status }) => ({ name, status, wellFormed: true })));
    const marker = await gateway.push({ to: { users: [WATCHER] }, data: 'marker' });
    await watcher.waitFor((frame) => frame.type === 'push' && frame.id === marker.body.id);
    // The plain push and the two chunked ones, before the marker; nothing else.
    expect(watcher.pushes().map((frame) => frame.data)).toEqual(['raw', 'raw', 'raw', 'marker']);
  });
});
