-- Protection-zone maps for siting reviews in the web application (SQLite): every upload is kept
-- (GeoJSON FeatureCollection text as checked on upload); the newest is the one in force.
CREATE TABLE siting_zone_maps (
    id INTEGER PRIMARY KEY,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT,
    name TEXT NOT NULL,
    geojson TEXT NOT NULL
);
