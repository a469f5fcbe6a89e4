-- Whether a metered request was the console's own (its User-Agent is exactly
-- `botbat-console/<version>`), so dashboards can leave the console's polling out. Rows
-- metered before this column existed are counted as their callers'.
ALTER TABLE usage_requests ADD COLUMN console INTEGER NOT NULL DEFAULT 0;
