-- Claims a response id for the conversation that holds its turn (the id may sit on another slot
-- than the conversation). A claim is written once and never moved to another conversation.
-- KEYS[1] the claim. ARGV[1] nonce .. conversation id, ARGV[2] TTL (ms, 0 = none).
-- Returns 1 when the claim is this conversation's, 0 when another conversation holds it.
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then
  return 0
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1])
end
if tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
