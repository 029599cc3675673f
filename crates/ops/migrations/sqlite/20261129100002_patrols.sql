-- Patrols and maintenance (SQLite): the plan set in force (editable data, defaults from
-- danjiang-patrol), patrol records with photos stored by content hash in a blob table, and
-- defects whose life cycle the schema itself enforces: every step is a row naming the state it
-- leaves, which must be the state the previous step entered, and only the allowed pairs pass.
CREATE TABLE patrol_plan_sets (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    effective_from TEXT NOT NULL
);

CREATE TABLE patrol_seasons (
    name TEXT PRIMARY KEY,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE patrol_plans (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    asset_kind TEXT NOT NULL,
    asset_code TEXT,
    task TEXT NOT NULL,
    frequency TEXT NOT NULL,
    season_frequency TEXT NOT NULL,
    checklist TEXT NOT NULL
);

CREATE TABLE patrol_records (
    id INTEGER PRIMARY KEY,
    plan_id TEXT NOT NULL,
    asset_code TEXT NOT NULL REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    inspector TEXT NOT NULL CHECK (inspector <> ''),
    recorded_at TEXT NOT NULL,
    answers TEXT NOT NULL,
    findings TEXT NOT NULL,
    longitude REAL,
    latitude REAL,
    UNIQUE (plan_id, asset_code, recorded_at, inspector)
);
CREATE INDEX patrol_records_asset ON patrol_records(asset_code, recorded_at);

CREATE TABLE photos (
    hash TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content BLOB NOT NULL
);

CREATE TABLE patrol_record_photos (
    record_id INTEGER NOT NULL REFERENCES patrol_records(id) DEFERRABLE INITIALLY DEFERRED,
    photo_hash TEXT NOT NULL REFERENCES photos(hash) DEFERRABLE INITIALLY DEFERRED,
    file_name TEXT NOT NULL,
    PRIMARY KEY (record_id, photo_hash)
);

CREATE TABLE defects (
    id TEXT PRIMARY KEY,
    asset_code TEXT NOT NULL REFERENCES assets(code) DEFERRABLE INITIALLY DEFERRED,
    record_id INTEGER REFERENCES patrol_records(id) DEFERRABLE INITIALLY DEFERRED,
    severity TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
    description TEXT NOT NULL,
    state TEXT NOT NULL,
    step INTEGER NOT NULL,
    FOREIGN KEY (id, step, state) REFERENCES defect_transitions(defect_id, step, to_state)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX defects_state ON defects(state);

CREATE TABLE defect_transitions (
    defect_id TEXT NOT NULL REFERENCES defects(id) DEFERRABLE INITIALLY DEFERRED,
    step INTEGER NOT NULL,
    previous_step INTEGER,
    from_state TEXT,
    to_state TEXT NOT NULL,
    by_whom TEXT NOT NULL CHECK (by_whom <> ''),
    at TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (defect_id, step),
    UNIQUE (defect_id, step, to_state),
    CHECK (
        (step = 0 AND previous_step IS NULL AND from_state IS NULL AND to_state = 'open')
        OR (step > 0 AND previous_step = step - 1 AND (
            (from_state = 'open' AND to_state = 'assigned')
            OR (from_state = 'assigned' AND to_state = 'repaired')
            OR (from_state = 'repaired' AND to_state IN ('verified', 'assigned'))
            OR (from_state = 'verified' AND to_state = 'closed')))
    ),
    FOREIGN KEY (defect_id, previous_step, from_state)
        REFERENCES defect_transitions(defect_id, step, to_state) DEFERRABLE INITIALLY DEFERRED
);
