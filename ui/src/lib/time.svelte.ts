// The one way the console shows an instant: local time in the user's locale, or UTC
// throughout when the "Show times in UTC" setting is on. Every displayed time comes from
// here, so a time in a table, a tooltip and a chart axis never disagree about the zone.
//
// `timeDisplay` is reactive state: a component that formats a time while rendering is
// drawn again when the setting changes. The hover text (`timeTitle`) always gives the
// instant in the other reading: UTC when times are local, local when they are UTC.

export const timeDisplay = $state<{ utc: boolean; locale: string | undefined }>({
  utc: false,
  /** The locale times are written in; `undefined` is the system's. */
  locale: undefined,
});

export function setUtcTimes(utc: boolean): void {
  timeDisplay.utc = utc;
}

function parse(value: string | Date): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function zone(utc: boolean): Intl.DateTimeFormatOptions {
  return utc ? { timeZone: "UTC" } : {};
}

/**
 * The IANA zone times are shown in: the viewer's own (`Europe/Berlin`), or `UTC` when the
 * setting says so. Charts are drawn by the backend in this zone (days start at its local
 * midnights, 23 or 25 hours apart when the clocks change), so their axes agree with every
 * other time on screen. The backend refuses a name it does not know rather than guess.
 */
export function displayTimeZone(): string {
  if (timeDisplay.utc) return "UTC";
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
}

/**
 * "14:09:41" (or "2:09:41 PM" where the locale says so); "13:09:41 UTC" in UTC mode.
 * `zone: false` leaves the "UTC" off, for the first of two times read as a range.
 */
export function formatTime(value: string | Date, { seconds = true, millis = false, zone: named = true } = {}): string {
  const date = parse(value);
  if (date === null) return String(value);
  const utc = timeDisplay.utc;
  const text = date.toLocaleTimeString(timeDisplay.locale, {
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds ? { second: "2-digit" } : {}),
    ...(seconds && millis ? { fractionalSecondDigits: 3 } : {}),
    ...zone(utc),
  });
  return utc && named ? `${text} UTC` : text;
}

/** "29 Nov 2026, 14:09:41 CET": a date and time with its zone, in the displayed zone. */
export function formatDateTime(value: string | Date, { seconds = true } = {}): string {
  const date = parse(value);
  if (date === null) return String(value);
  return dateTime(date, timeDisplay.utc, seconds);
}

function dateTime(date: Date, utc: boolean, seconds: boolean): string {
  return date.toLocaleString(timeDisplay.locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    ...(seconds ? { second: "2-digit" } : {}),
    timeZoneName: "short",
    ...zone(utc),
  });
}

/** "29 Nov 2026": a calendar date in the displayed zone. */
export function formatDate(value: string | Date, options: Intl.DateTimeFormatOptions = {}): string {
  const date = parse(value);
  if (date === null) return String(value);
  return date.toLocaleDateString(timeDisplay.locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    ...options,
    ...zone(timeDisplay.utc),
  });
}

/** The hover text of a displayed time: the same instant in the other reading (UTC or local). */
export function timeTitle(value: string | Date): string {
  const date = parse(value);
  if (date === null) return String(value);
  return dateTime(date, !timeDisplay.utc, true);
}
