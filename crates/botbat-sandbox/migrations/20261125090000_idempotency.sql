-- Idempotency records: the kept response to a POST sent with an `Idempotency-Key`, per API
-- key. The key itself is stored only as a SHA-256 hash, and the response (which can hold a
-- new key's secret) only sealed with a key derived from the caller's API key secret and the
-- idempotency key, neither of which is stored. Times are sandbox-clock Unix milliseconds.

CREATE TABLE idempotency_records (
    api_key_id  TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    -- SHA-256 of method, path, query, media type and (canonical) body.
    fingerprint TEXT NOT NULL,
    -- running | done | interrupted (running when a previous process stopped)
    state       TEXT NOT NULL,
    status      INTEGER,
    response    BLOB,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (api_key_id, key_hash)
);
CREATE INDEX idempotency_records_expiry ON idempotency_records (expires_at);
