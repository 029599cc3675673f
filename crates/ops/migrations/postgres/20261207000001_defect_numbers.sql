-- The last defect number given out in each year. Numbers are taken by incrementing this row in
-- the write transaction that stores the defect, so concurrent writers never take the same one.
CREATE TABLE defect_numbers (
    year INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);
