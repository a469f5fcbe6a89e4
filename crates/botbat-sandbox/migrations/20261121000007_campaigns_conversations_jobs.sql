-- Campaigns, conversations and import jobs. Messages remember the campaign that sent them
-- so a campaign interrupted by a restart resumes without messaging anyone twice, and
-- inbound messages are kept beside outbound ones for conversation history.
CREATE TABLE campaigns (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    segment         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    template_id     TEXT,
    variables       TEXT NOT NULL,
    body            TEXT,
    status          TEXT NOT NULL,
    send_at         INTEGER,
    started_at      INTEGER,
    completed_at    INTEGER,
    failure_reason  TEXT,
    counts          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX campaigns_status ON campaigns (status, send_at);
CREATE INDEX campaigns_created ON campaigns (created_at);

ALTER TABLE messages ADD COLUMN campaign_id TEXT;
ALTER TABLE messages ADD COLUMN conversation_id TEXT;
ALTER TABLE messages ADD COLUMN direction TEXT NOT NULL DEFAULT 'outbound';
CREATE UNIQUE INDEX messages_campaign_contact ON messages (campaign_id, contact_id)
    WHERE campaign_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, seq);

CREATE TABLE conversations (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    contact_id       TEXT NOT NULL,
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    assignee         TEXT,
    last_message_at  INTEGER NOT NULL,
    resolved_at      INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE INDEX conversations_contact ON conversations (contact_id, status);

CREATE TABLE jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    total_rows      INTEGER NOT NULL,
    processed_rows  INTEGER NOT NULL,
    imported        INTEGER NOT NULL,
    skipped         INTEGER NOT NULL,
    errors          TEXT NOT NULL,
    failure_reason  TEXT,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER
);
