// Client-side check of a base URL so the user sees a precise message before a round
// trip. The backend validates again; this only has to be right, not authoritative.

export const DEFAULT_PRODUCTION_BASE_URL = "https://api.botbat.com/v1";

/** Returns null when `value` is usable as a base URL, otherwise what is wrong with it. */
export function baseUrlProblem(value: string): string | null {
  const text = value.trim();
  if (text === "") return "Enter a base URL.";
  if (/\s/.test(text)) return "A URL cannot contain spaces.";
  if (!/^https?:\/\//i.test(text)) {
    return "The URL must start with http:// or https://, for example https://api.botbat.com/v1.";
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return "This is not a valid URL.";
  }
  if (parsed.hostname === "") return "The URL needs a host name, for example api.botbat.com.";
  if (parsed.search !== "" || parsed.hash !== "") {
    return "A base URL cannot carry a query string or fragment.";
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return "Do not put credentials in the URL; set the management key below instead.";
  }
  return null;
}
