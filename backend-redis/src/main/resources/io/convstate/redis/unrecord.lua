-- Takes back a turn that this call recorded but whose id another conversation had claimed: the
-- turn was never readable. Removes it only if it is still the one written (same header and time).
-- KEYS[1] the conversation. ARGV[1] id, ARGV[2] header, ARGV[3] recorded_at (ms).
local conv, id = KEYS[1], ARGV[1]
local stored = redis.call('HMGET', conv, 'h:' .. id, 't:' .. id)
if stored[1] == ARGV[2] and stored[2] == ARGV[3] then
  redis.call('HDEL', conv, 'h:' .. id, 'i:' .. id, 'o:' .. id, 'm:' .. id, 'd:' .. id, 't:' .. id)
  return 1
end
return 0
