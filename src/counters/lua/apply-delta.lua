-- Applies one job's counter delta to an app's counters, exactly once: the job's done-marker and every increment are
-- one atomic step, so a redelivered job (a worker crash after the script, before the ack) changes nothing.
--
-- KEYS[1]: the job's done-marker; KEYS[2..]: the bucket hashes (minutes, then hourly roll-ups) of one app.
-- ARGV: markerTtl, the app's key prefix, the TTL of the per-hour value sets, the number of limits and per limit a
-- dimension code and its count; then per bucket hash, in KEYS order: ttl, hour start, 1 for a minute bucket (0 for an
-- hourly roll-up), field count, field, increment, …, user-field count, user field, user ids joined by newlines, ….
-- One argument per HyperLogLog instead of one per id: a batch's ids appear in ~10 HyperLogLogs, and per-argument
-- encoding was the worker's largest cost.
--
-- Slice values are admitted per app, hour and dimension into a set (<app>:s:<hour>:<code>) until it holds the limit;
-- a later value of that hour is counted as 'other', in its minutes and in the hourly roll-up alike. Deciding here,
-- atomically with the done-marker, means a job folds exactly once and concurrent jobs cannot overshoot a limit.
-- HyperLogLog and value-set keys are derived from declared keys and the app prefix: all carry the app's hash tag, so
-- the script stays in one cluster slot (as read-buckets.lua does).
--
-- Returns {0} for a redelivery, else {1, {code, logins folded into 'other', …}, {code, hour, …}}: the last list names
-- the first fold of each dimension and hour, so that it is logged once.
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {0} end
local app, valuesTtl = ARGV[2], ARGV[3]
local limits = {}
local a = 5
for _ = 1, tonumber(ARGV[4]) do
  limits[ARGV[a]] = tonumber(ARGV[a + 1])
  a = a + 2
end
local admitted, folded, first = {}, {}, {}

local function admit(hour, d, value)
  local id = hour .. '|' .. d .. '|' .. value
  local ok = admitted[id]
  if ok ~= nil then return ok end
  local set = app .. ':s:' .. hour .. ':' .. d
  ok = redis.call('SISMEMBER', set, value) == 1
  if not ok and redis.call('SCARD', set) < limits[d] then
    redis.call('SADD', set, value)
    redis.call('EXPIRE', set, valuesTtl)
    ok = true
  end
  if not ok then
    local over = app .. ':s:' .. hour .. ':over'
    if redis.call('HINCRBY', over, d, 1) == 1 then
      first[#first + 1] = d
      first[#first + 1] = hour
    end
    redis.call('EXPIRE', over, valuesTtl)
  end
  admitted[id] = ok
  return ok
end

-- The name a field or HyperLogLog is counted under, and the dimension code when its value went to "other".
local function counted(hour, name)
  local measure, d, value = string.match(name, '^(%a+)|(%a)|(.+)$')
  if not d or not limits[d] or value == 'other' or admit(hour, d, value) then return name, nil end
  return measure .. '|' .. d .. '|other', d
end

for k = 2, #KEYS do
  local ttl, hour, minute, n = ARGV[a], ARGV[a + 1], ARGV[a + 2] == '1', tonumber(ARGV[a + 3])
  a = a + 4
  for _ = 1, n do
    local name, d = counted(hour, ARGV[a])
    redis.call('HINCRBY', KEYS[k], name, ARGV[a + 1])
    -- Logins folded, counted once (minutes, not their roll-up): attempts, or failures for error codes.
    if d and minute and string.sub(name, 1, 2) == (d == 'e' and 'f|' or 'a|') then
      folded[d] = (folded[d] or 0) + tonumber(ARGV[a + 1])
    end
    a = a + 2
  end
  redis.call('EXPIRE', KEYS[k], ttl)
  n = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, n do
    local hll = KEYS[k] .. '|' .. counted(hour, ARGV[a])
    local ids = {}
    for id in string.gmatch(ARGV[a + 1], '[^\n]+') do ids[#ids + 1] = id end
    redis.call('PFADD', hll, unpack(ids))
    redis.call('EXPIRE', hll, ttl)
    a = a + 2
  end
end
local out = {}
for d, n in pairs(folded) do
  out[#out + 1] = d
  out[#out + 1] = n
end
return {1, out, first}
