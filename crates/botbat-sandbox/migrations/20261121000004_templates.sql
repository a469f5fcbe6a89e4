-- Message templates and their WhatsApp review. A review in progress keeps the time it is
-- due, so it completes on time across restarts.
CREATE TABLE templates (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    language         TEXT NOT NULL,
    category         TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL,
    rejection_reason TEXT,
    submitted_at     INTEGER,
    review_due_at    INTEGER,
    reviewed_at      INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX templates_name_language ON templates (name, language);
