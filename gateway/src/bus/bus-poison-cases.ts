/**
 * Malformed bus messages, as raw text for the push and signal subjects: each field of a
 * `BusMessage` and each signal topic's body broken in turn (missing, null, wrong type, out of
 * bounds, huge, not JSON, and payloads that would forge frame fields). Every case must be
 * dropped and counted by every node; none may reach a client.
 */

export interface PoisonCase {
  name: string;
  text: string;
  /** Native broker headers (NATS), for the header cases of brokers that have them. */
  nativeHeaders?: Record<string, string>;
}

const NOW = 1_795_430_000_000;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const DEEP = 100_000;

/** A well-formed push for user `user`, the base every push case breaks one field of. */
export function validPush(id: string, user: string, payload = '"marker"') {
  return { id, ts: NOW, acceptedAt: NOW, publishedAt: NOW, to: { users: [user], tags: [], all: false }, payload, trace: TRACEPARENT };
}

const tooMany = (count: number) => Array.from({ length: count }, (_, i) => `u${i}`);
const manyHeaders = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`h${i}`, 'v']));

/** `withHeaders`: the broker carries headers inside the message (Redis); otherwise natively (NATS). */
export function pushCases(user: string, withHeaders: boolean): PoisonCase[] {
  const push = validPush('poison', user);
  const message = (fields: Record<string, unknown>) => JSON.stringify({ origin: 'intruder', push, ...(withHeaders && { headers: {} }), ...fields });
  const withPush = (fields: Record<string, unknown>) => message({ push: { ...push, ...fields } });
  const without = (field: keyof typeof push) => message({ push: Object.fromEntries(Object.entries(push).filter(([key]) => key !== field)) });
  const cases: PoisonCase[] = [
    { name: 'not JSON', text: '{"origin":' },
    { name: 'JSON null', text: 'null' },
    { name: 'an array', text: '[]' },
    { name: 'a number', text: '42' },
    { name: 'envelope nested 100k deep', text: `{"origin":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}` },
    { name: 'the reported message', text: '{"origin":"x","push":{}}' },
    { name: 'origin missing', text: JSON.stringify({ push }) },
    { name: 'origin empty', text: message({ origin: '' }) },
    { name: 'origin a number', text: message({ origin: 7 }) },
    { name: 'origin huge', text: message({ origin: 'o'.repeat(100_000) }) },
    { name: 'push missing', text: JSON.stringify({ origin: 'intruder' }) },
    { name: 'push null', text: message({ push: null }) },
    { name: 'push a string', text: message({ push: 'push' }) },
    ...(['id', 'ts', 'acceptedAt', 'publishedAt', 'to', 'payload'] as const).map((field) => ({ name: `push.${field} missing`, text: without(field) })),
    { name: 'push.id empty', text: withPush({ id: '' }) },
    { name: 'push.id a number', text: withPush({ id: 5 }) },
    { name: 'push.id 129 characters', text: withPush({ id: 'i'.repeat(129) }) },
    { name: 'push.ts a string', text: withPush({ ts: 'now' }) },
    { name: 'push.ts 1e400', text: withPush({ ts: 0 }).replace('"ts":0', '"ts":1e400') },
    { name: 'push.acceptedAt null', text: withPush({ acceptedAt: null }) },
    { name: 'push.publishedAt an object', text: withPush({ publishedAt: {} }) },
    { name: 'push.to null', text: withPush({ to: null }) },
    { name: 'push.to without target', text: withPush({ to: { users: [], tags: [], all: false } }) },
    { name: 'push.to.users a string', text: withPush({ to: { users: user, tags: [], all: false } }) },
    { name: 'push.to.users with a number', text: withPush({ to: { users: [1], tags: [], all: false } }) },
    { name: 'push.to.users with an empty id', text: withPush({ to: { users: [''], tags: [], all: false } }) },
    { name: 'push.to.users over 10,000', text: withPush({ to: { users: tooMany(10_001), tags: [], all: false } }) },
    { name: 'push.to.tags missing', text: withPush({ to: { users: [user], all: false } }) },
    { name: 'push.to.all a string', text: withPush({ to: { users: [user], tags: [], all: 'yes' } }) },
    { name: 'push.payload a number', text: withPush({ payload: 5 }) },
    { name: 'push.payload empty', text: withPush({ payload: '' }) },
    { name: 'push.payload not JSON', text: withPush({ payload: 'not json' }) },
    { name: 'push.payload injecting a field', text: withPush({ payload: '1,"id":"forged"' }) },
    { name: 'push.payload closing the frame', text: withPush({ payload: '{"a":1}}' }) },
    { name: 'push.payload two values', text: withPush({ payload: '1 2' }) },
    { name: 'push.payload nested past the limit', text: withPush({ payload: `${'['.repeat(200)}${']'.repeat(200)}` }) },
    { name: 'push.payload huge and not JSON', text: withPush({ payload: 'x'.repeat(500_000) }) },
    { name: 'push.trace not a traceparent', text: withPush({ trace: 'trace-me' }) },
    { name: 'push.trace a number', text: withPush({ trace: 5 }) },
    { name: 'push.traceClients a string', text: withPush({ traceClients: 'yes' }) },
    // A forged position could make a resuming client skip pushes: only the push's own streams, each seq ≥ 1.
    { name: 'positions an array', text: message({ positions: [] }) },
    { name: 'positions of a stream the push does not target', text: message({ positions: { 'u:someone-else': { epoch: 'e', seq: 1 } } }) },
    { name: 'positions seq 0', text: message({ positions: { [`u:${user}`]: { epoch: 'e', seq: 0 } } }) },
    { name: 'positions seq fractional', text: message({ positions: { [`u:${user}`]: { epoch: 'e', seq: 1.5 } } }) },
    { name: 'positions seq a string', text: message({ positions: { [`u:${user}`]: { epoch: 'e', seq: '7' } } }) },
    { name: 'positions epoch missing', text: message({ positions: { [`u:${user}`]: { seq: 1 } } }) },
    { name: 'positions epoch huge', text: message({ positions: { [`u:${user}`]: { epoch: 'e'.repeat(65), seq: 1 } } }) },
  ];
  if (withHeaders) {
    cases.push(
      { name: 'headers an array', text: message({ headers: [] }) },
      { name: 'headers null', text: message({ headers: null }) },
      { name: 'headers with a number', text: message({ headers: { traceparent: 5 } }) },
      { name: 'headers too many', text: message({ headers: manyHeaders }) },
      { name: 'headers value huge', text: message({ headers: { traceparent: 't'.repeat(10_000) } }) },
    );
  } else {
    cases.push(
      { name: 'native headers too many', text: message({}), nativeHeaders: manyHeaders },
      { name: 'native header value huge', text: message({}), nativeHeaders: { traceparent: 't'.repeat(10_000) } },
    );
  }
  return cases;
}

