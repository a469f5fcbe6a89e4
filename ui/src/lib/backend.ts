// The one door from the UI to the Rust side. Every Tauri command has exactly one typed
// function here, so panels never see `invoke`, command names or argument spelling, and
// tests can answer every call with `mockIPC`. Command names are `CommandName`, generated
// from the Rust list, so a misspelled or removed command is a type error.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import type { CommandName } from "./command-names";
import type { QuickStart } from "./bindings/QuickStart";
import type { TryCatalog } from "./bindings/TryCatalog";
import type { TryConnectionLimits } from "./bindings/TryConnectionLimits";
import type { TryCheck } from "./bindings/TryCheck";
import type { TryCredentials } from "./bindings/TryCredentials";
import type { TryFetchAll } from "./bindings/TryFetchAll";
import type { TryHistoryEntry } from "./bindings/TryHistoryEntry";
import type { TryHistoryItem } from "./bindings/TryHistoryItem";
import type { TryParsedCurl } from "./bindings/TryParsedCurl";
import type { TryProgress } from "./bindings/TryProgress";
import type { TryRequest } from "./bindings/TryRequest";
import type { TryResponse } from "./bindings/TryResponse";
import type { TrySendOptions } from "./bindings/TrySendOptions";
import type { TrySnippet } from "./bindings/TrySnippet";
import type { ApiKey } from "./bindings/ApiKey";
import type { AppStatus } from "./bindings/AppStatus";
import type { BurstReport } from "./bindings/BurstReport";
import type { BurstResult } from "./bindings/BurstResult";
import type { Code } from "./bindings/Code";
import type { CommandError } from "./bindings/CommandError";
import type { Connection } from "./bindings/Connection";
import type { ConnectionEdit } from "./bindings/ConnectionEdit";
import type { ConnectionCheck } from "./bindings/ConnectionCheck";
import type { ConnectionReport } from "./bindings/ConnectionReport";
import type { CreateKeyInput } from "./bindings/CreateKeyInput";
import type { DashboardSummary } from "./bindings/DashboardSummary";
import type { Environment } from "./bindings/Environment";
import type { EnvironmentInfo } from "./bindings/EnvironmentInfo";
import type { FieldIssue } from "./bindings/FieldIssue";
import type { IdLookup } from "./bindings/IdLookup";
import type { IssuedKey } from "./bindings/IssuedKey";
import type { KeyActivity } from "./bindings/KeyActivity";
import type { KeyRow } from "./bindings/KeyRow";
import type { NewConnection } from "./bindings/NewConnection";
import type { Preferences } from "./bindings/Preferences";
import type { RateLimitView } from "./bindings/RateLimitView";
import type { RotationResult } from "./bindings/RotationResult";
import type { ScopeAdvice } from "./bindings/ScopeAdvice";
import type { ScopeInfo } from "./bindings/ScopeInfo";
import type { SettingsInput } from "./bindings/SettingsInput";
import type { CaptureDetail } from "./bindings/CaptureDetail";
import type { CaptureFilter } from "./bindings/CaptureFilter";
import type { CapturePage } from "./bindings/CapturePage";
import type { CaptureStorage } from "./bindings/CaptureStorage";
import type { CredentialStatus } from "./bindings/CredentialStatus";
import type { Delivery } from "./bindings/Delivery";
import type { DeliveryQuery } from "./bindings/DeliveryQuery";
import type { Event as PlatformEvent } from "./bindings/Event";
import type { EventTypeInfo } from "./bindings/EventTypeInfo";
import type { ForwardResult } from "./bindings/ForwardResult";
import type { InspectorEvent } from "./bindings/InspectorEvent";
import type { InspectorSettings } from "./bindings/InspectorSettings";
import type { InspectorStatus } from "./bindings/InspectorStatus";
import type { IssuedWebhookSecret } from "./bindings/IssuedWebhookSecret";
import type { Page } from "./bindings/Page";
import type { ReplayInput } from "./bindings/ReplayInput";
import type { ResendReport } from "./bindings/ResendReport";
import type { SecretOverlap } from "./bindings/SecretOverlap";
import type { SimulateEventRequest } from "./bindings/SimulateEventRequest";
import type { Webhook } from "./bindings/Webhook";
import type { WebhookInput } from "./bindings/WebhookInput";
import type { WebhookRow } from "./bindings/WebhookRow";
import type { SeedUsageReport } from "./bindings/SeedUsageReport";
import type { UsageChart } from "./bindings/UsageChart";
import type { UsageChartRequest } from "./bindings/UsageChartRequest";
import type { UsageLogPage } from "./bindings/UsageLogPage";
import type { UsageLogRequest } from "./bindings/UsageLogRequest";
import type { UsageExport } from "./bindings/UsageExport";
import type { UsageExportFormat } from "./bindings/UsageExportFormat";
import type { UsageOverview } from "./bindings/UsageOverview";
import type { UsageSyncProgress } from "./bindings/UsageSyncProgress";
import type { UsageSyncReport } from "./bindings/UsageSyncReport";
import { isCode } from "./errors";

