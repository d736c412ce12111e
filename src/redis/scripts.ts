/**
 * The Lua scripts of the Redis store. Each runs atomically on the one
 * Cluster slot of a breaker (all its keys share the hash tag `{prefix:name}`).
 *
 * KEYS of FLUSH and TRANSITION, in order: state, window, chunks, failers, permits.
 * The channel is an argument (channels are not keys). Numbers cross the Lua
 * boundary as strings, so timestamps keep their full precision.
 *
 * A published message is `generation|state|since|retryAt|reopenCount`.
 */

/** Shared helpers: the shared-state reply and the TTL refresh. */
const COMMON = `
local function current(s)
  return { '0', s[2] or '0', s[1] or 'closed', s[3] or '', s[4] or '', s[5] or '' }
end
local function refresh(ttl)
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
`;

/**
 * Merges one batch of outcome counts into the fleet window, evaluates the trip
 * rule over the merged window (with minimumCalls over the fleet and the
 * minInstances quorum), and, if it trips while the fleet is closed, opens the
 * fleet with the next generation and publishes it. Returns the fleet's shared
 * state: `{ tripped, generation, state, since, retryAt, reopenCount }`.
 *
 * ARGV: 1 window type, 2 instance id, 3 now, 4 retryAt if it trips, 5 ttl,
 * 6 channel, 7 minInstances, 8 failureThreshold | size | buckets,
 * 9 minimumCalls, 10 failureRateThreshold, 11 slowCallRateThreshold or '',
 * 12 oldest live bucket (time window), 13 the instance's generation (the batch was
 * recorded under it: a batch from before the fleet's last change is stale and dropped; a
 * generation above the fleet's means Redis lost the state, and the fleet continues above it),
 * 14.. the batch:
 * - consecutive: calls, failures, slow, trailing failures, saw a success (1/0)
 * - count: calls, failures, slow
 * - time: groups of bucket, calls, failures, slow
 * An empty batch is a probe: it writes one field (so it fails when Redis refuses
 * writes) and returns the shared state.
 */
export const FLUSH = `${COMMON}
local kind, instance, now, retryAt, ttl, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local minInstances, limit = tonumber(ARGV[7]), tonumber(ARGV[8])
local minimumCalls, failureRate, slowRate = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
redis.call('HSET', KEYS[2], 'at', now)
local s = redis.call('HMGET', KEYS[1], 'state', 'gen', 'since', 'retryAt', 'reopenCount')
local generation = tonumber(ARGV[13])
if generation > tonumber(s[2] or '0') then
  -- Redis lost the state (a restart, an expired key): generations go on above the instances' ones.
  redis.call('HSET', KEYS[1], 'gen', ARGV[13])
  s[2] = ARGV[13]
end
if (s[1] or 'closed') ~= 'closed' or generation < tonumber(s[2] or '0') then
  -- The fleet is not closed, or it changed since the batch was recorded: nothing is counted
  -- (a closing fleet starts with an empty window).
  refresh(ttl)
  return current(s)
end
local function rate(calls, failures, slow)
  if calls == 0 or calls < minimumCalls then return false end
  if failures / calls >= failureRate then return true end
  return slowRate ~= nil and slow / calls >= slowRate
end
local trip = false
if kind == 'consecutive' then
  -- Fleet failures in a row since the last success any instance flushed.
  local trailing = tonumber(ARGV[17])
  local run
  if ARGV[18] == '1' then
    redis.call('DEL', KEYS[4])
    redis.call('HSET', KEYS[2], 'run', trailing)
    run = trailing
  else
    run = redis.call('HINCRBY', KEYS[2], 'run', trailing)
  end
  if trailing > 0 then redis.call('ZADD', KEYS[4], now, instance) end
  trip = run >= limit and redis.call('ZCARD', KEYS[4]) >= minInstances
elseif kind == 'count' then
  -- The newest flushed chunks that together hold at least size calls.
  local c, f, sl = tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])
  local calls = tonumber(redis.call('HGET', KEYS[2], 'calls') or '0') + c
  local failures = tonumber(redis.call('HGET', KEYS[2], 'failures') or '0') + f
  local slow = tonumber(redis.call('HGET', KEYS[2], 'slow') or '0') + sl
  if c > 0 then
    local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
    redis.call('RPUSH', KEYS[3], c .. ':' .. f .. ':' .. sl .. ':' .. seq)
    if f > 0 or sl > 0 then redis.call('ZADD', KEYS[4], seq, instance) end
  end
  local headSeq = nil
  while true do
    local head = redis.call('LINDEX', KEYS[3], 0)
    if not head then break end
    local hc, hf, hs, hseq = string.match(head, '^(%d+):(%d+):(%d+):(%d+)$')
    if calls - tonumber(hc) < limit then headSeq = hseq break end
    redis.call('LPOP', KEYS[3])
    calls, failures, slow = calls - tonumber(hc), failures - tonumber(hf), slow - tonumber(hs)
  end
  redis.call('HSET', KEYS[2], 'calls', calls, 'failures', failures, 'slow', slow)
  if headSeq then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. headSeq) end
  trip = rate(calls, failures, slow) and redis.call('ZCARD', KEYS[4]) >= minInstances
else
  -- Time buckets: fields c:<bucket>, f:<bucket>, s:<bucket>; buckets older than ARGV[12] are dropped.
  local oldest = tonumber(ARGV[12])
  for i = 14, #ARGV, 4 do
    if tonumber(ARGV[i]) >= oldest then
      redis.call('HINCRBY', KEYS[2], 'c:' .. ARGV[i], ARGV[i + 1])
      if ARGV[i + 2] ~= '0' then redis.call('HINCRBY', KEYS[2], 'f:' .. ARGV[i], ARGV[i + 2]) end
      if ARGV[i + 3] ~= '0' then redis.call('HINCRBY', KEYS[2], 's:' .. ARGV[i], ARGV[i + 3]) end
      if ARGV[i + 2] ~= '0' or ARGV[i + 3] ~= '0' then redis.call('ZADD', KEYS[4], ARGV[i], instance) end
    end
  end
  local calls, failures, slow = 0, 0, 0
  local fields = redis.call('HGETALL', KEYS[2])
  for i = 1, #fields, 2 do
    local field = fields[i]
    local tag = string.sub(field, 1, 2)
    if tag == 'c:' or tag == 'f:' or tag == 's:' then
      if tonumber(string.sub(field, 3)) < oldest then
        redis.call('HDEL', KEYS[2], field)
      else
        local n = tonumber(fields[i + 1])
        if tag == 'c:' then calls = calls + n elseif tag == 'f:' then failures = failures + n else slow = slow + n end
      end
    end
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[12])
  trip = rate(calls, failures, slow) and redis.call('ZCARD', KEYS[4]) >= minInstances
end
if not trip then
  refresh(ttl)
  return current(s)
end
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'state', 'open', 'since', now, 'retryAt', retryAt, 'reopenCount', '0')
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('PUBLISH', channel, gen .. '|open|' .. now .. '|' .. retryAt .. '|0')
redis.call('PEXPIRE', KEYS[1], ttl)
return { '1', tostring(gen), 'open', now, retryAt, '0' }
`;

