// Turns a BackendError into advice. The advice depends only on the error code (and, for
// 403, the scope the platform names in its message), never on other message text.

import type { BackendError } from "./backend";

export interface ErrorAdvice {
  /** One plain sentence on what to do next. */
  hint: string;
  /** Whether the fix lives in Settings, so the notice can offer a way there. */
  settings: boolean;
}

const SCOPE_PATTERN = /\b([a-z]+:[a-z_]+)\b/;

/** The scope a 403 message names (`webhooks:read`), if it names one. */
export function missingScope(message: string): string | null {
  const match = SCOPE_PATTERN.exec(message);
  return match ? match[1] : null;
}

export function adviceFor(error: BackendError): ErrorAdvice {
  switch (error.code) {
    case "unauthorized":
      return {
        hint: "The management key is missing or invalid. Set it in Settings. A key that was revoked or has expired is refused the same way; rotate or create one under API Keys.",
        settings: true,
      };
    case "forbidden": {
      const scope = missingScope(error.message);
      return {
        hint: scope
          ? `The management key lacks the ${scope} scope. Use a key that has it, or create one with it under API Keys.`
          : "The management key lacks a scope this request needs. Use a key with the scope named above.",
        settings: true,
      };
    }
    case "unreachable":
      return {
        hint: "The API could not be reached. Check the base URL in Settings and that the server is running.",
        settings: true,
      };
    case "no_management_key":
      return {
        hint: "Paste a management key for this environment in Settings; it is kept in the OS keychain.",
        settings: true,
      };
    case "keychain_unavailable":
      return {
        hint: "The OS keychain is unavailable, so keys cannot be saved. A key you paste is kept in memory for this run only.",
        settings: false,
      };
    case "environment_changed":
      return {
        hint: "The active environment changed while this was open, so nothing was sent. The panel reloads for the environment now active; check it and try again.",
        settings: false,
      };
    case "not_found":
      return {
        hint: "The platform does not know this resource. It may have been deleted, or the base URL points at another environment. Refresh and check.",
        settings: false,
      };
    case "conflict":
      return {
        hint: "The request conflicts with the resource's current state (already revoked, rotated or sent). Refresh and try again.",
        settings: false,
      };
    case "validation_error":
      return {
        hint:
          error.details.length > 0
            ? "The platform rejected some fields; each one is listed above with what is wrong with it."
            : "The platform rejected the request's fields. Check the values and try again.",
        settings: false,
      };
    case "invalid_input":
      return {
        hint: "The console rejected the value before sending it; correct it and try again.",
        settings: false,
      };
    case "rate_limited":
      return {
        hint:
          error.retryAfter !== null
            ? `The rate limit for this key or organization was reached. Retry in ${error.retryAfter} s.`
            : "The rate limit for this key or organization was reached. Wait a few seconds and retry.",
        settings: false,
      };
    default:
      return {
        hint: "The console hit an unexpected error. Retry; if it persists, include the request id when reporting it.",
        settings: false,
      };
  }
}
