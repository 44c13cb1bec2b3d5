import { MAX_DATA_DEPTH } from '../protocol.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * Generated push API requests for the fuzz suite, each with the answer the contract gives it.
 * Bodies are built as text, so the suite can send what `JSON.stringify` would never produce:
 * repeated keys, numbers past double precision, lone surrogates, invalid UTF-8, truncation.
 */
export interface FuzzCase {
  /** Which generator made it, for the failure message. */
  kind: string;
  path: '/api/push' | '/api/push/batch';
  body: string | Buffer;
  /** The status the contract prescribes. */
  status: 202 | 400 | 401 | 413;
  /** For a 202 single push that targets the watcher: the `data` text it must receive unchanged. */
  watcherData?: string;
  /** For a 202 batch: which entries are accepted and which answer with an error. */
  entries?: Array<'ok' | 'error'>;
  /** Replaces the API key (auth cases); `null` sends no Authorization header. */
  authorization?: string | null;
}

/** The user and tag the suite's watching client connects with. */
export const WATCHER = 'watcher';
export const WATCHER_TAG = 'fuzz';

const USERS = [WATCHER, 'alice', 'bob', 'caf\u00e9', '\u{1f600}', 'a'.repeat(200), 'user with spaces', '\\"quoted\\"'];
const TAGS = [WATCHER_TAG, 'news', 'sport', '\u00fcml\u00e4ut', 't'.repeat(100)];
const NUMBERS = ['0', '-0', '1', '-1', '1e400', '-1e400', '1e-400', '9007199254740993', '-9223372036854775809', '18446744073709551615', '123456789012345678901234567890.5e-3', '0.1', '2.5E+10'];
const STRINGS = ['""', '"plain"', '"caf\\u00e9"', '"\\ud800"', '"\\udfff\\ud800"', '"\\ud83d\\ude00"', '"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"]}\\"{["', '"\u00e9\u{1f600}\u4e2d"', '"\\u0000"'];
const WRONG_TYPES = ['null', '1', '"s"', 'true', '[]', '{}', '[null]', '[1]', '[""]', '{"a":1}'];
const SPACE = ['', ' ', '\n', '\t', ' \r\n '];

const quote = (text: string) => JSON.stringify(text);

/** A random valid JSON value as text, nesting at most `depth` more levels. */
function dataText(random: SeededRandom, depth: number): string {
  const gap = () => random.pick(SPACE);
  const roll = random.int(depth > 0 ? 6 : 4);
  if (roll === 0) return random.pick(NUMBERS);
  if (roll === 1) return random.pick(STRINGS);
  if (roll === 2) return random.pick(['true', 'false', 'null']);
  if (roll === 3) return quote('x'.repeat(random.int(3) === 0 ? 20_000 : 10));
  const count = random.int(4);
  if (roll === 4) return `[${gap()}${Array.from({ length: count }, () => dataText(random, depth - 1)).join(`${gap()},${gap()}`)}${gap()}]`;
  const keys = ['a', '__proto__', 'constructor', 'data', 'to', 'id', '\\u0000', ''];
  const members = Array.from({ length: count }, () => `${quote(random.pick(keys))}${gap()}:${gap()}${dataText(random, depth - 1)}`);
  return `{${gap()}${members.join(',')}${gap()}}`;
}

interface Push {
  to: string;
  data: string;
  id?: string;
  toWatcher: boolean;
}

function validPush(random: SeededRandom): Push {
  const users = Array.from({ length: random.int(3) }, () => random.pick(USERS));
  const tags = Array.from({ length: random.int(2) }, () => random.pick(TAGS));
  const all = random.chance(0.1);
  if (!all && users.length === 0 && tags.length === 0) users.push(WATCHER);
  const fields = [
    ...(users.length > 0 || random.chance(0.2) ? [`"users":${JSON.stringify(users)}`] : []),
    ...(tags.length > 0 ? [`"tags":${JSON.stringify(tags)}`] : []),
    ...(all || random.chance(0.2) ? [`"all":${all}`] : []),
  ];
  const toWatcher = all || users.includes(WATCHER) || tags.includes(WATCHER_TAG);
  return { to: `{${fields.join(',')}}`, data: dataText(random, 6), toWatcher };
}

function pushText(push: Push, extra = ''): string {
  const id = push.id === undefined ? '' : `,"id":${push.id}`;
  return `{"to":${push.to},"data":${push.data}${id}${extra}}`;
}

