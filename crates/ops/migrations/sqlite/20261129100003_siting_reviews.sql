-- Siting reviews (SQLite): the application as submitted, the decision, every rule that fired
-- with its legal source, the distances measured, and the rule set's name and version.
CREATE TABLE siting_reviews (
    id INTEGER PRIMARY KEY,
    reviewed_at TEXT NOT NULL,
    reviewed_by TEXT,
    application_name TEXT NOT NULL,
    category TEXT NOT NULL,
    application TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('REJECT', 'CONDITIONAL', 'REFER', 'PASS')),
    zone TEXT,
    distance_to_canal_m REAL,
    rule_set_name TEXT NOT NULL,
    rule_set_version TEXT NOT NULL,
    outcome TEXT NOT NULL
);

CREATE TABLE siting_review_rules (
    review_id INTEGER NOT NULL REFERENCES siting_reviews(id) DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    overridden_by TEXT,
    PRIMARY KEY (review_id, position)
);

CREATE TABLE siting_review_distances (
    review_id INTEGER NOT NULL REFERENCES siting_reviews(id) DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL,
    zone TEXT NOT NULL,
    name TEXT NOT NULL,
    distance_m REAL NOT NULL,
    touches INTEGER NOT NULL CHECK (touches IN (0, 1)),
    PRIMARY KEY (review_id, position)
);
