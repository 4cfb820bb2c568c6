-- Requirements (docs/domain.md "Requirements"): each (project, category, key) gets its requirement
-- number once, when its first version is written, and keeps it for ever: across versions, deletes
-- (a deleted specification's row stays here) and re-adds of the same key. Numbers count per
-- project and category; the ID shown is the category's prefix from requirement_templates.json and
-- the number ("PERF-003"). Rows are never deleted or updated (only with their project), so a
-- number is never given twice: max + 1 only grows.
CREATE TABLE requirement_ids (
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  category    text NOT NULL,
  key         text NOT NULL,
  number      integer NOT NULL CHECK (number >= 1),
  assigned_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (project_id, category, key),
  UNIQUE (project_id, category, number)
);

-- Assigned by the database in the statement that writes the specification, so that every path that
-- writes one (answers, messages, manual create and edit, conflict resolution, and any added later)
-- numbers it in the same transaction at no extra round trip. Every such path holds its project's
-- row lock, so two numberings of one project never race; if one ever did, the UNIQUE constraint
-- would refuse the second rather than hand out a number twice.
CREATE FUNCTION assign_requirement_number() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO requirement_ids (project_id, category, key, number)
  SELECT NEW.project_id, NEW.category, NEW.key, COALESCE(max(r.number), 0) + 1
    FROM requirement_ids r WHERE r.project_id = NEW.project_id AND r.category = NEW.category
  ON CONFLICT (project_id, category, key) DO NOTHING;
  RETURN NULL;
END
$$;

-- Only a key's first version can lack a number: a later version (versions count across deletes, so
-- a re-added key's is too) has one, so the trigger is not even called for it.
CREATE TRIGGER specifications_requirement_number
  AFTER INSERT ON specifications
  FOR EACH ROW WHEN (NEW.version = 1) EXECUTE FUNCTION assign_requirement_number();

-- Existing specifications: numbered in the order their keys were first written.
INSERT INTO requirement_ids (project_id, category, key, number, assigned_at)
SELECT project_id, category, key,
       row_number() OVER (PARTITION BY project_id, category ORDER BY min(created_at), key),
       min(created_at)
  FROM specifications GROUP BY project_id, category, key;

-- A statement reworded by the LLM (POST .../requirements/reword), for one version of a
-- specification: a new version has none and shows the template's statement until reworded again.
CREATE TABLE requirement_statements (
  specification_id uuid PRIMARY KEY REFERENCES specifications (id) ON DELETE CASCADE,
  statement        text NOT NULL CHECK (length(statement) BETWEEN 1 AND 2000),
  reworded_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
