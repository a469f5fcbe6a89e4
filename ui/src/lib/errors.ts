// What the UI does with each error code, in one table. The table is a `Record` over the
// generated `Code` union, so a code the backend gains without advice here is a type error,
// and the rest of the UI asks this table (`adviceFor`) instead of comparing codes. The
// advice depends only on the code (and, for 403, the scope the platform names in its
// message), never on other message text.

import type { BackendError } from "./backend";
import type { Code } from "./bindings/Code";

export interface ErrorAdvice {
  /** One plain sentence on what to do next. */
  hint: string;
  /** Whether the fix lives in Settings, so the notice can offer a way there. */
  settings: boolean;
  /**
   * Nothing was sent because the active environment changed under the view: the panel
   * reloads for the environment now active (closing an open form) instead of showing a
   * failure.
   */
  reloads: boolean;
  /** The failure's `details` name fields of the form, which the form marks. */
  marksFields: boolean;
}

interface Advice {
  hint: string | ((error: BackendError) => string);
  settings?: boolean;
  reloads?: boolean;
  marksFields?: boolean;
}

const SCOPE_PATTERN = /\b([a-z]+:[a-z_]+)\b/;

/** The scope a 403 message names (`webhooks:read`), if it names one. */
export function missingScope(message: string): string | null {
  const match = SCOPE_PATTERN.exec(message);
  return match ? match[1] : null;
}

const UNEXPECTED: Advice = {
  hint: "The console hit an unexpected error. Retry; if it persists, include the request id when reporting it.",
};

const LOCAL_FILES: Advice = {
  hint: "A file the console keeps on this machine could not be used. Check the disk has space and the console's data folder is writable, then retry.",
};

const ADVICE: Record<Code, Advice> = {
  unauthorized: {
    hint: "The management key is missing or invalid. Set it in Settings. A key that was revoked or has expired is refused the same way; rotate or create one under API Keys.",
    settings: true,
  },
  forbidden: {
    hint: (error) => {
      const scope = missingScope(error.message);
      return scope
        ? `The management key lacks the ${scope} scope. Use a key that has it, or create one with it under API Keys.`
        : "The management key lacks a scope this request needs. Use a key with the scope named above.";
    },
    settings: true,
  },
  unreachable: {
    hint: "The API could not be reached. Check the base URL in Settings and that the server is running.",
    settings: true,
  },
  no_management_key: {
    hint: "Paste a management key for this environment in Settings; it is kept in the OS keychain.",
    settings: true,
  },
  no_credential: {
    hint: "The keychain holds no credential for this connection. Remove the connection in Settings and add it again with its key or token.",
    settings: true,
  },
  keychain_unavailable: {
    hint: "The OS keychain is unavailable, so keys cannot be saved. A key you paste is kept in memory for this run only.",
  },
  environment_changed: {
    hint: "The active environment changed while this was open, so nothing was sent. The panel reloads for the environment now active; check it and try again.",
    reloads: true,
  },
  not_found: {
    hint: "The platform does not know this resource. It may have been deleted, or the base URL points at another environment. Refresh and check.",
  },
  conflict: {
    hint: "The request conflicts with the resource's current state (already revoked, rotated or sent). Refresh and try again.",
  },
  validation_error: {
    hint: (error) =>
      error.details.length > 0
        ? "The platform rejected some fields; each one is listed above with what is wrong with it."
        : "The platform rejected the request's fields. Check the values and try again.",
    marksFields: true,
  },
  invalid_input: {
    hint: "The console rejected the value before sending it; correct it and try again.",
    marksFields: true,
  },
  rate_limited: {
    hint: (error) =>
      error.retryAfter !== null
        ? `The rate limit for this key or organisation was reached. Retry in ${error.retryAfter} s.`
        : "The rate limit for this key or organisation was reached. Wait a few seconds and retry.",
  },
  invalid_request: UNEXPECTED,
  method_not_allowed: UNEXPECTED,
  payload_too_large: UNEXPECTED,
  upgrade_required: UNEXPECTED,
  internal_error: UNEXPECTED,
  unexpected_response: {
    hint: "Something answered at the base URL, but not the BotBat API. Check the base URL in Settings.",
    settings: true,
  },
  usage: UNEXPECTED,
  keychain_rejected: {
    hint: "The OS keychain refused the secret. Unlock the keychain or allow the console to use it, then retry.",
  },
  confirmation_required: UNEXPECTED,
  confirmation_mismatch: UNEXPECTED,
  sandbox_only: UNEXPECTED,
  insecure_base_url: {
    hint: "Production needs an https:// base URL (plain http:// only to this machine). Correct it in Settings.",
    settings: true,
  },
  local_storage: LOCAL_FILES,
  preferences_not_saved: LOCAL_FILES,
  usage_cache: LOCAL_FILES,
  chart: UNEXPECTED,
  export_failed: LOCAL_FILES,
  sync_running: UNEXPECTED,
  sync_cancelled: UNEXPECTED,
  listener_stale: UNEXPECTED,
  no_secret: UNEXPECTED,
  http_error: UNEXPECTED,
  internal: UNEXPECTED,
};

/** Whether `code` is one the backend sends; anything else is treated as `internal`. */
export function isCode(code: string): code is Code {
  return Object.prototype.hasOwnProperty.call(ADVICE, code);
}

export function adviceFor(error: BackendError): ErrorAdvice {
  const advice = ADVICE[error.code];
  return {
    hint: typeof advice.hint === "string" ? advice.hint : advice.hint(error),
    settings: advice.settings ?? false,
    reloads: advice.reloads ?? false,
    marksFields: advice.marksFields ?? false,
  };
}
