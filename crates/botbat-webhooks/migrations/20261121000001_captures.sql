-- The inspector's captures, one file per environment. The body is kept as received (BLOB)
-- so replays and exports send the exact bytes; the verdict and forward results are JSON
-- beside a few columns the list filters on.
CREATE TABLE captures (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    source           TEXT NOT NULL,
    received_at      INTEGER NOT NULL,
    method           TEXT NOT NULL,
    path             TEXT NOT NULL,
    headers          TEXT NOT NULL,
    body             BLOB NOT NULL,
    body_size        INTEGER NOT NULL,
    response_status  INTEGER,
    event_id         TEXT,
    event_type       TEXT,
    scheme           TEXT,
    signature_valid  INTEGER,
    verdict          TEXT,
    forward          TEXT,
    forward_status   INTEGER,
    forward_error    TEXT,
    replays          TEXT NOT NULL DEFAULT '[]',
    note             TEXT
);
CREATE INDEX captures_event_type ON captures (event_type, id);
CREATE INDEX captures_tunnel_event ON captures (event_id) WHERE source = 'tunnel';

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
