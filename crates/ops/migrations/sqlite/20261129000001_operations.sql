-- The operations store: counties, assets, meters, readings, daily volumes and plans (SQLite).
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
    length_m REAL,
    diameter_mm REAL,
    material TEXT,
    design_flow_m3s REAL,
    well_type TEXT,
    capacity_m3_per_day REAL,
    places_served TEXT,
    people_served INTEGER,
    area_km2 REAL,
    zone_class TEXT,
    geometry TEXT
);
CREATE INDEX assets_kind ON assets(kind);

CREATE TABLE meters (
    code TEXT PRIMARY KEY,
    asset_code TEXT NOT NULL REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    point TEXT NOT NULL CHECK (point IN ('outlet', 'plant_intake', 'ecological_release')),
    reading_kind TEXT NOT NULL CHECK (reading_kind IN ('totaliser', 'flow_rate')),
    rollover_m3 REAL,
    max_gap_s INTEGER NOT NULL
);

CREATE TABLE meter_uses (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    use_kind TEXT NOT NULL CHECK (use_kind IN ('domestic', 'industrial', 'ecological', 'agricultural')),
    share REAL NOT NULL,
    PRIMARY KEY (meter_code, use_kind)
);

CREATE TABLE readings (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    read_at INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (meter_code, read_at)
) WITHOUT ROWID;

CREATE TABLE meter_replacements (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    replaced_at INTEGER NOT NULL,
    old_final_m3 REAL NOT NULL,
    new_initial_m3 REAL NOT NULL,
    PRIMARY KEY (meter_code, replaced_at)
);

CREATE TABLE daily_volumes (
    meter_code TEXT NOT NULL REFERENCES meters(code) DEFERRABLE INITIALLY DEFERRED,
    day INTEGER NOT NULL,
    volume_m3 REAL NOT NULL,
    estimated INTEGER NOT NULL,
    PRIMARY KEY (meter_code, day)
) WITHOUT ROWID;

CREATE TABLE plans (
    asset_code TEXT NOT NULL REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    water_year INTEGER NOT NULL,
    month INTEGER NOT NULL CHECK (month BETWEEN 0 AND 12),
    volume_m3 REAL NOT NULL,
    PRIMARY KEY (asset_code, water_year, month)
);
