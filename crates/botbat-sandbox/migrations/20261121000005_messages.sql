-- Outbound messages. The delivery timeline is fixed at send time (the step length and
-- the outcome the recipient convention decides), and each status is derived from the
-- sandbox clock when read, so a restart never loses or repeats a step.
CREATE TABLE messages (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    contact_id     TEXT NOT NULL,
    channel        TEXT NOT NULL,
    template_id    TEXT,
    variables      TEXT NOT NULL,
    body           TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    step_ms        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX messages_contact ON messages (contact_id);
