import { createHash } from "node:crypto";
import { ErrorReply } from "@redis/client";
import type { RedisConnection, Reply } from "./RedisConnection.js";

/** A Lua script run by its SHA1, sent whole only when the server does not know it (first use, a restart). */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(connection: RedisConnection, keys: readonly string[], args: readonly string[]): Promise<Reply> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await connection.send(["EVALSHA", this.sha, ...tail]);
    } catch (error) {
      if (!(error instanceof ErrorReply) || !error.message.startsWith("NOSCRIPT")) throw error;
      return connection.send(["EVAL", this.source, ...tail]);
    }
  }
}

/**
 * Replaces a value only if it is still exactly what the caller read (compare-and-set): `update`'s commit,
 * and the take-over of a dead owner's claim. KEYS: the key. ARGV: expected, next, PX ms ("0": no expiry).
 */
export const compareAndSet = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '0' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`);

/**
 * A lease entry's compare-and-set: replaces the record only if it is still exactly what was read, and in
 * the same step sets the holding process's liveness key, so that whoever sees the entry sees the key too.
 * KEYS: record, holder key. ARGV: expected, next, holder key PX ms. Returns 1 if written, else 0.
 */
export const compareAndSetHeld = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 1`);

/** Lua: the server's epoch (KEYS[k]), written from ARGV[p] when absent (the server lost its data). */
const epochOf = `
local function epochOf(key, proposed)
  local epoch = redis.call('GET', key)
  if not epoch then
    epoch = proposed
    redis.call('SET', key, epoch)
  end
  return epoch
end`;

/**
 * Lua: whether a value is valid UTF-8 (WHATWG's rules: no overlong form, surrogate or code point past
 * U+10FFFF), checked byte by byte only when it has a byte above 127. The client reads a value as UTF-8
 * text: a bad byte becomes U+FFFD, a string whose encoding is not the stored bytes, so no compare-and-set
 * sent with it could ever match (a lease entry, \`holdJudged\`, a stop, a claim take-over would retry until
 * their timeouts, or for ever). Such a value is answered as unreadable instead.
 */
const validUtf8 = `
local function validUtf8(s)
  if not string.find(s, '[\\128-\\255]') then return true end
  local i, n = 1, #s
  while i <= n do
    local c = string.byte(s, i)
    if c < 128 then
      i = i + 1
    else
      local len, low, high = 0, 128, 191
      if c >= 194 and c <= 223 then len = 2
      elseif c >= 224 and c <= 239 then
        len = 3
        if c == 224 then low = 160 elseif c == 237 then high = 159 end
      elseif c >= 240 and c <= 244 then
        len = 4
        if c == 240 then low = 144 elseif c == 244 then high = 143 end
      else return false end
      if i + len - 1 > n then return false end
      local c2 = string.byte(s, i + 1)
      if c2 < low or c2 > high then return false end
      for j = i + 2, i + len - 1 do
        local cj = string.byte(s, j)
        if cj < 128 or cj > 191 then return false end
      end
      i = i + len
    end
  end
  return true
end`;

/** The server's epoch, written when absent. KEYS: epoch. ARGV: a fresh value. Returns the epoch. */
export const readEpoch = new LuaScript(`${epochOf}
return epochOf(KEYS[1], ARGV[1])`);

/**
 * A claim attempt in one step: a remembered failure wins (its back-off is shared), then a free key is
 * taken (SET NX PX) — unless the server changed (its epoch is not the one the caller knew, or the caller
 * is in its grace): a free claim is then not trusted, since its holder may not have re-asserted it yet —
 * else the holder is returned for the caller to judge.
 * KEYS: claim, failure, epoch. ARGV: claim JSON, PX ms, known epoch or '', fresh epoch, '1' in grace.
 * Returns {'failed', json, epoch} | {'acquired', '', epoch} | {'held', json, epoch} | {'wait', '', epoch} |
 * {'corrupt', why, epoch} (a held value that is not valid UTF-8: no take-over could match it).
 */
export const acquireClaim = new LuaScript(`${epochOf}${validUtf8}
local epoch = epochOf(KEYS[3], ARGV[4])
local trusted = ARGV[5] ~= '1' and (ARGV[3] == '' or epoch == ARGV[3])
local failed = redis.call('GET', KEYS[2])
if failed then return {'failed', failed, epoch} end
if trusted and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'acquired', '', epoch} end
local held = redis.call('GET', KEYS[1])
if not held then return {'wait', '', epoch} end
if not validUtf8(held) then return {'corrupt', 'its value is not valid UTF-8', epoch} end
return {'held', held, epoch}`);

/** Whether the claim stored at KEYS[1] carries token ARGV[1] (an unreadable value carries none). */
const holdsToken = `
local function holds(key, token)
  local value = redis.call('GET', key)
  if not value then return false end
  local ok, claim = pcall(cjson.decode, value)
  return ok and type(claim) == 'table' and claim.token == token
end`;

