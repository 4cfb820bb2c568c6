-- One row per LLM call, success or failure: who asked for what, how long it took, what it cost in
-- tokens and how it ended. GET /api/v1/admin/stats counts today's rows as llm_calls_today.
CREATE TABLE llm_usage (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider      text NOT NULL,
  model         text NOT NULL,
  purpose       text NOT NULL DEFAULT '',
  input_tokens  bigint NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  latency_ms    bigint NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
  attempts      integer NOT NULL DEFAULT 1 CHECK (attempts >= 0),
  ok            boolean NOT NULL,
  error_code    text CHECK (ok OR error_code IS NOT NULL),
  http_status   integer,
  request_id    text,
  agent         text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_usage_created_at_idx ON llm_usage (created_at);
