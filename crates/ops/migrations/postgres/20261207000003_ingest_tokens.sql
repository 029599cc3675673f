-- Ingestion tokens: one or more per telemetry source (a SCADA gateway, an analyser's logger), for
-- machines posting points, not people. Only the SHA-256 digest of a token is stored; the token is
-- shown once when it is created. A revoked token is kept (with when) so the audit log's entries
-- about it still name something.
CREATE TABLE ingest_tokens (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL CHECK (length(source) > 0),
    token_digest TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX ingest_tokens_source ON ingest_tokens(source);
