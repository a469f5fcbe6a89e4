-- The Botbiz stand-in's state: its API keys (hashes only), WhatsApp accounts, sent
-- messages, the webhook it delivers to, and the events it delivered.
CREATE TABLE keys (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    access TEXT NOT NULL CHECK (access IN ('full', 'read')),
    created_at INTEGER NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    phone_number TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'connected')),
    pairing_code TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    connected_at INTEGER
);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    recipient TEXT NOT NULL,
    type TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- One webhook per account holder, as the docs describe it.
CREATE TABLE webhook (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    payload TEXT NOT NULL,
    delivered_status INTEGER,
    delivery_error TEXT
);
