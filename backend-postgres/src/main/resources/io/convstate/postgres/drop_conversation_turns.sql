-- convstate: removes the turn layout's tables and view, and every turn in them.
--   psql "$DATABASE_URL" -f drop_conversation_turns.sql
DROP VIEW IF EXISTS conversation_turns_states;
DROP TABLE IF EXISTS conversation_turns_conversations;
DROP TABLE IF EXISTS conversation_turns;
