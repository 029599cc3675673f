-- Alarms of telemetry tags (SQLite): each tag's deadband (in the tag's unit) and stale factor
-- (a tag is stale after interval_s × stale_factor without a point); the alarms raised, one row per
-- occurrence, with their ISA-18.2 state; and the people on duty who are told of new alarms.
-- Times are seconds of local station time, as everywhere in the store.
ALTER TABLE tags ADD COLUMN deadband REAL NOT NULL DEFAULT 0 CHECK (deadband >= 0);
ALTER TABLE tags ADD COLUMN stale_factor REAL NOT NULL DEFAULT 3 CHECK (stale_factor >= 1);

CREATE TABLE alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    kind TEXT NOT NULL CHECK (kind IN ('high_high', 'high', 'low', 'low_low', 'rate', 'stale')),
    priority INTEGER NOT NULL CHECK (priority IN (1, 2, 3)),
    state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared_unacknowledged', 'closed')),
    raised_at INTEGER NOT NULL,
    value REAL,
    limit_value REAL,
    cleared_at INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    note TEXT,
    shelved_until INTEGER,
    shelved_by TEXT,
    CHECK ((state IN ('active', 'acknowledged')) = (cleared_at IS NULL)),
    CHECK ((state IN ('acknowledged', 'closed')) = (acknowledged_at IS NOT NULL))
);
-- One standing (not yet cleared) alarm per tag and condition.
CREATE UNIQUE INDEX alarms_standing ON alarms(tag_id, kind) WHERE cleared_at IS NULL;
CREATE INDEX alarms_listed ON alarms(state, raised_at);
CREATE INDEX alarms_shelved ON alarms(shelved_until) WHERE shelved_until IS NOT NULL;

CREATE TABLE alarm_recipients (
    username TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
    email TEXT NOT NULL,
    on_duty INTEGER NOT NULL DEFAULT 1 CHECK (on_duty IN (0, 1))
);
