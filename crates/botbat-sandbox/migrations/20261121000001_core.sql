-- The sandbox platform's core: settings, API keys (hashed), the request log, webhook endpoints.
-- Times are Unix milliseconds. `seq` columns give a stable, opaque-cursor order under
-- concurrent inserts.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE api_keys (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    last_four    TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    rotated_from TEXT,
    replaced_by  TEXT
);

CREATE TABLE usage_requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    time         INTEGER NOT NULL,
    key_id       TEXT NOT NULL,
    method       TEXT NOT NULL,
    route        TEXT NOT NULL,
    status       INTEGER NOT NULL,
    latency_us   INTEGER NOT NULL,
    rate_limited INTEGER NOT NULL
);
CREATE INDEX usage_requests_time ON usage_requests (time);

CREATE TABLE webhooks (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    url          TEXT NOT NULL,
    description  TEXT,
    event_types  TEXT NOT NULL,
    enabled      INTEGER NOT NULL,
    secret       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
