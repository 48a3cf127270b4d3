-- Reads a response's turn, or its whole history by walking parent pointers, in one call.
-- KEYS[1] the conversation. ARGV[1] id, ARGV[2] owner or '', ARGV[3] the conversation's nonce
-- (from the id's claim), ARGV[4] '1' for the whole history, '0' for the turn alone.
-- Returns {} when the response is absent, deleted or another owner's; else
-- {start, id, header, input, output, metadata|false, recorded_at, ...} from the response back to
-- the conversation's first turn.
local conv, id, owner = KEYS[1], ARGV[1], ARGV[2]
if redis.call('HGET', conv, '.nonce') ~= ARGV[3] then
  return {}
end
local own = redis.call('HMGET', conv, 'h:' .. id, 'd:' .. id)
if not own[1] or own[2] then
  return {}
end
local first = string.find(own[1], '\0', 1, true)
local second = string.find(own[1], '\0', first + 1, true)
if string.sub(own[1], first + 1, second - 1) ~= owner then
  return {}
end
local result = {redis.call('HGET', conv, '.start')}
local turns = 0
while true do
  local t = redis.call('HMGET', conv, 'h:' .. id, 'i:' .. id, 'o:' .. id, 'm:' .. id, 't:' .. id)
  if not t[1] then
    return redis.error_reply('ERR convstate: a history misses turn ' .. id)
  end
  result[#result + 1] = id
  for i = 1, 5 do
    result[#result + 1] = t[i]
  end
  local previous = string.sub(t[1], 1, string.find(t[1], '\0', 1, true) - 1)
  turns = turns + 1
  if ARGV[4] ~= '1' or previous == '' then
    return result
  end
  if turns > 10000000 then
    return redis.error_reply('ERR convstate: a history loops at turn ' .. id)
  end
  id = previous
end
