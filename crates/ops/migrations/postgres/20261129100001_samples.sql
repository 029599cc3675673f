-- Water-quality monitoring sites and the sample register (PostgreSQL).
-- Values are stored in the unit of the standard's limits (converted on entry); the lab's own
-- value and unit are kept beside them.
CREATE TABLE monitoring_sites (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    water_body TEXT NOT NULL CHECK (water_body IN ('river', 'lake')),
    target_class TEXT NOT NULL CHECK (target_class IN ('I', 'II', 'III', 'IV', 'V')),
    asset_code TEXT REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE samples (
    site_code TEXT NOT NULL REFERENCES monitoring_sites(code) DEFERRABLE INITIALLY DEFERRED,
    sampled_at TEXT NOT NULL,
    item TEXT NOT NULL,
    value DOUBLE PRECISION,
    unit TEXT NOT NULL,
    detection_limit DOUBLE PRECISION,
    below_detection INTEGER NOT NULL CHECK (below_detection IN (0, 1)),
    reported_value TEXT NOT NULL,
    reported_unit TEXT NOT NULL,
    method TEXT,
    CHECK ((below_detection = 1 AND detection_limit IS NOT NULL) OR (below_detection = 0 AND value IS NOT NULL)),
    PRIMARY KEY (site_code, sampled_at, item)
);
CREATE INDEX samples_item ON samples(item, site_code, sampled_at);
