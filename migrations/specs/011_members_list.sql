-- The projects list reads a caller's memberships with their role (docs/domain.md "Members and
-- roles"): the role in the index makes that read one index-only scan.
DROP INDEX project_members_user_idx;
CREATE INDEX project_members_user_idx ON project_members (user_id, project_id) INCLUDE (role);
