-- Throttling by client address as well as by account, and expiry of old logins.
--
-- Failed logins now count per (email, client address): an attacker failing on a victim's email
-- locks out only their own address, and the owner still gets in from theirs. Only when many
-- addresses fail on one email (a distributed attack) is the email locked for every address
-- (account_locks). The old per-email counters are only counters: they are dropped, not migrated.
DROP TABLE login_attempts;

CREATE TABLE login_attempts (
  email_key         text NOT NULL,
  address           text NOT NULL,
  failures          integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL DEFAULT now(),
  locked_until      timestamptz,
  PRIMARY KEY (email_key, address)
);

CREATE TABLE account_locks (
  email_key    text PRIMARY KEY,
  locked_until timestamptz NOT NULL
);

-- Authentication failures per client address, whatever the account.
CREATE TABLE address_throttles (
  address           text PRIMARY KEY,
  failures          integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL DEFAULT now(),
  locked_until      timestamptz
);

-- For the periodic deletion of expired rows.
CREATE INDEX logins_created_at_idx ON logins (created_at);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);
