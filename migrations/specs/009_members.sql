-- Members and roles (docs/domain.md "Members and roles").
--
-- A project's members, each with an access role: `owner` (everything, including members,
-- invitations, archiving and phase advance), `contributor` (sessions, answers, specifications,
-- conflicts, open items, plans) or `viewer` (read and export). Access to a project and to
-- everything in it comes from this table alone: a caller who is no member gets 404.
-- `domain_role` is the stakeholder's role in the domain sense ("operations", "security",
-- "product"), separate from access and optional. projects.owner_id stays the project's creator.
-- user_id refers to users.id in the auth database (no cross-database foreign key).
CREATE TABLE project_members (
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL,
  role        text NOT NULL CHECK (role IN ('owner', 'contributor', 'viewer')),
  domain_role text CHECK (domain_role IS NULL OR length(domain_role) BETWEEN 1 AND 64),
  added_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (project_id, user_id)
);

-- The caller's projects (the projects list) in one indexed lookup.
CREATE INDEX project_members_user_idx ON project_members (user_id, project_id);

-- Every existing project gets its creator as its owner.
INSERT INTO project_members (project_id, user_id, role, added_at)
SELECT id, owner_id, 'owner', created_at FROM projects;

-- Invitations by email: an owner invites with a role; the invitation is a single-use token with an
-- expiry, accepted by the invited account (its email must match, case-insensitively). Only the
-- token's SHA-256 is kept: the token itself is answered once, to the owner who invited.
CREATE TABLE invitations (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  role        text NOT NULL CHECK (role IN ('owner', 'contributor', 'viewer')),
  domain_role text CHECK (domain_role IS NULL OR length(domain_role) BETWEEN 1 AND 64),
  token_hash  text NOT NULL UNIQUE,
  created_by  uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at  timestamptz NOT NULL,
  accepted_by uuid,
  accepted_at timestamptz,
  revoked_at  timestamptz,
  CHECK ((accepted_by IS NULL) = (accepted_at IS NULL))
);

CREATE INDEX invitations_project_idx ON invitations (project_id, created_at DESC, id);
