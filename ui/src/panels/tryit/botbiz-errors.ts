// Botbiz's error body, `{"error": {"code", "message", "status"}}`, read as the console shows
// BotBat's errors: the code, the platform's message, and what to do about it (the hints
// follow the table of codes in Botbiz's docs).

export interface PlatformError {
  code: string;
  message: string;
  hint: string;
}

const HINTS: Record<string, string> = {
  invalid_request: "A parameter is missing or malformed: compare the body with the endpoint's schema below.",
  unauthorized: "The API key is missing or invalid: check the connection's key in Settings (Botbiz keys are made in Botbiz's dashboard).",
  forbidden: "The key is valid but lacks permission for this request: use a key with more access.",
  not_found: "No such resource: check the id in the path (list the resources first).",
  rate_limit_exceeded: "This key's per-minute limit is spent: wait for X-RateLimit-Reset (Try It waits and sends once more).",
  server_error: "Something went wrong on Botbiz's end: retry later with backoff, and quote the time if you contact Botbiz.",
};

export function botbizError(json: unknown): PlatformError | null {
  if (typeof json !== "object" || json === null) return null;
  const error = (json as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string" || typeof message !== "string") return null;
  return { code, message, hint: HINTS[code] ?? "See Botbiz's error table for this code." };
}
