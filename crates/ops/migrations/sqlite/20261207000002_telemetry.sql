-- Telemetry: the tag register, the points as they arrive, their rollups over 1 min, 15 min and
-- 1 h (kept up to date in the transaction that stores the points) and each tag's latest point.
-- Times are seconds of local station time, as everywhere in the store. Points refer to their tag by
-- a number: a key of two integers keeps the largest table small and fast to insert into.
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    asset_code TEXT REFERENCES assets(code),
    element_kind TEXT CHECK (element_kind IN ('outlet', 'gate', 'chainage', 'plant', 'tank',
        'pipe', 'pump', 'valve', 'analyser', 'junction', 'reservoir')),
    element_id TEXT,
    interval_s INTEGER NOT NULL DEFAULT 60 CHECK (interval_s > 0),
    retention_days INTEGER CHECK (retention_days IS NULL OR retention_days > 0),
    low_low REAL,
    low REAL,
    high REAL,
    high_high REAL,
    rate_limit_per_minute REAL
);

CREATE TABLE points (
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    at INTEGER NOT NULL,
    value REAL NOT NULL,
    quality INTEGER NOT NULL CHECK (quality IN (0, 1, 2)),
    PRIMARY KEY (tag_id, at)
) WITHOUT ROWID;

CREATE TABLE point_rollups (
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    step_s INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    total REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    PRIMARY KEY (tag_id, step_s, bucket)
) WITHOUT ROWID;

CREATE TABLE tag_latest (
    tag_id INTEGER PRIMARY KEY REFERENCES tags(id),
    at INTEGER NOT NULL,
    value REAL NOT NULL,
    quality INTEGER NOT NULL
);