/**
 * Renews a claim for the holder of its token; and when the key is gone because the server lost its data
 * (the epoch changed, or the caller is in its grace), sets it again with the same token: the holder's
 * spawn goes on as the one spawn, and no other host has taken the key (none trusts a free claim then).
 * KEYS: claim, epoch. ARGV: token, next JSON, PX ms, known epoch or '', fresh epoch, '1' in grace.
 * Returns {1 or 0, epoch}.
 */
export const renewClaim = new LuaScript(`${holdsToken}${epochOf}
local epoch = epochOf(KEYS[2], ARGV[5])
if holds(KEYS[1], ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {1, epoch}
end
local lost = ARGV[6] == '1' or (ARGV[4] ~= '' and epoch ~= ARGV[4])
if lost and redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return {1, epoch} end
return {0, epoch}`);

/**
 * A stop's compare-and-set: as \`compareAndSet\`, but refused (-1) when the server's epoch is not the one
 * the caller knew — the server lost its data or failed over since, and the lease set read may lack
 * entries their holders have not re-asserted yet. KEYS: record, epoch. ARGV: expected, next, known epoch
 * or '', fresh epoch. Returns {1 written | 0 changed meanwhile | -1 server changed, epoch}.
 */
export const compareAndSetStop = new LuaScript(`${epochOf}
local epoch = epochOf(KEYS[2], ARGV[4])
if ARGV[3] ~= '' and epoch ~= ARGV[3] then return {-1, epoch} end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0, epoch} end
redis.call('SET', KEYS[1], ARGV[2])
return {1, epoch}`);

/**
 * Releases a claim only for the holder of its token, leaving its failure behind for the back-off if given.
 * KEYS: claim, failure. ARGV: token, failure JSON or '', back-off PX ms.
 */
export const releaseClaim = new LuaScript(`${holdsToken}
if not holds(KEYS[1], ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1`);

/**
 * Writes a record, its index entries and (for a live worker of this host) its heartbeat, as one step, and
 * answers the server's epoch (so a store that writes records knows the server before it ever stops one).
 * KEYS: record, workerId index, workerId set, heartbeat, epoch. ARGV: JSON, id, workerId, heartbeat PX ms
 * or '0', fresh epoch. Returns the epoch.
 */
export const putRecord = new LuaScript(`${epochOf}
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
if ARGV[4] ~= '0' then redis.call('SET', KEYS[4], '1', 'PX', ARGV[4]) end
return epochOf(KEYS[5], ARGV[5])`);

/**
 * Removes a record with its heartbeat and index entries; the workerId leaves the set of workerIds with its
 * last record. With ARGV[3] = 'dead-only', only when no heartbeat exists (a prune racing its owner's
 * re-publication never removes a live worker). KEYS: record, index, workerIds, heartbeat. ARGV: id, workerId, mode.
 * Returns 1 if the record was there and is gone, 0 if absent, -1 if kept because it is alive.
 */
export const removeRecord = new LuaScript(`
if ARGV[3] == 'dead-only' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local removed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[4])
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return removed`);

/**
 * One heartbeat of one live record of this host: renews its TTL and, when the record is gone (Redis
 * restarted without persistence, or the record was pruned while this host was paused), publishes it again.
 * KEYS: record, index, workerIds, heartbeat. ARGV: JSON, id, workerId, PX ms. Returns 1 if re-published.
 */
export const heartbeat = new LuaScript(`
redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1`);

/**
 * Reads many records with their heartbeats, and the liveness of each lease holder they name, in one step.
 * KEYS: N record keys, then their N heartbeat keys. ARGV: the holder key prefix.
 * Returns four entries per record: 'V' and the value, 'N' and '' when absent, or 'E' and the error Redis
 * gave (a key of the wrong type); then the heartbeat's PTTL (-2: none); then the PTTL of each entry of
 * the record's holders, in order, of the key prefix .. sha1hex(host "\\n" pid "\\n" start) (an entry
 * without a host takes the record's). Entries the script cannot read get -2 (absent: judged gone).
 */
/**
 * Lua: one record with its heartbeat and its holders' liveness, appended to \`out\` (see readRecords). A value
 * that is not valid UTF-8 is answered as an error ('E', see \`validUtf8\`): no compare-and-set could match it.
 */
const readOne = `${validUtf8}
local function holderTtls(value, prefix)
  local ok, record = pcall(cjson.decode, value)
  local ttls = {}
  if not ok or type(record) ~= 'table' or type(record.holders) ~= 'table' then return ttls end
  for i, holder in ipairs(record.holders) do
    local ttl = -2
    if type(holder) == 'table' then
      local host = holder.host
      if host == nil then host = record.host end
      local start = holder.start
      if start == nil then start = '' end
      if type(host) == 'string' and type(holder.pid) == 'number' and type(start) == 'string' then
        local name = host .. '\\n' .. string.format('%d', holder.pid) .. '\\n' .. start
        ttl = redis.call('PTTL', prefix .. redis.sha1hex(name))
      end
    end
    ttls[i] = ttl
  end
  return ttls
end
local function readOne(out, recordKey, heartbeatKey, prefix)
  local value = redis.pcall('GET', recordKey)
  local ttls = {}
  if type(value) == 'table' and value.err then
    out[#out + 1] = 'E'
    out[#out + 1] = value.err
  elseif value and not validUtf8(value) then
    out[#out + 1] = 'E'
    out[#out + 1] = 'its value is not valid UTF-8 (read as text, no compare-and-set could match its bytes)'
  elseif not value then
    out[#out + 1] = 'N'
    out[#out + 1] = ''
  else
    out[#out + 1] = 'V'
    out[#out + 1] = value
    ttls = holderTtls(value, prefix)
  end
  out[#out + 1] = redis.call('PTTL', heartbeatKey)
  out[#out + 1] = ttls
end`;

