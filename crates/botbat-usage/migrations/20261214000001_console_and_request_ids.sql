-- The console's own requests (its polls and syncs, which the platform marks) are kept
-- apart from its user's by the endpoint dimension: `GET /v1/me` called by the console is
-- another endpoint row than `GET /v1/me` called by an integration, so every rollup can
-- leave the console's traffic out without a column of its own. Rows cached before the
-- platform marked them stay their callers'.
CREATE TABLE endpoints_marked (
    ref     INTEGER PRIMARY KEY,
    env     INTEGER NOT NULL REFERENCES environments (code),
    method  TEXT NOT NULL,
    route   TEXT NOT NULL,
    console INTEGER NOT NULL DEFAULT 0,
    UNIQUE (env, method, route, console)
);
INSERT INTO endpoints_marked (ref, env, method, route) SELECT ref, env, method, route FROM endpoints;
DROP TABLE endpoints;
ALTER TABLE endpoints_marked RENAME TO endpoints;

-- The X-Request-Id of each request, so a request can be found by the id its caller saw.
ALTER TABLE requests ADD COLUMN request_id TEXT;
CREATE INDEX requests_request_id ON requests (request_id);
