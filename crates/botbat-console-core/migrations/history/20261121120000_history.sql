-- Try It's request history: one row per request sent, secrets masked before they get here.
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    environment TEXT NOT NULL,
    created_at TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    url TEXT NOT NULL,
    operation_id TEXT,
    status INTEGER NOT NULL,
    elapsed_ms REAL NOT NULL,
    size_bytes INTEGER NOT NULL,
    credential_label TEXT NOT NULL,
    request_id TEXT,
    request_json TEXT NOT NULL,
    response_json TEXT NOT NULL
);

CREATE INDEX history_by_environment ON history (environment, id DESC);
