-- Events and their webhook deliveries. An event is written once, in order (`seq`), with
-- one delivery row per subscribed endpoint in the same transaction, so a restart loses
-- neither. Future events (a message's later steps) wait in `scheduled_events` with the
-- sandbox-clock time they are due and their data already rendered.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    data           TEXT NOT NULL,
    force_failure  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_created ON events (created_at);

CREATE TABLE scheduled_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    due_at     INTEGER NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX scheduled_events_due ON scheduled_events (due_at, seq);
CREATE INDEX scheduled_events_subject ON scheduled_events (subject_id);

ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_expires_at INTEGER;
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;

CREATE TABLE deliveries (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    webhook_id       TEXT NOT NULL,
    event_seq        INTEGER NOT NULL,
    status           TEXT NOT NULL,
    next_attempt_at  INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, seq);
-- What each endpoint's worker reads next: only pending rows, so finished ones cost nothing.
CREATE INDEX deliveries_pending ON deliveries (webhook_id, seq) WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT NOT NULL,
    number           INTEGER NOT NULL,
    trigger          TEXT NOT NULL,
    at               INTEGER NOT NULL,
    request_headers  TEXT NOT NULL,
    response_status  INTEGER,
    response_body    TEXT,
    latency_ms       INTEGER,
    error            TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
