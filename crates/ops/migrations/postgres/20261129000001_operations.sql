-- The operations store: counties, assets, meters, readings, daily volumes and plans (PostgreSQL).
CREATE TABLE counties (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_zh TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('city', 'district', 'county', 'county_city'))
);

CREATE TABLE assets (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('outlet', 'pipeline', 'well', 'office', 'station', 'plant',
                                       'release', 'site', 'zone')),
    name TEXT NOT NULL,
    name_zh TEXT,
    county_code TEXT REFERENCES counties(code) DEFERRABLE INITIALLY DEFERRED,
    epanet_id TEXT,
    looked_after_by TEXT REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    fed_from TEXT REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    length_m DOUBLE PRECISION,
    diameter_mm DOUBLE PRECISION,
    material TEXT,
    design_flow_m3s DOUBLE PRECISION,
    well_type TEXT,
    capacity_m3_per_day DOUBLE PRECISION,
    places_served TEXT,
    people_served BIGINT,
    area_km2 DOUBLE PRECISION,
    zone_class TEXT,
    geometry TEXT
);
CREATE INDEX assets_kind ON assets(kind);

CREATE TABLE meters (
    code TEXT PRIMARY KEY,
    asset_code TEXT NOT NULL REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    point TEXT NOT NULL CHECK (point IN ('outlet', 'plant_intake', 'ecological_release')),
    reading_kind TEXT NOT NULL CHECK (reading_kind IN ('totaliser', 'flow_rate')),
    rollover_m3 DOUBLE PRECISION,
    max_gap_s BIGINT NOT NULL
);

CREATE TABLE meter_uses (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    use_kind TEXT NOT NULL CHECK (use_kind IN ('domestic', 'industrial', 'ecological', 'agricultural')),
    share DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (meter_code, use_kind)
);

CREATE TABLE readings (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    read_at BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (meter_code, read_at)
);

CREATE TABLE meter_replacements (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    replaced_at BIGINT NOT NULL,
    old_final_m3 DOUBLE PRECISION NOT NULL,
    new_initial_m3 DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (meter_code, replaced_at)
);

CREATE TABLE daily_volumes (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    day BIGINT NOT NULL,
    volume_m3 DOUBLE PRECISION NOT NULL,
    estimated BIGINT NOT NULL,
    PRIMARY KEY (meter_code, day)
);

CREATE TABLE plans (
    asset_code TEXT NOT NULL REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    water_year BIGINT NOT NULL,
    month BIGINT NOT NULL CHECK (month BETWEEN 0 AND 12),
    volume_m3 DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (asset_code, water_year, month)
);
