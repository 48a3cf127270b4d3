-- Releases a removed conversation's claim on a response id, unless another conversation holds it.
-- KEYS[1] the claim. ARGV[1] nonce .. conversation id.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
