-- Whom each LLM call served: the user whose request made it and the project the agent made it for
-- (NULL when there was none, and in rows written before this migration). The per-user daily limit
-- (LLM_DAILY_CALLS_PER_USER) counts one user's rows since UTC midnight through the index, on every
-- host alike.
ALTER TABLE llm_usage ADD COLUMN user_id uuid, ADD COLUMN project_id uuid;
CREATE INDEX llm_usage_user_day_idx ON llm_usage (user_id, created_at) WHERE user_id IS NOT NULL;
