-- convstate: the conversation_states table. Safe to run more than once.
--   psql "$DATABASE_URL" -f conversation_states.sql
-- updated_at holds UTC wall-clock time, written by the store from its own clock. Compare it with
-- (NOW() AT TIME ZONE 'UTC'), not NOW(), whatever the server's TimeZone:
--   DELETE FROM conversation_states WHERE updated_at < (NOW() AT TIME ZONE 'UTC') - INTERVAL '7 days';
CREATE TABLE IF NOT EXISTS conversation_states (
    response_id TEXT PRIMARY KEY,
    input_items JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX IF NOT EXISTS idx_conversation_states_created_at ON conversation_states (created_at);
CREATE INDEX IF NOT EXISTS idx_conversation_states_provider ON conversation_states (provider);
CREATE INDEX IF NOT EXISTS idx_conversation_states_updated_at ON conversation_states (updated_at);
