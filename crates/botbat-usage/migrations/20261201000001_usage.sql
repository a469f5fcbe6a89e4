-- The console's local usage cache of one environment: the platform's request log, synced
-- incrementally, and rollups of it by minute, hour and day so that long ranges are answered
-- without scanning raw rows.
--
-- The file lives in its environment's own directory, and every row still carries `env`
-- (the code of its environment in `environments`): a row can never pass for another
-- environment's. Raw times are Unix milliseconds; rollup buckets are Unix seconds.

CREATE TABLE environments (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- Where the sync stands. `watermark` is the highest platform id ingested: rows at or below
-- it are never ingested twice. `cursor` is the last non-null cursor the platform returned:
-- the next sync starts there (re-reading at most one page, which the watermark filters).
CREATE TABLE sync_state (
    env                INTEGER PRIMARY KEY REFERENCES environments (code),
    watermark          INTEGER NOT NULL DEFAULT 0,
    cursor             TEXT,
    rows_ingested      INTEGER NOT NULL DEFAULT 0,
    server_total       INTEGER,
    last_started_ms    INTEGER,
    last_finished_ms   INTEGER,
    last_error         TEXT,
    plan               TEXT,
    per_key_per_second INTEGER,
    per_org_per_minute INTEGER,
    retention_days     INTEGER NOT NULL DEFAULT 30
);

CREATE TABLE keys (
    ref    INTEGER PRIMARY KEY,
    env    INTEGER NOT NULL REFERENCES environments (code),
    key_id TEXT NOT NULL,
    name   TEXT,
    UNIQUE (env, key_id)
);

CREATE TABLE endpoints (
    ref    INTEGER PRIMARY KEY,
    env    INTEGER NOT NULL REFERENCES environments (code),
    method TEXT NOT NULL,
    route  TEXT NOT NULL,
    UNIQUE (env, method, route)
);

-- The raw request log; `id` is the platform's. Pruned by `retention_days`.
CREATE TABLE requests (
    id           INTEGER PRIMARY KEY,
    env          INTEGER NOT NULL,
    time_ms      INTEGER NOT NULL,
    key_ref      INTEGER NOT NULL,
    endpoint_ref INTEGER NOT NULL,
    status       INTEGER NOT NULL,
    latency_us   INTEGER NOT NULL,
    rate_limited INTEGER NOT NULL,
    retry_after  INTEGER
);
CREATE INDEX requests_time ON requests (env, time_ms);

-- Rollups: one row per (bucket, key, endpoint, status). `histogram` is a latency histogram
-- (see latency.rs) whose encoding concatenates, so a merge is `histogram || excluded.histogram`
-- and a row is updated without being read.
CREATE TABLE rollup_minute (
    env            INTEGER NOT NULL,
    bucket         INTEGER NOT NULL,
    key_ref        INTEGER NOT NULL,
    endpoint_ref   INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    limited        INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    latency_max_us INTEGER NOT NULL,
    histogram      BLOB NOT NULL,
    PRIMARY KEY (env, bucket, key_ref, endpoint_ref, status)
) WITHOUT ROWID;

CREATE TABLE rollup_hour (
    env            INTEGER NOT NULL,
    bucket         INTEGER NOT NULL,
    key_ref        INTEGER NOT NULL,
    endpoint_ref   INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    limited        INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    latency_max_us INTEGER NOT NULL,
    histogram      BLOB NOT NULL,
    PRIMARY KEY (env, bucket, key_ref, endpoint_ref, status)
) WITHOUT ROWID;

CREATE TABLE rollup_day (
    env            INTEGER NOT NULL,
    bucket         INTEGER NOT NULL,
    key_ref        INTEGER NOT NULL,
    endpoint_ref   INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    limited        INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    latency_max_us INTEGER NOT NULL,
    histogram      BLOB NOT NULL,
    PRIMARY KEY (env, bucket, key_ref, endpoint_ref, status)
) WITHOUT ROWID;

-- Requests per minute per key, and for the whole organisation under key_ref 0: what the
-- rate limits count, small enough to find the busiest minute of a month quickly.
CREATE TABLE load_minute (
    env      INTEGER NOT NULL,
    key_ref  INTEGER NOT NULL,
    minute   INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    limited  INTEGER NOT NULL,
    PRIMARY KEY (env, key_ref, minute)
) WITHOUT ROWID;