/** `node` is a node of the cluster, so addressed bodies are aimed at someone who reads them. */
export function signalCases(node: string): PoisonCase[] {
  const signal = (topic: unknown, body: unknown, origin: unknown = 'intruder') => JSON.stringify({ origin, topic, body });
  const report = { node: 'intruder', version: '1', connections: 1, users: 1, pushesPerSec: 0, deliveriesPerSec: 0, acksPerSec: 0, dropsPerSec: { slow_consumer: 0, closed: 0 }, uptime: 1, eventLoopLagMs: { p50: 0, p99: 0, max: 0 }, memory: { rss: 1, heapUsed: 1 }, latencyCounts: Array(13).fill(0), mostBuffered: [], recentPushes: [], slowDeliveries: [], recentTagChanges: [], at: NOW };
  const ask = (body: unknown) => ({ query: 'q-1', body });
  const answer = (body: unknown) => ({ query: 'q-1', to: node, body });
  return [
    { name: 'signal not JSON', text: '{"topic"' },
    { name: 'signal null', text: 'null' },
    { name: 'signal origin missing', text: JSON.stringify({ topic: 'announce', body: report }) },
    { name: 'signal origin empty', text: signal('announce', report, '') },
    { name: 'signal topic a number', text: signal(5, report) },
    { name: 'signal topic huge', text: signal('t'.repeat(10_000), {}) },
    { name: 'announce null', text: signal('announce', null) },
    { name: 'announce a string', text: signal('announce', 'hello') },
    { name: 'announce empty', text: signal('announce', {}) },
    { name: 'announce connections a string', text: signal('announce', { ...report, connections: 'many' }) },
    { name: 'announce latencyCounts short', text: signal('announce', { ...report, latencyCounts: [1] }) },
    { name: 'announce mostBuffered huge', text: signal('announce', { ...report, mostBuffered: Array(1000).fill({ id: 'c', user: 'u', node: 'n', bufferedAmount: 1, connectedAt: NOW }) }) },
    { name: 'announce slowDeliveries entry broken', text: signal('announce', { ...report, slowDeliveries: [{ push: 'p' }] }) },
    { name: 'receipt null', text: signal('receipt', null) },
    { name: 'receipt empty', text: signal('receipt', {}) },
    { name: 'receipt count a string', text: signal('receipt', { push: 'p', to: node, recipients: '3' }) },
    { name: 'receipt count negative', text: signal('receipt', { push: 'p', to: node, recipients: -1 }) },
    { name: 'receipt count fractional', text: signal('receipt', { push: 'p', to: node, recipients: 1.5 }) },
    { name: 'receipt push id huge', text: signal('receipt', { push: 'p'.repeat(200), to: node, recipients: 1 }) },
    { name: 'users.ask null', text: signal('users.ask', null) },
    { name: 'users.ask without query', text: signal('users.ask', { body: { user: 'u' } }) },
    { name: 'users.ask body null', text: signal('users.ask', ask(null)) },
    { name: 'users.ask user a number', text: signal('users.ask', ask({ user: 5 })) },
    { name: 'users.answer null', text: signal('users.answer', null) },
    { name: 'users.answer without to', text: signal('users.answer', { query: 'q-1', body: [] }) },
    { name: 'users.answer body a string', text: signal('users.answer', answer('x')) },
    { name: 'users.answer connection broken', text: signal('users.answer', answer([{ id: 5 }])) },
    { name: 'control.disconnect.ask null', text: signal('control.disconnect.ask', null) },
    { name: 'control.disconnect.ask order empty', text: signal('control.disconnect.ask', ask({})) },
    { name: 'control.disconnect.ask user a number', text: signal('control.disconnect.ask', ask({ user: 5 })) },
    { name: 'control.disconnect.answer a string', text: signal('control.disconnect.answer', answer('3')) },
    { name: 'control.disconnect.answer negative', text: signal('control.disconnect.answer', answer(-1)) },
    { name: 'inspector.push.ask id missing', text: signal('inspector.push.ask', ask({})) },
    { name: 'inspector.push.ask id huge', text: signal('inspector.push.ask', ask({ id: 'p'.repeat(5000) })) },
    { name: 'inspector.push.answer a string', text: signal('inspector.push.answer', answer('x')) },
    { name: 'inspector.push.answer node broken', text: signal('inspector.push.answer', answer({ acceptedAt: NOW, publishedAt: NOW, to: { users: ['u'] }, node: { node: 'n', matched: -1 } })) },
    { name: 'inspector.user.ask limit huge', text: signal('inspector.user.ask', ask({ user: 'u', limit: 1e9 })) },
    { name: 'inspector.user.answer over 100 pushes', text: signal('inspector.user.answer', answer(Array(101).fill({ id: 'p', acceptedAt: NOW, to: { users: ['u'] }, connections: [] }))) },
    { name: 'interest null', text: signal('interest', null) },
    { name: 'interest of no kind', text: signal('interest', { gen: 'g', seq: 1 }) },
    { name: 'interest delta add a string', text: signal('interest', { kind: 'delta', gen: 'g', seq: 1, add: 'u:x', remove: [] }) },
    { name: 'interest delta with a number', text: signal('interest', { kind: 'delta', gen: 'g', seq: 1, add: [5], remove: [] }) },
    { name: 'interest delta over 2000 streams', text: signal('interest', { kind: 'delta', gen: 'g', seq: 1, add: tooMany(2001), remove: [] }) },
    { name: 'interest delta seq negative', text: signal('interest', { kind: 'delta', gen: 'g', seq: -1, add: [], remove: [] }) },
    { name: 'interest snapshot part past its parts', text: signal('interest', { kind: 'snapshot', gen: 'g', seq: 0, part: 2, parts: 2, streams: [] }) },
    { name: 'interest snapshot of a million parts', text: signal('interest', { kind: 'snapshot', gen: 'g', seq: 0, part: 0, parts: 1e6, streams: [] }) },
    { name: 'interest ack gen huge', text: signal('interest', { kind: 'ack', gen: 'g'.repeat(1000), seq: 1 }) },
  ];
}
