-- Failed logins of the web application, kept for its throttling: an account or an address with
-- too many failures in the window is refused for a while (SQLite). Kept in the store so that a
-- restart does not lift a lockout.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    subject TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures(scope, subject, at);
CREATE INDEX login_failures_at ON login_failures(at);
