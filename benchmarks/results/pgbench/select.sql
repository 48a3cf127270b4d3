\set id random(0, 999)
SELECT input_items::text, jsonb_array_length(input_items), created_at, model, provider, updated_at FROM bench_pgbench.conversation_states WHERE response_id = 'resp_' || :id;
