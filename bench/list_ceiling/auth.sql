-- GET /api/v1/projects, statement 1 of 2, on the auth database: the access token's login is not
-- revoked and its account is active (host/auth/account_service.cpp). pgbench -M prepared runs it as
-- the host does: prepared, generic plan, text parameters.
SELECT u.role, u.status, u.email, l.revoked_at IS NOT NULL AS revoked FROM logins l
  JOIN users u ON u.id = l.user_id WHERE l.id = :login_id::uuid AND u.id = :user_id::uuid;
