-- Simulation runs started from the web application: hydraulic runs of a network and incident
-- (contamination) runs; their results are .out files in the server's data folder (SQLite).
CREATE TABLE simulation_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('hydraulic', 'incident')),
    network TEXT NOT NULL,
    input_file TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress REAL NOT NULL DEFAULT 0,
    message TEXT,
    parameters TEXT NOT NULL DEFAULT '{}',
    summary TEXT,
    output_file TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX simulation_runs_kind ON simulation_runs(kind, id);
