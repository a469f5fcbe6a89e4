-- The X-Request-Id each metered request was answered with, so a request log line can be
-- matched with what the caller saw.
ALTER TABLE usage_requests ADD COLUMN request_id TEXT;