export const readRecords = new LuaScript(`${readOne}
local n = #KEYS / 2
local out = {}
for i = 1, n do readOne(out, KEYS[i], KEYS[n + i], ARGV[1]) end
return out`);

/**
 * A lookup in one step: the server's epoch, the record ids of one workerId, then each record as
 * \`readRecords\` reads it. The epoch comes with the read so that a store whose only steps were lookups
 * knows the server they read: its next step on a server that lost its data since sees the change (and
 * starts the grace) instead of adopting the new epoch as a store that never read anything would.
 * KEYS: the workerId's index, epoch. ARGV: holder key prefix, record key prefix, heartbeat key prefix (each
 * ends with the encoded workerId and ':'), most records to read, fresh epoch. Returns {'E', error} when the
 * index is not a set, else {'V', epoch, id1, <four entries>, id2, ...}; an id past the most, or not a
 * plausible id, comes back with 'L' (left for the caller to read or report) instead of a record.
 */
export const lookupRecords = new LuaScript(`${readOne}${epochOf}
local ids = redis.pcall('SMEMBERS', KEYS[1])
if type(ids) == 'table' and ids.err then return {'E', ids.err} end
local out = {'V', epochOf(KEYS[2], ARGV[5])}
local function encode(id)
  return (string.gsub(id, '[^A-Za-z0-9%._%-]', function(c) return string.format('%%%02X', string.byte(c)) end))
end
for i, id in ipairs(ids) do
  out[#out + 1] = id
  if i > tonumber(ARGV[4]) or #id == 0 or #id > 256 then
    out[#out + 1] = 'L'
    out[#out + 1] = ''
    out[#out + 1] = -2
    out[#out + 1] = {}
  else
    local segment = encode(id)
    readOne(out, ARGV[2] .. segment, ARGV[3] .. segment, ARGV[1])
  end
end
return out`);

/**
 * One record as \`readRecords\` reads it, and the server's epoch, in one step: what an update starts from
 * (a record absent from a server that lost its data is not a record that is gone).
 * KEYS: record, heartbeat, epoch. ARGV: holder key prefix, fresh epoch. Returns the four entries, then the epoch.
 */
export const readRecordAndEpoch = new LuaScript(`${readOne}${epochOf}
local out = {}
readOne(out, KEYS[1], KEYS[2], ARGV[1])
out[#out + 1] = epochOf(KEYS[3], ARGV[2])
return out`);

/**
 * A lease judged from an earlier read, checked and written in one step (\`holdJudged\`): the record's
 * entry and its holder's liveness key are written only if the record is still exactly the value the
 * caller's judgement rests on, its worker's heartbeat still lives when it is another host's, and the
 * server's epoch is the one the caller knew (a server that lost its data or failed over since is not
 * written to on the strength of a read from before).
 * KEYS: record, heartbeat, holder key, epoch. ARGV: SHA1 (hex) of the expected value (a digest, not the value:
 * half the bytes of a decision's one request), next, holder key PX ms, holder key prefix, known epoch or '',
 * fresh epoch, '1' when the heartbeat must live.
 * Returns {1, epoch, heartbeat PTTL} written | {-1, epoch} another server | {-2, epoch} heartbeat gone |
 * {0, epoch, <the record's four entries, as readRecords reads them>} the value is another.
 */
export const holdJudged = new LuaScript(`${readOne}${epochOf}
local epoch = epochOf(KEYS[4], ARGV[6])
if ARGV[5] ~= '' and epoch ~= ARGV[5] then return {-1, epoch} end
local ttl = redis.call('PTTL', KEYS[2])
if ARGV[7] == '1' and ttl <= 0 then return {-2, epoch} end
local current = redis.pcall('GET', KEYS[1])
if type(current) ~= 'string' or redis.sha1hex(current) ~= ARGV[1] then
  local out = {0, epoch}
  readOne(out, KEYS[1], KEYS[2], ARGV[4])
  return out
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
return {1, epoch, ttl}`);

/** The members of many sets in one step (the record ids of many workerIds). KEYS: the sets. */
export const membersOfSets = new LuaScript(`
local out = {}
for i = 1, #KEYS do
  local members = redis.pcall('SMEMBERS', KEYS[i])
  if type(members) == 'table' and members.err then members = {} end
  out[i] = members
end
return out`);
