-- The `X-Request-Id` each request was answered with, so one request can be found by the id
-- an error message, a log line or a customer quotes. Seeded history has none (NULL).
ALTER TABLE requests ADD COLUMN request_id TEXT;
CREATE INDEX requests_request_id ON requests (request_id);
