-- Baselines and plans (docs/domain.md "Baselines", "Plans").
--
-- A baseline is the project's requirements frozen by a successful phase advance, in the advance's
-- transaction: numbered 1, 2, … per project, never changed afterwards (the trigger below refuses
-- an UPDATE; rows go only with their project). `requirements` is a JSON array of
-- {"id","category","key","value","form","statement","acceptance_criteria","specification_id","version"}.
CREATE TABLE baselines (
  project_id   uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  number       integer NOT NULL CHECK (number >= 1),
  phase        text NOT NULL,
  requirements jsonb NOT NULL CHECK (jsonb_typeof(requirements) = 'array'),
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (project_id, number)
);

CREATE FUNCTION refuse_baseline_update() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'baselines are immutable';
END
$$;

CREATE TRIGGER baselines_immutable BEFORE UPDATE ON baselines
  FOR EACH ROW EXECUTE FUNCTION refuse_baseline_update();

-- The project's plans, each kind a document with versions: the design outline (made on entering
-- design) and the task list (made on entering implementation), regenerated on request or edited;
-- the highest version is the plan. `content` is {"sections":[…]} or {"tasks":[…]}; `source` says
-- who wrote the version: the built-in engine, the LLM, or a person through the API.
CREATE TABLE plans (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('design', 'tasks')),
  version    integer NOT NULL CHECK (version >= 1),
  source     text NOT NULL CHECK (source IN ('builtin', 'llm', 'edited')),
  phase      text NOT NULL,
  content    jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (project_id, kind, version)
);
