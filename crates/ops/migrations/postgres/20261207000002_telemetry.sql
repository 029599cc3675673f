-- Telemetry: the tag register, the points as they arrive, their rollups over 1 min, 15 min and
-- 1 h (kept up to date in the transaction that stores the points) and each tag's latest point.
-- Times are seconds of local station time, as everywhere in the store. Points refer to their tag by
-- a number: a key of two integers keeps the largest table small and fast to insert into.
CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    asset_code TEXT REFERENCES assets(code),
    element_kind TEXT CHECK (element_kind IN ('outlet', 'gate', 'chainage', 'plant', 'tank',
        'pipe', 'pump', 'valve', 'analyser', 'junction', 'reservoir')),
    element_id TEXT,
    interval_s BIGINT NOT NULL DEFAULT 60 CHECK (interval_s > 0),
    retention_days BIGINT CHECK (retention_days IS NULL OR retention_days > 0),
    low_low DOUBLE PRECISION,
    low DOUBLE PRECISION,
    high DOUBLE PRECISION,
    high_high DOUBLE PRECISION,
    rate_limit_per_minute DOUBLE PRECISION
);

CREATE TABLE points (
    tag_id BIGINT NOT NULL REFERENCES tags(id),
    at BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    quality BIGINT NOT NULL CHECK (quality IN (0, 1, 2)),
    PRIMARY KEY (tag_id, at)
);

CREATE TABLE point_rollups (
    tag_id BIGINT NOT NULL REFERENCES tags(id),
    step_s BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    count BIGINT NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    minimum DOUBLE PRECISION NOT NULL,
    maximum DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tag_id, step_s, bucket)
);

CREATE TABLE tag_latest (
    tag_id BIGINT PRIMARY KEY REFERENCES tags(id),
    at BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    quality BIGINT NOT NULL
);
