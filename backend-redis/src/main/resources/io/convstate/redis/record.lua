-- Records one turn into its conversation, create-only, atomically.
--
-- A conversation is one hash: '.nonce', '.start' (created_at of its first turn, s), '.activity'
-- (latest recording, ms of the store's clock), '.refreshed' (server ms of the last TTL refresh of
-- its claims), and per turn X: 'h:X' header, 'i:X' input, 'o:X' output, 'm:X' metadata (when
-- any), 't:X' recorded_at (ms), 'd:X' (present once X is deleted).
-- A header is: previous id NUL owner NUL model NUL provider NUL created_at NUL #input NUL #output
-- ('' for no previous id or no owner).
--
-- KEYS[1] the conversation, KEYS[2] the activity index of its shard,
-- KEYS[3] (a first turn only) the turn's claim: same slot, as the conversation id is the turn's id.
-- ARGV[1] id, ARGV[2] previous id or '', ARGV[3] owner or '', ARGV[4] header, ARGV[5] input,
-- ARGV[6] output, ARGV[7] metadata or '', ARGV[8] now (ms), ARGV[9] retention (ms, 0 = none),
-- ARGV[10] nonce: the conversation's (from the previous turn's claim), or a fresh one for a first
-- turn, ARGV[11] conversation id, ARGV[12] created_at of the turn (s), ARGV[13] the key prefix of
-- the conversations of this shard (to prune index entries whose conversation expired).
--
-- Returns {'created', nonce, start, refreshAt|false, id...} (ids: every turn of the conversation
-- when its claims are due for a TTL refresh), {'same', nonce, start, recorded_at},
-- {'conflict'} or {'missing'}.
local conv, index = KEYS[1], KEYS[2]
local id, prev, owner, header = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local input, output, metadata, now = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local retention, nonce, cid = tonumber(ARGV[9]), ARGV[10], ARGV[11]

local function owner_of(h)
  local first = string.find(h, '\0', 1, true)
  local second = string.find(h, '\0', first + 1, true)
  return string.sub(h, first + 1, second - 1)
end

local function server_ms()
  local t = redis.call('TIME')
  return t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
end

local stored_nonce = redis.call('HGET', conv, '.nonce')
if prev == '' then
  local claim = redis.call('GET', KEYS[3])
  if claim then
    if string.sub(claim, 17) ~= cid then
      return {'conflict'}
    end
    if stored_nonce and string.sub(claim, 1, 16) ~= stored_nonce then
      return {'conflict'}
    end
  end
  if stored_nonce then
    nonce = stored_nonce
  end
else
  if stored_nonce ~= nonce then
    return {'missing'}
  end
  local p = redis.call('HMGET', conv, 'h:' .. prev, 'd:' .. prev)
  if not p[1] or p[2] or owner_of(p[1]) ~= owner then
    return {'missing'}
  end
end

local existing = redis.call('HMGET', conv, 'h:' .. id, 'i:' .. id, 'o:' .. id, 'm:' .. id, 'd:' .. id, 't:' .. id)
if existing[1] then
  if not existing[5] and existing[1] == header and existing[2] == input and existing[3] == output
      and (existing[4] or '') == metadata then
    if prev == '' then
      redis.call('SET', KEYS[3], nonce .. cid)
      if retention > 0 then
        redis.call('PEXPIRE', KEYS[3], 2 * retention)
      end
    end
    return {'same', nonce, redis.call('HGET', conv, '.start'), existing[6]}
  end
  return {'conflict'}
end

if prev == '' and not stored_nonce then
  redis.call('HSET', conv, '.nonce', nonce, '.start', ARGV[12])
end
redis.call('HSET', conv, 'h:' .. id, header, 'i:' .. id, input, 'o:' .. id, output, 't:' .. id, now)
if metadata ~= '' then
  redis.call('HSET', conv, 'm:' .. id, metadata)
end
local activity = redis.call('HGET', conv, '.activity')
if not activity or tonumber(now) > tonumber(activity) then
  redis.call('HSET', conv, '.activity', now)
  redis.call('ZADD', index, now, cid)
end

local result = {'created', nonce, redis.call('HGET', conv, '.start'), false}
if prev == '' then
  redis.call('SET', KEYS[3], nonce .. cid)
end
if retention > 0 then
  redis.call('PEXPIRE', conv, retention)
  if prev == '' then
    redis.call('PEXPIRE', KEYS[3], 2 * retention)
  end
  -- Claims live on other slots and expire after 2 x retention: refresh them all once a retention.
  local server_now = server_ms()
  local refreshed = redis.call('HGET', conv, '.refreshed')
  if not refreshed then
    redis.call('HSET', conv, '.refreshed', server_now)
  elseif tonumber(server_now) - tonumber(refreshed) > retention then
    result[4] = server_now
    for _, field in ipairs(redis.call('HKEYS', conv)) do
      if string.sub(field, 1, 2) == 'h:' then
        result[#result + 1] = string.sub(field, 3)
      end
    end
  end
  -- Prune a few index entries whose conversations expired, so the index does not grow forever.
  local stale = redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. (tonumber(now) - retention), 'LIMIT', 0, 2)
  for _, other in ipairs(stale) do
    if redis.call('EXISTS', ARGV[13] .. other) == 0 then
      redis.call('ZREM', index, other)
    end
  end
end
return result
