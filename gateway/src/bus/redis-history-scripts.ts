import { createRedisScript } from './redis-script.ts';

/**
 * The Lua side of the Redis bus's stream history. Each stream has a meta hash (`epoch`, `seq`:
 * where it stands) and a Redis stream of held pushes, entry id `<seq>-0`, fields `m` (the
 * message as subscribers hear it) and `t` (append time, server ms). Each script runs
 * atomically, so positions, entries and delivery order agree across every node.
 */

/** Lua helpers every script shares. */
const HELPERS = `
local function serverNow()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- A key of another type under the prefix is none of this bus's: it goes, rather than fail the script
-- halfway (a script's writes are not undone) and so every publish to its stream.
local function ownType(key, kind)
  local found = redis.call('TYPE', key).ok
  if found ~= 'none' and found ~= kind then redis.call('DEL', key) end
end

-- Where a stream stands. A missing meta (never appended to, expired, or lost with the server's
-- data) begins the epoch given: held entries without a meta belong to an epoch nobody can name.
-- So does one no node could have written, since every push given its epoch would be refused
-- (an epoch is 1 to 64 characters, a seq a whole number).
local function standing(meta, hist, fresh, metaTtl)
  ownType(meta, 'hash')
  ownType(hist, 'stream')
  local found = redis.call('HMGET', meta, 'epoch', 'seq')
  local epoch, seq = found[1], tonumber(found[2])
  if not epoch or #epoch < 1 or #epoch > 64 or not seq or seq < 0 or seq > 2^52 or seq ~= math.floor(seq) then
    epoch, seq = fresh, 0
    redis.call('DEL', hist)
    redis.call('HSET', meta, 'epoch', epoch, 'seq', 0)
  end
  redis.call('PEXPIRE', meta, metaTtl)
  return epoch, seq
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
 * Appends one push to each stream it targets and publishes it, once, with all its positions.
 * A push to one stream is held in its entry; one to several is held once, in a body key the
 * entries name, so a push to 10,000 users is not stored 10,000 times.
 * KEYS: meta and history of each stream in turn, the body key, the index of streams that hold
 * pushes. ARGV: fresh epoch, size, ttl ms, meta ttl ms, push channel, the message's text without
 * its positions and closing brace, then each stream's name. Returns epoch and seq of each stream.
 */
export const APPEND_SCRIPT = createRedisScript(`${HELPERS}
local n = (#KEYS - 2) / 2
local body, index = KEYS[#KEYS - 1], KEYS[#KEYS]
local fresh, size, ttl, metaTtl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = serverNow()
ownType(index, 'zset')
local epochs, seqs, parts = {}, {}, {}
for i = 1, n do
  local epoch, seq = standing(KEYS[2 * i - 1], KEYS[2 * i], fresh, metaTtl)
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
  redis.call('HSET', meta, 'seq', seq)
  if size > 0 then
    redis.call('XADD', hist, 'MAXLEN', size, seq .. '-0', held[1], held[2], 't', at)
    trimByAge(hist, now - ttl)
    redis.call('PEXPIRE', hist, ttl)
    redis.call('ZADD', index, at, hist)
  end
  reply[2 * i - 1], reply[2 * i] = epochs[i], seqs[i]
end
if size > 0 then redis.call('PEXPIRE', index, metaTtl) end
redis.call('PUBLISH', ARGV[5], text)
return reply
`);

/**
 * Where streams stand, beginning an epoch for each that has none. KEYS: meta and history of
 * each stream in turn. ARGV: fresh epoch, meta ttl ms. Returns epoch and seq of each stream.
 */
export const POSITIONS_SCRIPT = createRedisScript(`${HELPERS}
local reply = {}
for i = 1, #KEYS / 2 do
  reply[2 * i - 1], reply[2 * i] = standing(KEYS[2 * i - 1], KEYS[2 * i], ARGV[1], tonumber(ARGV[2]))
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
local epoch, seq = standing(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]))
local reply = {epoch, seq, serverNow()}
if ARGV[3] ~= epoch or tonumber(ARGV[5]) < 1 then return reply end
for _, entry in ipairs(redis.call('XREVRANGE', KEYS[2], '+', ARGV[4], 'COUNT', ARGV[5])) do
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
 * What the prefix holds. Streams whose last append is past the ttl hold nothing (their history
 * key has expired with it) and leave the index; of the rest, the `limit` most recent are trimmed
 * by age and counted. KEYS: index. ARGV: ttl ms, limit. Returns {streams, counted, messages, bytes}.
 */
export const SIZE_SCRIPT = createRedisScript(`${HELPERS}
local cutoff = serverNow() - tonumber(ARGV[1])
ownType(KEYS[1], 'zset')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', cutoff))
local streams = redis.call('ZCARD', KEYS[1])
local counted = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
local messages, bytes = 0, 0
for _, hist in ipairs(counted) do
  ownType(hist, 'stream')
  trimByAge(hist, cutoff)
  messages = messages + redis.call('XLEN', hist)
  bytes = bytes + (redis.call('MEMORY', 'USAGE', hist) or 0)
end
return {streams, #counted, messages, bytes}
`);
