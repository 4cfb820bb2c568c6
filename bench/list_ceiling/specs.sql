-- GET /api/v1/projects, statement 2 of 2, on the specs database: the page of the caller's projects
-- and their total (plugins/project_manager/project_manager_agent.cpp, list), as the host runs it.
SELECT id::text AS id, name, description, owner_id::text AS owner_id, current_phase, maturity_score, status,
    rfc3339(created_at) AS created_at, rfc3339(updated_at) AS updated_at, count(*) OVER () AS total
  FROM projects WHERE owner_id = :user_id::uuid AND (:status = 'all' OR status = :status)
  ORDER BY projects.created_at DESC, projects.id DESC LIMIT :page_limit OFFSET :page_offset;
