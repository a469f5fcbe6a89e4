-- Contacts. Phone (E.164) and email are each unique when present: a duplicate is reported
-- to the caller, never merged silently.
CREATE TABLE contacts (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    segment     TEXT,
    tags        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_phone ON contacts (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX contacts_email ON contacts (email) WHERE email IS NOT NULL;
CREATE INDEX contacts_segment ON contacts (segment);
CREATE INDEX contacts_created ON contacts (created_at);
