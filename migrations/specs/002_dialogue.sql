-- The Socratic dialogue: sessions, their questions and conversation, versioned specifications and
-- the conflicts between them. owner_id refers to users.id in the auth database.

CREATE TABLE sessions (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  owner_id   uuid NOT NULL,
  mode       text NOT NULL DEFAULT 'socratic' CHECK (mode IN ('socratic', 'direct_chat')),
  status     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed')),
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ended_at   timestamptz
);
CREATE INDEX sessions_project_idx ON sessions (project_id, started_at DESC);

CREATE TABLE questions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id    uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  project_id    uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  text          text NOT NULL,
  category      text NOT NULL,
  context       text NOT NULL DEFAULT '',
  quality_score double precision NOT NULL CHECK (quality_score BETWEEN 0 AND 1),
  answered      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  answered_at   timestamptz
);
CREATE INDEX questions_session_idx ON questions (session_id, created_at);
CREATE INDEX questions_project_idx ON questions (project_id, created_at);
-- At most one question waits for its answer in a session.
CREATE UNIQUE INDEX questions_one_pending_idx ON questions (session_id) WHERE NOT answered;

CREATE TABLE specifications (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id    uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  category      text NOT NULL,
  key           text NOT NULL,
  value         text NOT NULL,
  source        text NOT NULL CHECK (source IN ('extracted', 'user_input', 'inferred')),
  confidence    double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  question_id   uuid REFERENCES questions (id) ON DELETE SET NULL,
  session_id    uuid REFERENCES sessions (id) ON DELETE SET NULL,
  version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  is_current    boolean NOT NULL DEFAULT true,
  superseded_by uuid REFERENCES specifications (id),
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  removed_at    timestamptz
);
-- One current value per slot of a project; history keeps the rest.
CREATE UNIQUE INDEX specifications_current_slot_idx ON specifications (project_id, category, key) WHERE is_current;
CREATE INDEX specifications_project_idx ON specifications (project_id, category, created_at);

CREATE TABLE conversation_history (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id   uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  role         text NOT NULL CHECK (role IN ('assistant', 'user', 'system')),
  content      text NOT NULL,
  message_type text NOT NULL CHECK (message_type IN ('question', 'answer', 'message', 'reply')),
  question_id  uuid REFERENCES questions (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX conversation_history_session_idx ON conversation_history (session_id, created_at, id);

CREATE TABLE conflicts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (type IN ('contradiction', 'inconsistency')),
  severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'ignored')),
  description text NOT NULL,
  existing_id uuid NOT NULL REFERENCES specifications (id),
  -- The candidate in full ({category, key, value, confidence, source, question_id, session_id}):
  -- it is never lost, whatever the resolution.
  proposed    jsonb NOT NULL,
  resolution  text CHECK (resolution IN ('keep_existing', 'use_proposed', 'merge', 'ignore')),
  notes       text,
  detected_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  resolved_at timestamptz
);
CREATE INDEX conflicts_project_idx ON conflicts (project_id, status, detected_at DESC);
