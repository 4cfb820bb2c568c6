-- questions.recorded_categories (migration 012) is kept by the writers of specifications instead
-- of a trigger: an answer writes the categories of what it recorded in the statement that marks
-- its question answered, and a specification written later with a question (a conflict resolved
-- with the answer's value) appends its own (libs/dialogue, write_version). The trigger updated
-- the question's row once more for every specification an answer recorded, after the answer had
-- just updated it; an answer records one specification or more on most turns.
DROP TRIGGER specifications_note_recorded_category ON specifications;
DROP FUNCTION note_recorded_category();
