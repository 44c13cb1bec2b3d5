import { createRedisScript } from './redis-script.ts';

/**
 * The Lua side of the Redis bus's stream history. Each stream has a meta hash (`epoch`, `seq`:
 * where it stands) and a Redis stream of held pushes, entry id `<seq>-0`, fields `m` (the
 * message as subscribers hear it) or `b` (the key holding it, for a push to several streams),
 * and `t` (append time, Redis server ms). Each script runs atomically, so positions, entries and
 * delivery order agree across every node. Layout and limits: gateway/PROTOCOL.md.
 */

/** Lua helpers every script shares. */
const HELPERS = `
local function serverNow()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Runs a command on key. A key of another type under the prefix, or a stream whose ids have run
-- ahead of its meta, is none of this bus's making: it is replaced, rather than the script failing
-- halfway (a script's writes are not undone) and with it every later publish to the stream.
local function replacing(key, ...)
  local reply = redis.pcall(...)
  if type(reply) == 'table' and reply.err then
    redis.call('DEL', key)
    return redis.call(...)
  end
  return reply
end

-- Where a stream stands, and whether it begins now. A missing meta (never appended to, expired,
-- or lost with the server's data) begins the epoch given, and history left without a meta is
-- deleted: it belongs to an epoch nobody can name. So does a meta no node could have written,
-- since every push given its epoch would be refused (an epoch is 1 to 64 characters, a seq a
-- whole number). The caller records the meta (stand).
local function standing(meta, hist, fresh)
  local found = redis.pcall('HMGET', meta, 'epoch', 'seq')
  if found.err then found = {} end
  local epoch, seq = found[1], tonumber(found[2])
  if not epoch or #epoch < 1 or #epoch > 64 or not seq or seq < 0 or seq > 2^52 or seq ~= math.floor(seq) then
    redis.call('DEL', meta, hist)
    return fresh, 0, true
  end
  return epoch, seq, false
end

-- Records where a stream stands, for metaTtl more.
local function stand(meta, epoch, seq, metaTtl)
  redis.call('HSET', meta, 'epoch', epoch, 'seq', string.format('%d', seq))
  redis.call('PEXPIRE', meta, metaTtl)
end

local function field(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then return fields[i + 1] end
  end
  return nil
end

-- Drops a history's entries appended before cutoff, from the oldest, looking at 1,024 at most.
-- Entries without a readable time go too: nothing but this bus writes here.
local function trimByAge(hist, cutoff)
  -- Most often the oldest is still held: one look at it.
  local oldest = redis.call('XRANGE', hist, '-', '+', 'COUNT', 1)[1]
  if not oldest or (tonumber(field(oldest[2], 't')) or cutoff - 1) >= cutoff then return end
  for _ = 1, 16 do
    local batch = redis.call('XRANGE', hist, '-', '+', 'COUNT', 64)
    if #batch == 0 then return end
    for _, entry in ipairs(batch) do
      local t = tonumber(field(entry[2], 't'))
      if t and t >= cutoff then
        redis.call('XTRIM', hist, 'MINID', entry[1])
        return
      end
    end
    local ms, sq = string.match(batch[#batch][1], '^(%d+)-(%d+)$')
    redis.call('XTRIM', hist, 'MINID', ms .. '-' .. string.format('%d', tonumber(sq) + 1))
    if #batch < 64 then return end
  end
end
`;

/**
 * The most channels a push is published on, one copy each, and the most bytes those copies may
 * add up to (a push to one stream goes on its channel whatever its size). A push past either goes
 * once on the fan-out channel instead: a push to 10,000 users, its text holding 10,000 positions,
 * would otherwise be 10,000 copies of half a megabyte, far past Redis's output limit for a
 * subscriber (`client-output-buffer-limit pubsub`, 32 MB), which then drops the connection.
 */
export const ROUTED_COPIES = 8;
export const ROUTED_BYTES = 1024 * 1024;

/**
 * Appends one push to each stream it targets and publishes it, with all its positions, on each
 * stream's channel (a node hears the pushes of the streams it subscribes to, in position order,
 * and keeps the first copy of a push it hears on several), or, past `ROUTED_COPIES` channels or
 * `ROUTED_BYTES`, once on the fan-out channel every node hears (each keeps what it watches).
 * A push to one stream is held in its entry; one to several is held once, in a body key the
 * entries name, so a push to 10,000 users is not stored 10,000 times.
 * KEYS: meta and history of each stream in turn, the body key, the index of streams that hold
 * pushes. ARGV: fresh epoch, size, ttl ms, meta ttl ms, fan-out channel, the message's text
 * without its positions and closing brace, each stream's name, then each stream's channel in the
 * same order. Returns epoch and seq of each stream.
 */
