-- Credential headers (Authorization, Cookie, auth-bm-token, …) are stored masked. `masked`
-- lists them as JSON (position, name, mask, keyed fingerprint), so the console knows which
-- values are masks and a replay can recognise a secret the machine keeps.
ALTER TABLE captures ADD COLUMN masked TEXT NOT NULL DEFAULT '[]';
