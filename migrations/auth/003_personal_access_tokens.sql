-- Personal access tokens: named, long-lived credentials an account creates for the MCP server
-- (`socrates-host mcp` and /mcp), shown once and stored only as SHA-256 like refresh tokens.
-- Revoking one (revoked_at) refuses it at once; expires_at is optional (NULL: until revoked).
CREATE TABLE personal_access_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
-- The account's live tokens, newest first (GET /api/v1/auth/tokens).
CREATE INDEX personal_access_tokens_user_idx ON personal_access_tokens (user_id, created_at DESC)
  WHERE revoked_at IS NULL;
