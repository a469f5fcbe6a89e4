-- A 429's Retry-After, so "recent 429s" can say how long the caller was told to wait.
ALTER TABLE usage_requests ADD COLUMN retry_after INTEGER;
CREATE INDEX usage_requests_key_time ON usage_requests (key_id, time);
