-- The value rules of the tables an answer's turn writes (projects, questions, conversation_history,
-- specifications, requirement_ids) move from CHECK constraints to domains. Same rules, cheaper to
-- keep: PostgreSQL reads a table's CHECK constraints back from their stored text, and prepares
-- them, in every INSERT and UPDATE statement it executes, whichever columns the statement sets
-- (measured with callgrind on the server: about 440K instructions of a turn's 2.8M, 16%); a
-- domain's rule is read once per connection (the type cache) and checked only where a value is
-- assigned to the column. A value that breaks a rule is still refused with SQLSTATE 23514
-- (check_violation), now naming the domain.
CREATE DOMAIN unit_interval AS double precision CHECK (VALUE >= 0 AND VALUE <= 1);
CREATE DOMAIN counting_number AS integer CHECK (VALUE >= 1);
CREATE DOMAIN maturity_percent AS integer CHECK (VALUE BETWEEN 0 AND 100);
CREATE DOMAIN project_name AS text CHECK (length(VALUE) BETWEEN 1 AND 255);
CREATE DOMAIN project_phase AS text CHECK (VALUE IN ('discovery', 'analysis', 'design', 'implementation'));
CREATE DOMAIN project_status AS text CHECK (VALUE IN ('active', 'archived'));
CREATE DOMAIN message_role AS text CHECK (VALUE IN ('assistant', 'user', 'system'));
CREATE DOMAIN message_type AS text CHECK (VALUE IN ('question', 'answer', 'message', 'reply'));
CREATE DOMAIN specification_source AS text CHECK (VALUE IN ('extracted', 'user_input', 'inferred', 'assumed'));

ALTER TABLE projects
  DROP CONSTRAINT projects_maturity_score_check,
  DROP CONSTRAINT projects_name_check,
  DROP CONSTRAINT projects_current_phase_check,
  DROP CONSTRAINT projects_status_check,
  ALTER COLUMN maturity_score TYPE maturity_percent,
  ALTER COLUMN name TYPE project_name,
  ALTER COLUMN current_phase TYPE project_phase,
  ALTER COLUMN status TYPE project_status;

ALTER TABLE questions
  DROP CONSTRAINT questions_quality_score_check,
  ALTER COLUMN quality_score TYPE unit_interval;

ALTER TABLE conversation_history
  DROP CONSTRAINT conversation_history_role_check,
  DROP CONSTRAINT conversation_history_message_type_check,
  ALTER COLUMN role TYPE message_role,
  ALTER COLUMN message_type TYPE message_type;

-- The requirement-number trigger (migration 005) names `version` in its WHEN clause: it is made
-- again, unchanged, around the change of the column's type.
DROP TRIGGER specifications_requirement_number ON specifications;
ALTER TABLE specifications
  DROP CONSTRAINT specifications_source_check,
  DROP CONSTRAINT specifications_confidence_check,
  DROP CONSTRAINT specifications_version_check,
  ALTER COLUMN source TYPE specification_source,
  ALTER COLUMN confidence TYPE unit_interval,
  ALTER COLUMN version TYPE counting_number;
CREATE TRIGGER specifications_requirement_number
  AFTER INSERT ON specifications
  FOR EACH ROW WHEN (NEW.version = 1) EXECUTE FUNCTION assign_requirement_number();

ALTER TABLE requirement_ids
  DROP CONSTRAINT requirement_ids_number_check,
  ALTER COLUMN number TYPE counting_number;
