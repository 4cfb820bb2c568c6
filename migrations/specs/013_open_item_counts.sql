-- A project's open items per category, kept on its row: {"performance": 2, "security": 1} (a
-- category with none is absent). Every answer needs these counts for the maturity score it
-- computes (docs/domain.md "Clarity and open items"); read beside the project's lock, they cost the
-- turn no statement of their own, where counting open_items was one more statement every turn.
-- Open items change seldom (an "I don't know", an answer that resolves one, an assumption), so
-- the trigger that keeps the counts runs seldom.
ALTER TABLE projects ADD COLUMN open_item_counts jsonb NOT NULL DEFAULT '{}';

CREATE FUNCTION project_open_item_counts(project uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT COALESCE(jsonb_object_agg(category, n), '{}')
    FROM (SELECT category, count(*) AS n FROM open_items
           WHERE project_id = project AND status = 'open' GROUP BY category) c
$$;

-- Recounted rather than adjusted by one: whatever a statement did to open_items (any writer, any
-- number of rows), the column ends equal to the count. A project being deleted has no row left to
-- update (its items are removed by the cascade after it).
CREATE FUNCTION recount_open_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE projects SET open_item_counts = project_open_item_counts(OLD.project_id) WHERE id = OLD.project_id;
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.project_id IS DISTINCT FROM OLD.project_id) THEN
    UPDATE projects SET open_item_counts = project_open_item_counts(NEW.project_id) WHERE id = NEW.project_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER open_items_recount
  AFTER INSERT OR DELETE OR UPDATE OF status, category, project_id ON open_items
  FOR EACH ROW EXECUTE FUNCTION recount_open_items();

-- Existing projects: their counts so far.
UPDATE projects p SET open_item_counts = project_open_item_counts(p.id)
 WHERE EXISTS (SELECT 1 FROM open_items o WHERE o.project_id = p.id AND o.status = 'open');
