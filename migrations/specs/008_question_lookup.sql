-- The specifications an answer recorded, found by their question: the question planner reads the
-- recorded categories of a project's latest questions before each question (docs/domain.md "Choosing
-- and generating the next question"), one index lookup per question instead of a scan of the project's
-- specifications. Only rows that came from an answer have a question.
CREATE INDEX specifications_question_idx ON specifications (question_id) WHERE question_id IS NOT NULL;