let ids = 0;
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Mutations of one push, each with the status it must get. */
const MUTATIONS: Array<(random: SeededRandom, push: Push) => Omit<FuzzCase, 'path'>> = [
  (random, push) => ({ kind: 'valid', body: pushText(push), status: 202, ...(push.toWatcher && { watcherData: push.data }) }),
  (random, push) => {
    // Unique, so no case is an idempotent replay of another; the longest is exactly 128 characters.
    const serial = `-${(ids += 1)}`;
    const id = random.pick(['a', '\\ud800', '\u{1f600}', '\\u00e9', 'i'.repeat(128 - serial.length)]) + serial;
    return { kind: 'valid id', body: pushText({ ...push, id: `"${id}"` }), status: 202, ...(push.toWatcher && { watcherData: push.data }) };
  },
  (random, push) => ({ kind: 'wrong id', body: pushText({ ...push, id: random.pick(['""', quote('i'.repeat(129)), ...WRONG_TYPES.filter((t) => !t.startsWith('"'))]) }), status: 400 }),
  (random, push) => ({ kind: 'wrong to', body: pushText({ ...push, to: random.pick(WRONG_TYPES.filter((t) => t !== '{}' && !t.startsWith('{"'))) }), status: 400 }),
  (random) => ({ kind: 'no target', body: pushText({ ...validPush(random), to: random.pick(['{}', '{"users":[]}', '{"all":false}', '{"tags":[],"users":[],"all":false}', '{"__proto__":{"all":true}}']) }), status: 400 }),
  (random, push) => {
    const field = random.pick(['users', 'tags']);
    const value = random.pick(['null', '1', '"watcher"', '{}', '[1]', '[null]', '[""]', '[["watcher"]]', '[true]']);
    return { kind: `wrong to.${field}`, body: pushText({ ...push, to: `{"${field}":${value},"all":true}` }), status: 400 };
  },
  (random, push) => ({ kind: 'wrong to.all', body: pushText({ ...push, to: `{"users":["${WATCHER}"],"all":${random.pick(['1', '"true"', 'null', '[]', '{}'])}}` }), status: 400 }),
  () => ({ kind: 'too many users', body: `{"to":{"users":${JSON.stringify(Array.from({ length: 10_001 }, (_, i) => `u${i}`))}},"data":1}`, status: 400 }),
  (random, push) => ({ kind: 'no data', body: `{"to":${push.to}${random.pick(['', ',"id":"x"', ',"Data":1', ',"data ":1'])}}`, status: 400 }),
  (random, push) => ({ kind: 'deep data', body: pushText({ ...push, data: nested(MAX_DATA_DEPTH + 1 + random.int(20_000)) }), status: 400 }),
  (random, push) => ({ kind: 'deepest data', body: pushText({ ...push, data: nested(MAX_DATA_DEPTH) }), status: 202, ...(push.toWatcher && { watcherData: nested(MAX_DATA_DEPTH) }) }),
  (random, push) => ({ kind: 'deep elsewhere', body: pushText(push, `,"extra":${nested(1000 + random.int(5000))}`), status: 202, ...(push.toWatcher && { watcherData: push.data }) }),
  (random, push) => ({ kind: 'repeated keys', body: `{"data":"first","to":{"users":["nobody"]},"to":${push.to},"data":${push.data}}`, status: 202, ...(push.toWatcher && { watcherData: push.data }) }),
  (random, push) => {
    const text = pushText(push);
    const cut = 1 + random.int(text.lastIndexOf('}') - 1);
    return { kind: 'truncated', body: text.slice(0, cut), status: 400 };
  },
  (random) => ({ kind: 'not an object', body: random.pick(['[]', '[{"to":{"all":true},"data":1}]', '"push"', '42', 'null', 'true']), status: 400 }),
  (random) => ({ kind: 'not JSON', body: random.pick(['', ' ', '{', '}', "{'to':1}", '{"to":{"all":true},"data":1,}', '{"to":{"all":true},"data":NaN}', '{"to":{"all":true},"data":01}', '\ufeff{"to":{"all":true},"data":1}', 'undefined', '{"to":{"all":true},"data":1}x']), status: 400 }),
  (random, push) => {
    const text = Buffer.from(pushText({ ...push, data: '"XX"' }));
    const at = text.indexOf('XX');
    text.set(random.pick([[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0], [0xc0, 0xaf]]), at);
    return { kind: 'invalid UTF-8', body: text, status: 400 };
  },
  (random, push) => ({ kind: 'huge string', body: pushText({ ...push, data: quote('h'.repeat(200_000 + random.int(700_000))) }), status: 202 }),
  (random, push) => ({ kind: 'over the limit', body: pushText({ ...push, data: quote('o'.repeat(1024 * 1024 + random.int(100_000))) }), status: 413 }),
  (random, push) => ({ kind: 'no API key', body: pushText(push), status: 401, authorization: random.pick([null, '', 'Bearer', 'Bearer wrong', 'Basic dXNlcjpwYXNz', `Bearer ${'k'.repeat(4000)}`]) }),
];

function batchCase(random: SeededRandom): FuzzCase {
  const roll = random.int(4);
  if (roll === 0) {
    return { kind: 'batch: wrong pushes', path: '/api/push/batch', body: `{"pushes":${random.pick(['null', '{}', '1', '"[]"', 'true'])}}`, status: 400 };
  }
  if (roll === 1) return { kind: 'batch: too many', path: '/api/push/batch', body: `{"pushes":[${Array(1001).fill('{"to":{"users":["nobody"]},"data":1}').join(',')}]}`, status: 400 };
  const entries: Array<'ok' | 'error'> = [];
  const texts = Array.from({ length: random.int(roll === 2 ? 1 : 40) }, () => {
    const push = validPush(random);
    const good = random.chance(0.6);
    entries.push(good ? 'ok' : 'error');
    if (good) return pushText(push);
    return random.pick(['null', '1', '[]', '{}', `{"to":${push.to}}`, pushText({ ...push, to: '{}' }), pushText({ ...push, data: nested(MAX_DATA_DEPTH + 1) })]);
  });
  return { kind: 'batch', path: '/api/push/batch', body: `{"pushes":[${texts.join(',')}]}`, status: 202, entries };
}

/** `count` cases from `random`, single pushes and batches mixed. */
export function generateFuzzCases(random: SeededRandom, count: number): FuzzCase[] {
  return Array.from({ length: count }, () => {
    if (random.chance(0.1)) return batchCase(random);
    return { path: '/api/push' as const, ...random.pick(MUTATIONS)(random, validPush(random)) };
  });
}
