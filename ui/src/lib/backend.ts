// The one door from the UI to the Rust side. Every Tauri command has exactly one typed
// function here, so panels never see `invoke`, command names or argument spelling, and
// tests can answer every call with `mockIPC`.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import type { ApiKey } from "./bindings/ApiKey";
import type { AppStatus } from "./bindings/AppStatus";
import type { BurstReport } from "./bindings/BurstReport";
import type { BurstResult } from "./bindings/BurstResult";
import type { CommandError } from "./bindings/CommandError";
import type { ConnectionReport } from "./bindings/ConnectionReport";
import type { CreateKeyInput } from "./bindings/CreateKeyInput";
import type { DashboardSummary } from "./bindings/DashboardSummary";
import type { Environment } from "./bindings/Environment";
import type { EnvironmentInfo } from "./bindings/EnvironmentInfo";
import type { FieldIssue } from "./bindings/FieldIssue";
import type { IssuedKey } from "./bindings/IssuedKey";
import type { KeyActivity } from "./bindings/KeyActivity";
import type { KeyRow } from "./bindings/KeyRow";
import type { Preferences } from "./bindings/Preferences";
import type { RateLimitView } from "./bindings/RateLimitView";
import type { RotationResult } from "./bindings/RotationResult";
import type { ScopeAdvice } from "./bindings/ScopeAdvice";
import type { ScopeInfo } from "./bindings/ScopeInfo";
import type { SettingsInput } from "./bindings/SettingsInput";

/** Error codes the backend sends; the UI branches on these, never on message text. */
export type ErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "validation_error"
  | "rate_limited"
  | "unreachable"
  | "keychain_unavailable"
  | "no_management_key"
  | "invalid_input"
  | "environment_changed"
  | "internal";

/** A rejected command, normalised so every caller gets the same shape. */
export class BackendError extends Error {
  readonly code: string;
  readonly status: number | null;
  readonly requestId: string | null;
  readonly details: FieldIssue[];
  /** Whole seconds from a 429's Retry-After, when the backend passed it on. */
  readonly retryAfter: number | null;

  constructor(
    code: string,
    message: string,
    status: number | null = null,
    requestId: string | null = null,
    details: FieldIssue[] = [],
    retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** Wraps whatever `invoke` rejected with: a CommandError, a bare string, or a JS error. */
  static from(raw: unknown): BackendError {
    if (raw instanceof BackendError) return raw;
    if (isCommandError(raw)) {
      return new BackendError(
        raw.code,
        raw.message,
        typeof raw.status === "number" ? raw.status : null,
        typeof raw.request_id === "string" && raw.request_id !== "" ? raw.request_id : null,
        Array.isArray(raw.details) ? raw.details.filter(isFieldIssue) : [],
        retryAfterOf(raw),
      );
    }
    if (typeof raw === "string") return new BackendError("internal", raw);
    if (raw instanceof Error) return new BackendError("internal", raw.message);
    return new BackendError("internal", "The console backend failed without a message.");
  }
}

function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && typeof v.message === "string";
}

/**
 * A 429's wait: a numeric `retry_after` next to the CommandError fields if the backend
 * sends one, else a `retry_after` detail. Both are optional; absent means unknown.
 */
function retryAfterOf(raw: CommandError): number | null {
  const extra = (raw as unknown as Record<string, unknown>).retry_after;
  if (typeof extra === "number" && Number.isFinite(extra) && extra >= 0) return Math.ceil(extra);
  const detail = Array.isArray(raw.details)
    ? raw.details.find((d) => isFieldIssue(d) && d.field === "retry_after")
    : undefined;
  if (detail) {
    const seconds = Number.parseInt(detail.issue, 10);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  }
  return null;
}

function isFieldIssue(value: unknown): value is FieldIssue {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.field === "string" && typeof v.issue === "string";
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw BackendError.from(raw);
  }
}

export function appStatus(): Promise<AppStatus> {
  return call("app_status");
}

export function getPreferences(): Promise<Preferences> {
  return call("get_preferences");
}

export function setEnvironment(environment: Environment): Promise<AppStatus> {
  return call("set_environment", { environment });
}

export function listEnvironments(): Promise<EnvironmentInfo[]> {
  return call("list_environments");
}

export function saveSettings(input: SettingsInput): Promise<Preferences> {
  return call("save_settings", { input });
}

export function setManagementKey(environment: Environment, key: string): Promise<EnvironmentInfo> {
  return call("set_management_key", { environment, key });
}

export function clearManagementKey(environment: Environment): Promise<EnvironmentInfo> {
  return call("clear_management_key", { environment });
}

export function testConnection(environment: Environment): Promise<ConnectionReport> {
  return call("test_connection", { environment });
}

export function dashboardSummary(): Promise<DashboardSummary> {
  return call("dashboard_summary");
}

export function listApiKeys(): Promise<KeyRow[]> {
  return call("list_api_keys");
}

export function listScopes(): Promise<ScopeInfo[]> {
  return call("list_scopes");
}

/** The answer carries the secret: show it once, then keep or discard it by key id. */
export function createApiKey(environment: Environment, input: CreateKeyInput): Promise<IssuedKey> {
  return call("create_api_key", { environment, input });
}

/** Moves the secret the backend holds for a just-issued key into the OS keychain. */
export function keepIssuedSecret(keyId: string): Promise<KeyRow> {
  return call("keep_issued_secret", { keyId });
}

/** Forgets the secret the backend holds for a just-issued key. */
export function discardIssuedSecret(keyId: string): Promise<null> {
  return call("discard_issued_secret", { keyId });
}

export function rotateApiKey(
  environment: Environment,
  keyId: string,
  gracePeriodSeconds: number,
): Promise<RotationResult> {
  return call("rotate_api_key", { environment, keyId, gracePeriodSeconds });
}

/** `confirmName` is the name the user typed (required in production), `null` in the sandbox. */
export function revokeApiKey(environment: Environment, keyId: string, confirmName: string | null): Promise<ApiKey> {
  return call("revoke_api_key", { environment, keyId, confirmName });
}

/** `since` is an RFC 3339 instant, usually the moment of rotation. */
export function keyActivity(keyId: string, since: string): Promise<KeyActivity> {
  return call("key_activity", { keyId, since });
}

export function scopeAdvice(keyId: string): Promise<ScopeAdvice> {
  return call("scope_advice", { keyId });
}

export function replaceWithNarrowerKey(environment: Environment, keyId: string): Promise<IssuedKey> {
  return call("replace_with_narrower_key", { environment, keyId });
}

export function rateLimitsView(): Promise<RateLimitView> {
  return call("rate_limits_view");
}

/** `keyId` null bursts with the management key. Progress arrives through `onBurstProgress`. */
export function burstTest(environment: Environment, keyId: string | null, count: number): Promise<BurstReport> {
  return call("burst_test", { environment, keyId, count });
}

/** Calls `cb` for every request of a running burst test; resolves to the unlisten function. */
export async function onBurstProgress(cb: (result: BurstResult) => void): Promise<() => void> {
  return listen<BurstResult>("burst-progress", (event) => cb(event.payload));
}

/**
 * Keeps the window open while something must not be lost (a secret shown once).
 * Each blocked attempt calls `onAttempt`. Outside a Tauri window (or without the event
 * permission) there is nothing to guard, and the returned function does nothing.
 */
export async function guardWindowClose(onAttempt: () => void): Promise<() => void> {
  try {
    return await getCurrentWindow().onCloseRequested((event) => {
      event.preventDefault();
      onAttempt();
    });
  } catch {
    return () => {};
  }
}
