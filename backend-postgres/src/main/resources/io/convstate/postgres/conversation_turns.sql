-- convstate: the turn layout (layout=turns, the default). Safe to run more than once.
--   psql "$DATABASE_URL" -f conversation_turns.sql
-- conversation_turns holds one row per response with only that turn's items; a history is the
-- chain of previous_response_id from a response to its conversation's first turn (depth 1).
-- conversation_turns_conversations holds each conversation's last activity, for cleanup.
-- recorded_at and last_activity hold UTC wall-clock time written by the store from its clock:
-- compare them with (NOW() AT TIME ZONE 'UTC'), not NOW().
-- A deleted response is a tombstone (deleted = true): unreadable, but still part of the
-- histories that continue it. Cleanup removes whole conversations (convstate cleanup).
CREATE TABLE IF NOT EXISTS conversation_turns (
    response_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    previous_response_id TEXT,
    depth INTEGER NOT NULL,
    owner TEXT,
    input_items JSONB NOT NULL,
    output_items JSONB NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    conversation_created_at BIGINT NOT NULL,
    metadata JSONB,
    recorded_at TIMESTAMP NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX IF NOT EXISTS idx_conversation_turns_conversation_id ON conversation_turns (conversation_id);

-- lz4 compresses and decompresses faster than the default pglz, and compressed these items a
-- little better (see conversation_states.sql). Needs PostgreSQL 14 built with lz4.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    EXECUTE 'ALTER TABLE conversation_turns ALTER COLUMN input_items SET COMPRESSION lz4,'
        ' ALTER COLUMN output_items SET COMPRESSION lz4';
  END IF;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: the item columns keep the default compression';
END
$$;

CREATE TABLE IF NOT EXISTS conversation_turns_conversations (
    conversation_id TEXT PRIMARY KEY,
    last_activity TIMESTAMP NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_conversation_turns_conversations_last_activity
    ON conversation_turns_conversations (last_activity);

-- A read-only view shaped like the seed's conversation_states table (response_id, input_items as
-- the whole history, created_at as the conversation's start, model, provider, updated_at), plus
-- owner: for the seed's verification queries and for tools that only read. One row per readable
-- response; input_items is assembled on read, so select it by response_id.
CREATE OR REPLACE VIEW conversation_turns_states AS
SELECT t.response_id,
       (WITH RECURSIVE chain AS (
            SELECT t.response_id, t.previous_response_id, t.depth
            UNION ALL
            SELECT p.* FROM chain c CROSS JOIN LATERAL (
                SELECT a.response_id, a.previous_response_id, a.depth FROM conversation_turns a
                WHERE a.response_id = c.previous_response_id LIMIT 1) AS p)
        SELECT coalesce(jsonb_agg(i.item ORDER BY c.depth, i.part, i.position), '[]'::jsonb)
        FROM chain c
        JOIN conversation_turns a ON a.response_id = c.response_id
        CROSS JOIN LATERAL (
            SELECT 1, e, n FROM jsonb_array_elements(a.input_items) WITH ORDINALITY AS x (e, n)
            UNION ALL
            SELECT 2, e, n FROM jsonb_array_elements(a.output_items) WITH ORDINALITY AS y (e, n)
        ) AS i (part, item, position)) AS input_items,
       t.conversation_created_at AS created_at,
       t.model,
       t.provider,
       t.recorded_at AS updated_at,
       t.owner
FROM conversation_turns t
WHERE NOT t.deleted;
