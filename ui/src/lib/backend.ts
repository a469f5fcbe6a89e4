// The one door from the UI to the Rust side. Every Tauri command has exactly one typed
// function here, so panels never see `invoke`, command names or argument spelling, and
// tests can answer every call with `mockIPC`.

import { invoke } from "@tauri-apps/api/core";
import type { AppStatus } from "./bindings/AppStatus";
import type { CommandError } from "./bindings/CommandError";
import type { ConnectionReport } from "./bindings/ConnectionReport";
import type { DashboardSummary } from "./bindings/DashboardSummary";
import type { Environment } from "./bindings/Environment";
import type { EnvironmentInfo } from "./bindings/EnvironmentInfo";
import type { FieldIssue } from "./bindings/FieldIssue";
import type { Preferences } from "./bindings/Preferences";
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
  | "internal";

/** A rejected command, normalised so every caller gets the same shape. */
export class BackendError extends Error {
  readonly code: string;
  readonly status: number | null;
  readonly requestId: string | null;
  readonly details: FieldIssue[];

  constructor(
    code: string,
    message: string,
    status: number | null = null,
    requestId: string | null = null,
    details: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = details;
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