/** A rejected command, normalised so every caller gets the same shape. */
export class BackendError extends Error {
  readonly code: Code;
  readonly status: number | null;
  readonly requestId: string | null;
  readonly details: FieldIssue[];
  /** Whole seconds from a 429's Retry-After, when the backend passed it on. */
  readonly retryAfter: number | null;

  constructor(
    code: Code,
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
        isCode(raw.code) ? raw.code : "internal",
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
 * A 429's wait: the CommandError's `retry_after`, else a `retry_after` detail. Both are
 * optional; absent means unknown.
 */
function retryAfterOf(raw: CommandError): number | null {
  const extra: unknown = raw.retry_after;
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

export async function call<T>(command: CommandName, args?: Record<string, unknown>): Promise<T> {
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

export function listConnections(): Promise<Connection[]> {
  return call("list_connections");
}

export function addConnection(input: NewConnection): Promise<Connection> {
  return call("add_connection", { input });
}

/** Renames, moves or re-keys a saved connection (an empty credential keeps the kept one). */
export function editConnection(id: string, edit: ConnectionEdit): Promise<Connection> {
  return call("edit_connection", { id, edit });
}

/** Removes a connection and its kept credential; the answer says which target starts next time. */
export function removeConnection(id: string): Promise<Preferences> {
  return call("remove_connection", { id });
}

/** Tests a saved connection the platform's way: latency, or why it was refused or unreachable. */
export function checkConnection(id: string): Promise<ConnectionCheck> {
  return call("check_connection", { id });
}

/** Remembers the window's target for the next start: a connection's id, or null for BotBat. */
export function setActiveConnection(id: string | null): Promise<Preferences> {
  return call("use_connection", { id });
}

/** `includeConsole` counts the console's own requests in the usage figures. */
export function dashboardSummary(includeConsole: boolean): Promise<DashboardSummary> {
  return call("dashboard_summary", { includeConsole });
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

/** `name` names the replacement; null keeps the old key's name. */
export function rotateApiKey(
  environment: Environment,
  keyId: string,
  gracePeriodSeconds: number,
  name: string | null,
): Promise<RotationResult> {
  return call("rotate_api_key", { environment, keyId, gracePeriodSeconds, name });
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

/** `includeConsole` lists the 429s the console's own requests got too. */
export function rateLimitsView(includeConsole: boolean): Promise<RateLimitView> {
  return call("rate_limits_view", { includeConsole });
}

/** `keyId` null bursts with the management key. Progress arrives through `onBurstProgress`. */
export function burstTest(environment: Environment, keyId: string | null, count: number): Promise<BurstReport> {
  return call("burst_test", { environment, keyId, count });
}

/** Calls `cb` for every request of a running burst test; resolves to the unlisten function. */
export async function onBurstProgress(cb: (result: BurstResult) => void): Promise<() => void> {
  return listen<BurstResult>("burst-progress", (event) => cb(event.payload));
}

// Webhooks panel ------------------------------------------------------------------------

export function listWebhooks(environment: Environment): Promise<WebhookRow[]> {
  return call("list_webhooks", { environment });
}

/** The answer carries the signing secret: show it once, then keep or discard it by webhook id. */
export function createWebhook(environment: Environment, input: WebhookInput): Promise<IssuedWebhookSecret> {
  return call("create_webhook", { environment, input });
}

/** Moves the signing secret the backend holds for a just-created or rotated endpoint into the keychain. */
export function keepWebhookSecret(environment: Environment, webhookId: string): Promise<WebhookRow> {
  return call("keep_webhook_secret", { environment, webhookId });
}

export function updateWebhook(environment: Environment, webhookId: string, input: WebhookInput): Promise<Webhook> {
  return call("update_webhook", { environment, webhookId, input });
}

export function deleteWebhook(environment: Environment, webhookId: string): Promise<null> {
  return call("delete_webhook", { environment, webhookId });
}

/** A new secret, shown once; the old one keeps signing until `previous_secret_expires_at`. */
export function rotateWebhookSecret(
  environment: Environment,
  webhookId: string,
  overlap: SecretOverlap,
): Promise<IssuedWebhookSecret> {
  return call("rotate_webhook_secret", { environment, webhookId, overlap });
}

export function listDeliveries(environment: Environment, webhookId: string, query: DeliveryQuery): Promise<Page<Delivery>> {
  return call("list_deliveries", { environment, webhookId, query });
}

export function resendDelivery(environment: Environment, webhookId: string, deliveryId: string): Promise<Delivery> {
  return call("resend_delivery", { environment, webhookId, deliveryId });
}

/** `since` is an RFC 3339 instant. */
export function resendFailedSince(environment: Environment, webhookId: string, since: string): Promise<ResendReport> {
  return call("resend_failed_since", { environment, webhookId, since });
}

export function eventTypes(environment: Environment): Promise<EventTypeInfo[]> {
  return call("event_types", { environment });
}

/** The Event Simulator; the backend refuses it outside the sandbox (`sandbox_only`). */
export function simulateEvent(environment: Environment, request: SimulateEventRequest): Promise<PlatformEvent> {
  return call("simulate_event", { environment, request });
}

// Inspector panel -----------------------------------------------------------------------

/**
 * Whose captures an Inspector call reads or changes: a BotBat environment's, or one saved
 * connection's (`connection:<id>`). Each keeps its own captures, receiver and settings.
 */
export type InspectorScope = Environment | `connection:${string}`;

export function inspectorStatus(scope: InspectorScope): Promise<InspectorStatus> {
  return call("inspector_status", { scope });
}

/** How many captures `inspector.sqlite` holds and its size on disk. */
export function inspectorStorage(scope: InspectorScope): Promise<CaptureStorage> {
  return call("inspector_storage", { scope });
}

export function updateInspectorSettings(scope: InspectorScope, settings: InspectorSettings): Promise<InspectorStatus> {
  return call("update_inspector_settings", { scope, settings });
}

export function startReceiver(scope: InspectorScope): Promise<InspectorStatus> {
  return call("start_receiver", { scope });
}

export function stopReceiver(scope: InspectorScope): Promise<InspectorStatus> {
  return call("stop_receiver", { scope });
}

export function connectTunnel(scope: InspectorScope): Promise<InspectorStatus> {
  return call("connect_tunnel", { scope });
}

export function disconnectTunnel(scope: InspectorScope): Promise<InspectorStatus> {
  return call("disconnect_tunnel", { scope });
}

/** A window of the captures matching `filter`, newest first; `limit` at most 500. */
export function listCaptures(
  scope: InspectorScope,
  filter: CaptureFilter,
  offset: number,
  limit: number,
): Promise<CapturePage> {
  return call("list_captures", { scope, filter, offset, limit });
}

export function getCapture(scope: InspectorScope, id: number): Promise<CaptureDetail> {
  return call("get_capture", { scope, id });
}

/** What a replay sends for each masked credential header: the kept secret, or the mask. */
export function captureCredentials(scope: InspectorScope, id: number): Promise<CredentialStatus[]> {
  return call("capture_credentials", { scope, id });
}

export function replayCapture(scope: InspectorScope, id: number, input: ReplayInput): Promise<ForwardResult> {
  return call("replay_capture", { scope, id, input });
}

/** Resolves to how many captures were removed. */
export function deleteCaptures(scope: InspectorScope, ids: number[]): Promise<number> {
  return call("delete_captures", { scope, ids });
}

export function clearCaptures(scope: InspectorScope): Promise<number> {
  return call("clear_captures", { scope });
}

export function captureCurl(scope: InspectorScope, id: number): Promise<string> {
  return call("capture_curl", { scope, id });
}

/** Writes the captures as one HAR file and resolves to its path. */
export function exportHar(scope: InspectorScope, ids: number[]): Promise<string> {
  return call("export_har", { scope, ids });
}

/** Calls `cb` when the embedded sandbox has started, or failed to, at launch; resolves to the unlisten function. */
export async function onSandboxSettled(cb: () => void): Promise<() => void> {
  return listen("sandbox-settled", () => cb());
}

/** Calls `cb` for every new or changed capture and every tunnel change; resolves to the unlisten function. */
export async function onInspectorEvent(cb: (event: InspectorEvent) => void): Promise<() => void> {
  return listen<InspectorEvent>("inspector", (event) => cb(event.payload));
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

/** The active environment's usage cache: how fresh, how big, what it can be filtered by. */
export function usageOverview(): Promise<UsageOverview> {
  return call("usage_overview");
}

/** Brings an environment's usage cache up to date; progress arrives through `onUsageSyncProgress`. */
export function usageSync(environment: Environment): Promise<UsageSyncReport> {
  return call("usage_sync", { environment });
}

/** Stops an environment's sync; resolves to whether one was running. */
export function usageCancelSync(environment: Environment): Promise<boolean> {
  return call("usage_cancel_sync", { environment });
}

/** A chart of the active environment's usage, drawn at the requested size. */
/** A window of the cached request log, newest first, and the length of the whole list. */
export function usageLog(request: UsageLogRequest): Promise<UsageLogPage> {
  return call("usage_log", { request });
}

export function usageChart(request: UsageChartRequest): Promise<UsageChart> {
  return call("usage_chart", { request });
}

/** Writes a chart (SVG, PNG) or the data behind it (CSV) to the exports folder. */
export function usageExport(request: UsageChartRequest, format: UsageExportFormat): Promise<UsageExport> {
  return call("usage_export", { request, format });
}

export function usageSetRetention(environment: Environment, days: number): Promise<UsageOverview> {
  return call("usage_set_retention", { environment, days });
}

/** Sandbox only: writes `requests` requests of realistic history over the last `days` days. */
export function usageSeed(environment: Environment, days: number, requests: number): Promise<SeedUsageReport> {
  return call("usage_seed", { environment, days, requests });
}

/** Calls `cb` with every progress report of a usage sync; resolves to the unlisten function. */
export async function onUsageSyncProgress(cb: (progress: UsageSyncProgress) => void): Promise<() => void> {
  return listen<UsageSyncProgress>("usage-sync-progress", (event) => cb(event.payload));
}

// --- Try It ------------------------------------------------------------------------------

/** The active environment's catalog; `refresh` downloads its OpenAPI document again. */
export function tryitCatalog(refresh: boolean): Promise<TryCatalog> {
  return call("tryit_catalog", { refresh });
}

/** The management key and every key kept in the keychain, with scopes (never secrets). */
export function tryitCredentials(): Promise<TryCredentials> {
  return call("tryit_credentials");
}

/** Per-field issues and a missing scope, without sending. */
export function tryitCheck(request: TryRequest): Promise<TryCheck> {
  return call("tryit_check", { request });
}

/** Sends once and records it in history. Rejects with `invalid_input` (details per field) unless `force`. */
export function tryitSend(environment: Environment, request: TryRequest, options: TrySendOptions): Promise<TryResponse> {
  return call("tryit_send", { environment, request, options });
}

/** Every page of a list; progress arrives through `onTryitProgress`. */
export function tryitFetchAll(environment: Environment, request: TryRequest, runId: string): Promise<TryFetchAll> {
  return call("tryit_fetch_all", { environment, request, runId });
}

/** Stops a running fetch; resolves to whether it was running. */
export function tryitCancel(runId: string): Promise<boolean> {
  return call("tryit_cancel", { runId });
}

/** cURL, JavaScript, Python, PHP and Java; the key is `$BOTBAT_API_KEY` unless `inlineKey`. */
export function tryitSnippets(request: TryRequest, inlineKey: boolean): Promise<TrySnippet[]> {
  return call("tryit_snippets", { request, inlineKey });
}

export function tryitParseCurl(text: string, credential: string): Promise<TryParsedCurl> {
  return call("tryit_parse_curl", { text, credential });
}

export function tryitHistory(query: string): Promise<TryHistoryItem[]> {
  return call("tryit_history", { query });
}

export function tryitHistoryEntry(id: number): Promise<TryHistoryEntry> {
  return call("tryit_history_entry", { id });
}

/** Deletes the active environment's Try It history; resolves to the rows removed. */
export function tryitClearHistory(): Promise<number> {
  return call("tryit_clear_history");
}

// Try It against a Botbiz or Botmaker connection: the same requests, responses and history
// types, kept per connection.

export function tryitConnectionCatalog(connectionId: string): Promise<TryCatalog> {
  return call("tryit_connection_catalog", { connectionId });
}

/** Sends through the connection's credential; a Botbiz 429's wait arrives through `onTryitProgress`. */
/** What is wrong with a request for the connection, and the URL it goes to, without sending it. */
export function tryitConnectionCheck(connectionId: string, request: TryRequest): Promise<TryCheck> {
  return call("tryit_connection_check", { connectionId, request });
}

export function tryitConnectionSend(connectionId: string, request: TryRequest, options: TrySendOptions, runId: string): Promise<TryResponse> {
  return call("tryit_connection_send", { connectionId, request, options, runId });
}

/** The platform's auth header reads an environment variable unless `inlineKey`. */
export function tryitConnectionSnippets(connectionId: string, request: TryRequest, inlineKey: boolean): Promise<TrySnippet[]> {
  return call("tryit_connection_snippets", { connectionId, request, inlineKey });
}

export function tryitConnectionHistory(connectionId: string, query: string): Promise<TryHistoryItem[]> {
  return call("tryit_connection_history", { connectionId, query });
}

export function tryitConnectionHistoryEntry(connectionId: string, id: number): Promise<TryHistoryEntry> {
  return call("tryit_connection_history_entry", { connectionId, id });
}

export function tryitConnectionClearHistory(connectionId: string): Promise<number> {
  return call("tryit_connection_clear_history", { connectionId });
}

/** The latest X-RateLimit-* headers the connection answered with. */
export function tryitConnectionLimits(connectionId: string): Promise<TryConnectionLimits> {
  return call("tryit_connection_limits", { connectionId });
}

/** One cheap authenticated read, for fresh rate-limit headers. */
export function tryitConnectionCheckLimits(connectionId: string): Promise<TryConnectionLimits> {
  return call("tryit_connection_check_limits", { connectionId });
}

// The SDKs panel: BotBat's SDKs and a first request in each SDK language, from Try It's
// snippet generator, for an environment or a connection.

export function tryitQuickstart(environment: Environment): Promise<QuickStart> {
  return call("tryit_quickstart", { environment });
}

/** Botbiz and Botmaker name no SDK: the answer says so, with plain-HTTP quick-starts. */
export function tryitConnectionQuickstart(connectionId: string): Promise<QuickStart> {
  return call("tryit_connection_quickstart", { connectionId });
}

/** Calls `cb` with each progress report of a running fetch; resolves to the unlisten function. */
export async function onTryitProgress(cb: (progress: TryProgress) => void): Promise<() => void> {
  return listen<TryProgress>("tryit-progress", (event) => cb(event.payload));
}

// --- Command palette ---------------------------------------------------------------------

/** Where an id (`req_…`, `evt_…`) appears in the active environment: request log, Try It history, captures, deliveries. */
export function findId(id: string): Promise<IdLookup> {
  return call("find_id", { id });
}
