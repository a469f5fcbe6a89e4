// The Requests view's arithmetic, kept apart from the component so it is tested alone:
// which windows of rows a scroll position needs, and what a "since" choice means.

/** Height of one row, in CSS pixels: the view positions rows by it. */
export const ROW_PX = 32;
/** Rows asked for at once: one window of the log. */
export const WINDOW_ROWS = 200;

/** What the Requests view is opened on: a chart series in one bucket, or one request id. */
export interface RequestsFilter {
  key_id?: string | null;
  endpoint?: string | null;
  status?: string | null;
  include_console?: boolean;
  /** RFC 3339, inclusive. */
  from?: string | null;
  /** RFC 3339, exclusive. */
  to?: string | null;
  request_id?: string | null;
}

export const LOG_SINCE: ReadonlyArray<{ value: string; label: string; ms: number | null }> = [
  { value: "", label: "Any time", ms: null },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
];

/** The windows (by index) holding rows `first` up to, not including, `last`. */
export function logWindowsFor(first: number, last: number): number[] {
  if (last <= first) return [0];
  const windows: number[] = [];
  for (let w = Math.floor(first / WINDOW_ROWS); w <= Math.floor((last - 1) / WINDOW_ROWS); w += 1) windows.push(w);
  return windows;
}

/** The RFC 3339 start of a "since" choice made at `now`; `null` for any time. */
export function sinceToFrom(since: string, now: number): string | null {
  const choice = LOG_SINCE.find((option) => option.value === since);
  if (!choice || choice.ms === null) return null;
  // Whole minutes, so the question (and its cached rows) does not change on every draw.
  const from = Math.floor((now - choice.ms) / 60_000) * 60_000;
  return new Date(from).toISOString();
}
