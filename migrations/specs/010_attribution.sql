-- Attribution (docs/domain.md "Attribution"): every answer, message, specification version,
-- conflict resolution and phase advance records the member who made it. The ids are users.id of
-- the auth database (no cross-database foreign key, as owner_id); who an id is (email, name) is
-- resolved when shown, never copied into these rows.
--
-- Each column is written by the statement that already writes its row (an interview turn pays no
-- extra statement). Rows older than this migration get their project's creator or their session's
-- owner, the only person who could write them then.

-- The person who said it: set on the user's lines (answers and direct-chat messages); the
-- assistant's questions and replies have none.
ALTER TABLE conversation_history ADD COLUMN author_id uuid;
UPDATE conversation_history h SET author_id = s.owner_id
  FROM sessions s WHERE s.id = h.session_id AND h.role = 'user';

-- Who made this version: the person whose answer or message it came from, who added, edited or
-- assumed it by hand, or who merged it resolving a conflict.
ALTER TABLE specifications ADD COLUMN author_id uuid;
UPDATE specifications sp SET author_id = COALESCE(
    (SELECT s.owner_id FROM sessions s WHERE s.id = sp.session_id),
    (SELECT p.owner_id FROM projects p WHERE p.id = sp.project_id));

-- A conflict's proposal keeps its author in `proposed` (author_id) like the rest of the candidate;
-- `between_members` is set when it is inserted: the recorded side and the proposal come from two
-- different people (else it is one person's change of mind). `resolved_by`: who decided.
ALTER TABLE conflicts ADD COLUMN between_members boolean NOT NULL DEFAULT false,
                      ADD COLUMN resolved_by uuid;
UPDATE conflicts c SET proposed = c.proposed || jsonb_build_object('author_id', COALESCE(
    (SELECT s.owner_id FROM sessions s WHERE s.id::text = c.proposed->>'session_id'),
    (SELECT p.owner_id FROM projects p WHERE p.id = c.project_id)));
UPDATE conflicts c SET resolved_by = p.owner_id
  FROM projects p WHERE p.id = c.project_id AND c.status <> 'open';

-- Who advanced the project into the baseline's phase (a baseline is written by each advance).
-- Baselines refuse updates (migration 007); the backfill is the one exception, made here.
ALTER TABLE baselines ADD COLUMN advanced_by uuid;
ALTER TABLE baselines DISABLE TRIGGER baselines_immutable;
UPDATE baselines b SET advanced_by = p.owner_id FROM projects p WHERE p.id = b.project_id;
ALTER TABLE baselines ENABLE TRIGGER baselines_immutable;

-- Who a user id is, for showing attribution: the email the host vouched for (from the access
-- token's account) the last time that person created a project, started a session, added, edited
-- or assumed a specification, resolved a conflict or advanced a phase. Accounts live in the auth
-- database, which agents never open; the host hands each request its caller's email, and this is
-- the one copy of it here (one row per person, not per attributed row). Rows written before this
-- migration show their author's id until that person acts again.
CREATE TABLE people (
  user_id    uuid PRIMARY KEY,
  email      text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
