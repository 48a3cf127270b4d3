-- Deletes a response: marks its turn deleted (a tombstone) so that it reads as absent, cannot be
-- continued and its id stays taken, while the turns that continue it keep their history.
-- Not activity: neither the conversation's activity nor its TTL changes.
-- KEYS[1] the conversation. ARGV[1] id, ARGV[2] owner or '', ARGV[3] the conversation's nonce.
-- Returns 1 when a readable response was deleted, else 0.
local conv, id = KEYS[1], ARGV[1]
if redis.call('HGET', conv, '.nonce') ~= ARGV[3] then
  return 0
end
local own = redis.call('HMGET', conv, 'h:' .. id, 'd:' .. id)
if not own[1] or own[2] then
  return 0
end
local first = string.find(own[1], '\0', 1, true)
local second = string.find(own[1], '\0', first + 1, true)
if string.sub(own[1], first + 1, second - 1) ~= ARGV[2] then
  return 0
end
redis.call('HSET', conv, 'd:' .. id, '1')
return 1
