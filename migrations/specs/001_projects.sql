-- Projects. owner_id refers to users.id in the auth database (no cross-database foreign key).

CREATE FUNCTION rfc3339(ts timestamptz) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE TABLE projects (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id       uuid NOT NULL,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  description    text NOT NULL DEFAULT '',
  current_phase  text NOT NULL DEFAULT 'discovery'
                   CHECK (current_phase IN ('discovery', 'analysis', 'design', 'implementation')),
  maturity_score integer NOT NULL DEFAULT 0 CHECK (maturity_score BETWEEN 0 AND 100),
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- The list endpoint: one owner's projects of one status, newest first.
CREATE INDEX projects_owner_status_created_idx ON projects (owner_id, status, created_at DESC, id DESC);
