-- Two costs of an answer's turn, each measured with pg_stat_statements.
--
-- questions.recorded_categories (migration 012) is kept by the writers of specifications instead
-- of a trigger: an answer writes the categories of what it recorded in the statement that marks
-- its question answered, and a specification written later with a question (a conflict resolved
-- with the answer's value) appends its own (libs/dialogue, write_version). The trigger updated
-- the question's row once more for every specification an answer recorded, after the answer had
-- just updated it; an answer records one specification or more on most turns.
DROP TRIGGER specifications_note_recorded_category ON specifications;
DROP FUNCTION note_recorded_category();

-- The open-item recount (migration 013) in PL/pgSQL: a SQL function called from another statement
-- is planned again at every call (measured with pg_stat_statements: 115 µs of planning per
-- recount), where PL/pgSQL keeps its plan for the connection's life.
CREATE OR REPLACE FUNCTION project_open_item_counts(project uuid) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT COALESCE(jsonb_object_agg(category, n), '{}')
            FROM (SELECT category, count(*) AS n FROM open_items
                   WHERE project_id = project AND status = 'open' GROUP BY category) c);
END
$$;
