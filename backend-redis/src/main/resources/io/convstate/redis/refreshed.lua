-- Notes that a conversation's claims were given a new TTL at a server time, unless the
-- conversation is gone meanwhile (writing to it then would make a hash with no TTL).
-- KEYS[1] the conversation. ARGV[1] the server time of the refresh (ms).
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], '.refreshed', ARGV[1])
  return 1
end
return 0
