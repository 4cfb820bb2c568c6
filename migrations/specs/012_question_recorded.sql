-- What each question's answer recorded, kept on the question: the categories of the
-- specifications that came from it, in the order they were written, comma-separated. The question
-- planner reads them for a project's latest questions before each question (docs/domain.md
-- "Choosing and generating the next question"); kept here by a trigger, that read is one index
-- range of the project's questions instead of a lookup into specifications per question (measured
-- with PG_STATS=1 bash bench/bench.sh: the planner's read went from 182 to 102 µs of execution a
-- turn; the trigger costs 23 µs per recorded specification).
ALTER TABLE questions ADD COLUMN recorded_categories text NOT NULL DEFAULT '';

CREATE FUNCTION note_recorded_category() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE questions
     SET recorded_categories = CASE WHEN recorded_categories = '' THEN NEW.category
                                    ELSE recorded_categories || ',' || NEW.category END
   WHERE id = NEW.question_id;
  RETURN NULL;
END
$$;

-- Every writer of a specification with a question (an answer's extraction, a conflict resolved
-- with the answer's value) is seen, whatever agent wrote it.
CREATE TRIGGER specifications_note_recorded_category
  AFTER INSERT ON specifications
  FOR EACH ROW WHEN (NEW.question_id IS NOT NULL) EXECUTE FUNCTION note_recorded_category();

-- Existing questions: what their answers recorded so far.
UPDATE questions q
   SET recorded_categories = r.categories
  FROM (SELECT question_id, string_agg(category, ',' ORDER BY created_at, id) AS categories
          FROM specifications WHERE question_id IS NOT NULL GROUP BY question_id) r
 WHERE r.question_id = q.id;

-- Migration 008's index served only the lookups this column replaces; it would cost every new
-- specification an index entry for nothing.
DROP INDEX specifications_question_idx;