export const APPEND_SCRIPT = createRedisScript(`${HELPERS}
local n = (#KEYS - 2) / 2
local body, index = KEYS[#KEYS - 1], KEYS[#KEYS]
local fresh, size, ttl, metaTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = serverNow()
local epochs, seqs, begun, parts = {}, {}, {}, {}
for i = 1, n do
  local epoch, seq
  epoch, seq, begun[i] = standing(KEYS[2 * i - 1], KEYS[2 * i], fresh)
  epochs[i], seqs[i] = epoch, seq + 1
  parts[i] = cjson.encode(ARGV[6 + i]) .. ':{"epoch":' .. cjson.encode(epoch) .. ',"seq":' .. string.format('%d', seq + 1) .. '}'
end
local text = ARGV[6] .. ',"positions":{' .. table.concat(parts, ',') .. '}}'
local held = {'m', text}
if size > 0 and n > 1 then
  redis.call('SET', body, text, 'PX', ttl)
  held = {'b', body}
end
local at = string.format('%d', now)
local reply = {}
for i = 1, n do
  local meta, hist, seq = KEYS[2 * i - 1], KEYS[2 * i], string.format('%d', seqs[i])
  stand(meta, epochs[i], seqs[i], metaTtl)
  if size > 0 then
    replacing(hist, 'XADD', hist, 'MAXLEN', size, seq .. '-0', held[1], held[2], 't', at)
    -- A history begun now holds this push alone.
    if not begun[i] then trimByAge(hist, now - ttl) end
    redis.call('PEXPIRE', hist, ttl)
    replacing(index, 'ZADD', index, at, hist)
  end
  reply[2 * i - 1], reply[2 * i] = epochs[i], seqs[i]
end
if size > 0 then redis.call('PEXPIRE', index, metaTtl) end
-- One copy costs the same on either channel, and on its stream's reaches only the nodes watching it.
if n == 1 or (n <= ${ROUTED_COPIES} and n * #text <= ${ROUTED_BYTES}) then
  for i = 1, n do redis.call('PUBLISH', ARGV[6 + n + i], text) end
else
  redis.call('PUBLISH', ARGV[5], text)
end
return reply
`);

/**
 * Where streams stand, beginning an epoch for each that has none. KEYS: meta and history of
 * each stream in turn. ARGV: fresh epoch, meta ttl ms. Returns epoch and seq of each stream.
 */
export const POSITIONS_SCRIPT = createRedisScript(`${HELPERS}
local reply = {}
for i = 1, #KEYS / 2 do
  local epoch, seq = standing(KEYS[2 * i - 1], KEYS[2 * i], ARGV[1])
  stand(KEYS[2 * i - 1], epoch, seq, ARGV[2])
  reply[2 * i - 1], reply[2 * i] = epoch, seq
end
return reply
`);

/**
 * One stream's position and, when the client's epoch is the stream's, its newest `count`
 * entries from `from` on, newest first, each as id, append time and text ('' when its body is
 * gone: it has expired). KEYS: meta, history. ARGV: fresh epoch, meta ttl ms, the client's
 * epoch, the first entry id wanted, count. Returns {epoch, seq, server ms, id, t, text, id, …}.
 */
export const READ_SCRIPT = createRedisScript(`${HELPERS}
local epoch, seq = standing(KEYS[1], KEYS[2], ARGV[1])
stand(KEYS[1], epoch, seq, ARGV[2])
local reply = {epoch, seq, serverNow()}
if ARGV[3] ~= epoch or tonumber(ARGV[5]) < 1 then return reply end
for _, entry in ipairs(replacing(KEYS[2], 'XREVRANGE', KEYS[2], '+', ARGV[4], 'COUNT', ARGV[5])) do
  local fields = entry[2]
  local text, body = field(fields, 'm'), field(fields, 'b')
  if not text and body then
    local got = redis.pcall('GET', body)
    if type(got) == 'string' then text = got end
  end
  reply[#reply + 1] = entry[1]
  reply[#reply + 1] = field(fields, 't') or ''
  reply[#reply + 1] = text or ''
end
return reply
`);

/**
 * What the prefix holds, worked out at most once per `cache ms` for the whole cluster: each node
 * asks as often, and all but the first in that time read the answer it left. Streams whose last
 * append is past the ttl hold nothing (their history key has expired with it) and leave the
 * index; of the rest, the `limit` most recent are trimmed by age and counted. Only the prefix's own
 * history keys are looked at, whatever the index names. KEYS: index, cached answer. ARGV: ttl ms,
 * limit, cache ms, the prefix of history keys. Returns {streams, counted, messages, bytes}.
 */
export const SIZE_SCRIPT = createRedisScript(`${HELPERS}
local cached = redis.pcall('GET', KEYS[2])
if type(cached) == 'string' then
  local found = {}
  for number in string.gmatch(cached, '%d+') do found[#found + 1] = tonumber(number) end
  if #found == 4 then return found end
end
local cutoff = serverNow() - tonumber(ARGV[1])
replacing(KEYS[1], 'ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', cutoff))
local counted = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local messages, bytes = 0, 0
for _, hist in ipairs(counted) do
  local length = string.sub(hist, 1, #ARGV[4]) == ARGV[4] and redis.pcall('XLEN', hist)
  if type(length) ~= 'number' then
    redis.call('ZREM', KEYS[1], hist)
  elseif length > 0 then
    trimByAge(hist, cutoff)
    messages = messages + redis.call('XLEN', hist)
    bytes = bytes + (redis.call('MEMORY', 'USAGE', hist) or 0)
  end
end
local reply = {redis.call('ZCARD', KEYS[1]), #counted, messages, bytes}
redis.call('SET', KEYS[2], string.format('%d %d %d %d', reply[1], reply[2], reply[3], reply[4]), 'PX', ARGV[3])
return reply
`);
