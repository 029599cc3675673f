-- Alarms of telemetry tags (PostgreSQL): each tag's deadband (in the tag's unit) and stale factor
-- (a tag is stale after interval_s × stale_factor without a point); the alarms raised, one row per
-- occurrence, with their ISA-18.2 state; and the people on duty who are told of new alarms.
-- Times are seconds of local station time, as everywhere in the store.
ALTER TABLE tags ADD COLUMN deadband DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (deadband >= 0);
ALTER TABLE tags ADD COLUMN stale_factor DOUBLE PRECISION NOT NULL DEFAULT 3 CHECK (stale_factor >= 1);

CREATE TABLE alarms (
    id BIGSERIAL PRIMARY KEY,
    tag_id BIGINT NOT NULL REFERENCES tags(id),
    kind TEXT NOT NULL CHECK (kind IN ('high_high', 'high', 'low', 'low_low', 'rate', 'stale')),
    priority BIGINT NOT NULL CHECK (priority IN (1, 2, 3)),
    state TEXT NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared_unacknowledged', 'closed')),
    raised_at BIGINT NOT NULL,
    value DOUBLE PRECISION,
    limit_value DOUBLE PRECISION,
    cleared_at BIGINT,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    note TEXT,
    shelved_until BIGINT,
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
    on_duty BIGINT NOT NULL DEFAULT 1 CHECK (on_duty IN (0, 1))
);
