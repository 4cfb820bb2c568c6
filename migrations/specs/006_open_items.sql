-- Open items: what the user said they do not know yet ("I don't know", "not sure yet"), kept as a
-- known gap of the project until a later answer resolves it or the user accepts an explicit
-- assumption for it (domain.md "Clarity and open items").

CREATE TABLE open_items (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id       uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  session_id       uuid REFERENCES sessions (id) ON DELETE SET NULL,
  question_id      uuid REFERENCES questions (id) ON DELETE SET NULL,
  category         text NOT NULL,
  -- The question as it was asked, and what the user said to it: kept as text, so an item reads
  -- the same after its session is gone.
  question         text NOT NULL,
  said             text NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'assumed')),
  -- The value the user accepted as an assumption; set exactly when the item is assumed.
  assumption       text,
  -- The specification that resolved the item, or the one its assumption was recorded as.
  specification_id uuid REFERENCES specifications (id),
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  closed_at        timestamptz,
  CHECK ((status = 'assumed') = (assumption IS NOT NULL)),
  CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX open_items_project_idx ON open_items (project_id, status, category, created_at);

-- An accepted assumption is recorded as a specification whose source says so.
ALTER TABLE specifications DROP CONSTRAINT specifications_source_check;
ALTER TABLE specifications ADD CONSTRAINT specifications_source_check
  CHECK (source IN ('extracted', 'user_input', 'inferred', 'assumed'));
