-- Other users' finished interviews, inserted into the specs database before the scenarios run:
-- what a deployment that has been in use holds. Each scenario starts on vacuumed, analysed tables
-- (bench/bench.sh), so the planner's statistics describe tables of a realistic size. Without them
-- the interview tables hold a few hundred seeded rows when analysed, the planner rightly picks
-- sequential scans for tables that small, and the turns then grow them forty-fold within seconds:
-- measured, PostgreSQL's CPU per turn rose from about 1.0 ms to 2.6-2.9 ms.
-- Each project has its own owner (and member), as in a deployment with many users: one owner holding them all
-- would tell the planner that a user's projects are a large share of the table.
--   psql URL -v projects=N -f bench/background.sql   (N projects, each with a completed session of
--   20 answered questions, their history lines, 10 specifications, and two "I don't know"s: one
--   open item still open, one resolved. Without them open_items is empty when analysed, and every
--   turn's count of a project's open items was a sequential scan of all of them, measured: 4,792
--   scans reading 1.24 M rows in an 8 s run)
WITH p AS (
  INSERT INTO projects (owner_id, name, description, maturity_score)
  SELECT gen_random_uuid(), 'background project ' || g, 'a finished interview', 40
  FROM generate_series(1, :projects) g
  RETURNING id, owner_id
), m AS (
  INSERT INTO project_members (project_id, user_id, role) SELECT id, owner_id, 'owner' FROM p
), s AS (
  INSERT INTO sessions (project_id, owner_id, status, ended_at)
  SELECT id, owner_id, 'completed', clock_timestamp() FROM p
  RETURNING id, project_id
), q AS (
  INSERT INTO questions (session_id, project_id, text, category, context, quality_score, answered, answered_at)
  SELECT s.id, s.project_id, 'What does the background question ' || g || ' ask?', 'goals', 'background', 0.9, true,
         clock_timestamp()
  FROM s, generate_series(1, 20) g
  RETURNING id, session_id
), o AS (
  INSERT INTO open_items (project_id, session_id, category, question, said, status, closed_at)
  SELECT s.project_id, s.id, 'goals', 'What does the background question ' || g || ' ask?', 'I don''t know',
         CASE WHEN g = 1 THEN 'open' ELSE 'resolved' END, CASE WHEN g = 1 THEN NULL ELSE clock_timestamp() END
  FROM s, generate_series(1, 2) g
), h AS (
  INSERT INTO conversation_history (session_id, role, content, message_type, question_id)
  SELECT session_id, role, content, message_type, id
  FROM q, (VALUES ('assistant', 'the question', 'question'), ('user', 'the answer', 'answer')) AS line (role, content, message_type)
)
INSERT INTO specifications (project_id, category, key, value, source, confidence, session_id)
SELECT s.project_id, 'goals', 'background_' || g, 'background value ' || g, 'extracted', 0.8, s.id
FROM s, generate_series(1, 10) g;
