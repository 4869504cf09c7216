-- Reads bucket hashes for the detector and /series: sums each group of ARGV[1] consecutive KEYS (one output bucket)
-- and, for every scope found, counts its users' HyperLogLogs (the union over the group). ARGV[2] = '1' when only the
-- whole app's users have HyperLogLogs (hourly roll-ups). Returns {fields, userCounts} per output bucket.
--
-- Done in Redis because the scopes are only known once the hashes are read: one round trip instead of two, and
-- thousands of PFCOUNTs without a protocol round each. PFCOUNT of one key reads Redis's cached cardinality. The
-- HyperLogLog names are derived from the declared bucket keys, so they carry the app's hash tag (one cluster slot).
local size = tonumber(ARGV[1])
local appUsersOnly = ARGV[2] == '1'
local out = {}
for first = 1, #KEYS, size do
  local last = first + size - 1
  local sums, order = {}, {}
  for k = first, last do
    local flat = redis.call('HGETALL', KEYS[k])
    for i = 1, #flat, 2 do
      local f = flat[i]
      if sums[f] == nil then
        sums[f] = 0
        order[#order + 1] = f
      end
      sums[f] = sums[f] + tonumber(flat[i + 1])
    end
  end
  local fields, users = {}, {}
  for _, f in ipairs(order) do
    fields[#fields + 1] = f
    fields[#fields + 1] = sums[f]
    local measure, scope = string.match(f, '^(%a+)(.*)$')
    local hll = (measure == 'a' and 'u' .. scope) or (measure == 'f' and 'fu' .. scope) or nil
    if hll and not (appUsersOnly and scope ~= '') then
      local names = {}
      for k = first, last do names[#names + 1] = KEYS[k] .. '|' .. hll end
      users[#users + 1] = hll
      users[#users + 1] = redis.call('PFCOUNT', unpack(names))
    end
  end
  out[#out + 1] = fields
  out[#out + 1] = users
end
return out
