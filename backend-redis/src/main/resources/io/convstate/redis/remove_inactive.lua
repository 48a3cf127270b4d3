-- Removes a whole conversation when its last activity is strictly before a cutoff, deleted turns
-- included; otherwise corrects its index entry. Atomic with recording, so a turn recorded
-- concurrently either lands first (and keeps the conversation) or finds its previous one gone.
-- KEYS[1] the conversation, KEYS[2] the activity index of its shard.
-- ARGV[1] conversation id, ARGV[2] cutoff (ms).
-- Returns {number of turns removed, nonce|false, id...}.
local conv, index, cid = KEYS[1], KEYS[2], ARGV[1]
local activity = redis.call('HGET', conv, '.activity')
if not activity then
  redis.call('ZREM', index, cid)
  return {0, false}
end
if tonumber(activity) >= tonumber(ARGV[2]) then
  redis.call('ZADD', index, activity, cid)
  return {0, false}
end
local result = {0, redis.call('HGET', conv, '.nonce')}
for _, field in ipairs(redis.call('HKEYS', conv)) do
  if string.sub(field, 1, 2) == 'h:' then
    result[#result + 1] = string.sub(field, 3)
  end
end
result[1] = #result - 2
redis.call('UNLINK', conv)
redis.call('ZREM', index, cid)
return result
