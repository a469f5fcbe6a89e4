// After a rotation two keys live side by side for the grace period; the replacement gets a
// name of its own, "CRM sync (rotated 29 Nov)", so the list, the usage charts and every
// message can tell them apart. The date is written the same way for everyone who reads the
// name (it is stored on the platform and shared with colleagues), not in this user's locale.

/** The longest key name the platform accepts (`KEY_NAME` in botbat-api). */
export const KEY_NAME_MAX = 100;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ROTATED_SUFFIX = /\s*\(rotated \d{1,2} [A-Z][a-z]{2}\)$/;

/** The replacement's name for a key named `name`, rotated at `at` (local date). */
export function rotatedName(name: string, at: Date): string {
  const suffix = ` (rotated ${at.getDate()} ${MONTHS[at.getMonth()]})`;
  // A key rotated before carries the older date: replace it rather than stack a second one.
  const base = name.trim().replace(ROTATED_SUFFIX, "");
  const room = KEY_NAME_MAX - suffix.length;
  const chars = [...base];
  const kept = chars.length > room ? `${chars.slice(0, room - 1).join("").trimEnd()}…` : base;
  return `${kept}${suffix}`;
}
