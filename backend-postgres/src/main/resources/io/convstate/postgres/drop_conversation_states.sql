-- convstate: removes the conversation_states table, its indexes and every state in it.
--   psql "$DATABASE_URL" -f drop_conversation_states.sql
DROP TABLE IF EXISTS conversation_states;
