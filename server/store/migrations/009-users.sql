-- Web logins (issue 6): people with a password, on the same roles as API keys, and their sessions.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  display_name  TEXT    NOT NULL,
  role          TEXT    NOT NULL CHECK (role IN ('admin', 'viewer', 'vendor')),
  services      TEXT    CHECK (services IS NULL OR json_valid(services)),  -- vendor: the service classes it may see
  password_hash TEXT    NOT NULL,                                          -- scrypt$N$r$p$salt$hash (passwords.ts)
  created_at    INTEGER NOT NULL,
  disabled_at   INTEGER,
  last_login_at INTEGER
) STRICT;

-- The cookie holds a random 256-bit token; only its SHA-256 is stored, so a copy of the database cannot
-- be used to log in. The CSRF token is bound to the session (synchronizer token pattern).
CREATE TABLE web_sessions (
  token_hash   TEXT    PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  ip           TEXT,
  user_agent   TEXT
) STRICT;
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