/**
 * Applies an instance's local transition to the fleet by the rule of
 * \`fleetTransition\` (compare-and-set on the generation it was based on):
 * manual always; tripped only with localTrip 'fleet' on a closed fleet;
 * half-open steps only from the fleet's current generation and the state the
 * step starts from. A `basedOn` above the fleet's generation means Redis lost the
 * state: the fleet's generation continues from it. On a move: next generation, window cleared on close,
 * permits cleared outside HALF_OPEN, PUBLISH. Returns the fleet's shared state,
 * first field '1' if it moved.
 *
 * ARGV: 1 reason, 2 basedOn, 3 localTrip, 4 state, 5 since, 6 retryAt or '',
 * 7 reopenCount or '', 8 ttl, 9 channel.
 */
export const TRANSITION = `${COMMON}
local reason, basedOn, localTrip, nextState, since, retryAt, reopenCount, ttl, channel =
  ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local s = redis.call('HMGET', KEYS[1], 'state', 'gen', 'since', 'retryAt', 'reopenCount')
local state, gen = s[1] or 'closed', tonumber(s[2] or '0')
if basedOn > gen then
  -- Redis lost the state (a restart, an expired key): generations go on above the instances' ones.
  redis.call('HSET', KEYS[1], 'gen', ARGV[2])
  gen = basedOn
  s[2] = ARGV[2]
end
local apply = false
if reason == 'manual' then
  apply = true
elseif reason == 'tripped' then
  apply = localTrip == 'fleet' and state == 'closed'
elseif basedOn == gen then
  if reason == 'reset-timeout-elapsed' then apply = state == 'open' else apply = state == 'open' or state == 'half_open' end
end
if not apply then return current(s) end
gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'state', nextState, 'since', since)
if retryAt ~= '' then redis.call('HSET', KEYS[1], 'retryAt', retryAt) else redis.call('HDEL', KEYS[1], 'retryAt') end
if reopenCount ~= '' then redis.call('HSET', KEYS[1], 'reopenCount', reopenCount) else redis.call('HDEL', KEYS[1], 'reopenCount') end
if nextState == 'closed' then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4]) end
if nextState ~= 'half_open' then redis.call('DEL', KEYS[5]) end
redis.call('PUBLISH', channel, gen .. '|' .. nextState .. '|' .. since .. '|' .. retryAt .. '|' .. reopenCount)
refresh(ttl)
return { '1', tostring(gen), nextState, since, retryAt, reopenCount }
`;

/**
 * Takes a fleet-wide HALF_OPEN trial permit: a lease in a sorted set of
 * holders scored by expiry (Redis server time), expired leases purged first.
 * Returns 1 if granted, 0 if `max` leases are held.
 *
 * KEYS: permits. ARGV: 1 token, 2 max, 3 lease ms, 4 ttl.
 */
export const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), tonumber(ARGV[3])))
return 1
`;
