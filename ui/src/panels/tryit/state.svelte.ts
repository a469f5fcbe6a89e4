// The Try It panel's state and actions, shared by its parts (catalog, builder, response,
// code, history). Every answer is checked against the generation it was asked under, so
// nothing from one environment lands on screen after a switch to the other.

import type { AppState } from "../../lib/app.svelte";
import {
  BackendError,
  tryitCancel,
  tryitCatalog,
  tryitCheck,
  tryitClearHistory,
  tryitConnectionCatalog,
  tryitConnectionCheck,
  tryitConnectionClearHistory,
  tryitConnectionHistory,
  tryitConnectionHistoryEntry,
  tryitConnectionSend,
  tryitConnectionSnippets,
  tryitCredentials,
  tryitFetchAll,
  tryitHistory,
  tryitHistoryEntry,
  tryitParseCurl,
  tryitSend,
  tryitSnippets,
} from "../../lib/backend";
import type { FieldIssue } from "../../lib/bindings/FieldIssue";
import type { TryCatalog } from "../../lib/bindings/TryCatalog";
import type { TryCheck } from "../../lib/bindings/TryCheck";
import type { TryCredential } from "../../lib/bindings/TryCredential";
import type { TryCredentials } from "../../lib/bindings/TryCredentials";
import type { TryFetchAll } from "../../lib/bindings/TryFetchAll";
import type { TryHistoryItem } from "../../lib/bindings/TryHistoryItem";
import type { TryOperation } from "../../lib/bindings/TryOperation";
import type { TryProgress } from "../../lib/bindings/TryProgress";
import type { TryRequest } from "../../lib/bindings/TryRequest";
import type { TryResponse } from "../../lib/bindings/TryResponse";
import type { TrySnippet } from "../../lib/bindings/TrySnippet";
import type { ProductionGate } from "../../lib/confirm.svelte";
import { adviceFor } from "../../lib/errors";
import { environmentLabel } from "../../lib/format";
import { allOperations, MANAGEMENT, mergeRequest, newRequest } from "./request";

export interface FetchRun {
  runId: string;
  running: boolean;
  progress: TryProgress | null;
  result: TryFetchAll | null;
  error: BackendError | null;
}

export interface PastedNotice {
  warnings: string[];
  files: string[];
}

let runCounter = 0;

export class TryItState {
  catalog = $state<TryCatalog | null>(null);
  catalogError = $state<BackendError | null>(null);
  catalogLoading = $state(false);
  credentials = $state<TryCredentials | null>(null);
  credentialsError = $state<BackendError | null>(null);
  search = $state("");
  operation = $state<TryOperation | null>(null);
  request = $state<TryRequest | null>(null);
  check = $state<TryCheck | null>(null);
  sending = $state(false);
  response = $state<TryResponse | null>(null);
  /** The response shown was reopened from history, not just received. */
  fromHistory = $state(false);
  sendError = $state<BackendError | null>(null);
  /** Issues that stopped the last Send; the user may send anyway. */
  refused = $state<FieldIssue[] | null>(null);
  fetchRun = $state<FetchRun | null>(null);
  history = $state<TryHistoryItem[] | null>(null);
  historyError = $state<BackendError | null>(null);
  historyQuery = $state("");
  pasted = $state<PastedNotice | null>(null);
  /** A Botbiz 429 being waited out before the send is made once more. */
  waiting = $state<{ runId: string; seconds: number; until: number } | null>(null);
  /** The last send forced past validation, so a retry does the same. */
  lastForce = false;

  constructor(
    private app: AppState,
    private gate: ProductionGate,
  ) {}

  /** The platform of the active connection, or null for BotBat. */
  get platform(): "botbiz" | "botmaker" | null {
    return this.app.connection?.platform ?? null;
  }

  credential: TryCredential | null = $derived(
    this.credentials?.credentials.find((c) => c.id === this.request?.credential) ?? null,
  );

  reset(): void {
    this.catalog = null;
    this.catalogError = null;
    this.catalogLoading = false;
    this.credentials = null;
    this.credentialsError = null;
    this.operation = null;
    this.request = null;
    this.check = null;
    this.sending = false;
    this.response = null;
    this.fromHistory = false;
    this.sendError = null;
    this.refused = null;
    this.history = null;
    this.historyError = null;
    this.pasted = null;
    if (this.fetchRun?.running) void tryitCancel(this.fetchRun.runId);
    this.fetchRun = null;
    this.waiting = null;
  }

  async load(generation: number, refresh = false): Promise<void> {
    this.catalogLoading = true;
    void this.loadCredentials(generation);
    void this.loadHistory(generation);
    try {
      const connection = this.app.connection;
      const catalog = connection ? await tryitConnectionCatalog(connection.id) : await tryitCatalog(refresh);
      if (generation !== this.app.generation) return;
      this.catalog = catalog;
      this.catalogError = null;
      if (this.operation !== null) {
        this.operation = allOperations(catalog).find((op) => op.id === this.operation?.id) ?? null;
      }
    } catch (raw) {
      if (generation !== this.app.generation) return;
      this.catalogError = BackendError.from(raw);
    } finally {
      if (generation === this.app.generation) this.catalogLoading = false;
    }
  }

  async loadCredentials(generation: number): Promise<void> {
    const connection = this.app.connection;
    if (connection) {
      // A connection has one credential, its own, applied by the backend.
      this.credentials = {
        environment: this.app.environment,
        credentials: [
          { id: MANAGEMENT, label: connection.label, masked: connection.masked_credential, scopes: [], source: "connection", status: "active" },
        ],
        note: null,
      };
      this.credentialsError = null;
      return;
    }
    try {
      const credentials = await tryitCredentials();
      if (generation !== this.app.generation) return;
      this.credentials = credentials;
      this.credentialsError = null;
      if (this.request && !credentials.credentials.some((c) => c.id === this.request?.credential)) {
        this.request.credential = MANAGEMENT;
      }
    } catch (raw) {
      if (generation !== this.app.generation) return;
      this.credentialsError = BackendError.from(raw);
    }
  }

  async loadHistory(generation: number = this.app.generation): Promise<void> {
    try {
      const connection = this.app.connection;
      const items = connection
        ? await tryitConnectionHistory(connection.id, this.historyQuery)
        : await tryitHistory(this.historyQuery);
      if (generation !== this.app.generation) return;
      this.history = items;
      this.historyError = null;
    } catch (raw) {
      if (generation !== this.app.generation) return;
      this.historyError = BackendError.from(raw);
    }
  }

  /** Opens an endpoint in the builder with a fresh request (the credential is kept). */
  select(operation: TryOperation): void {
    const credential = this.request?.credential ?? MANAGEMENT;
    this.operation = operation;
    this.request = newRequest(operation, credential);
    this.check = null;
    this.response = null;
    this.fromHistory = false;
    this.sendError = null;
    this.refused = null;
    this.pasted = null;
    this.fetchRun = null;
  }

  /** Loads a request (history, cURL) into the builder. */
  open(request: TryRequest): void {
    const operation =
      allOperations(this.catalog).find((op) => op.id === request.operation_id) ??
      allOperations(this.catalog).find((op) => op.method === request.method && op.path === request.path) ??
      null;
    this.operation = operation;
    const known = this.credentials?.credentials.some((c) => c.id === request.credential) ?? true;
    this.request = mergeRequest(operation, { ...request, credential: known ? request.credential : MANAGEMENT });
    this.check = null;
    this.sendError = null;
    this.refused = null;
    this.fetchRun = null;
  }

  async runCheck(generation: number): Promise<void> {
    const request = this.request;
    if (request === null) return;
    const connection = this.app.connection;
    try {
      const snapshot = $state.snapshot(request);
      const check = connection ? await tryitConnectionCheck(connection.id, snapshot) : await tryitCheck(snapshot);
      if (generation !== this.app.generation || request !== this.request) return;
      this.check = check;
    } catch {
      // A failed check only means no hints; sending reports the real error.
    }
  }

  /** Sends the request. Writes in Production are confirmed first, naming the environment. */
  async send(force = false): Promise<void> {
    const request = this.request;
    if (request === null || this.sending) return;
    const environment = this.app.environment;
    const generation = this.app.generation;
    const method = request.method.toUpperCase();
    let confirmed = false;
    if (environment === "production" && method !== "GET") {
      confirmed = await this.gate.confirm(environment, {
        title: `This sends ${method} ${request.path} to ${environmentLabel(environment).toUpperCase()}.`,
        message: "It runs against the live platform: real contacts, real messages, real customers. It cannot be undone from here.",
        action: `Send to ${environmentLabel(environment)}`,
      });
      if (!confirmed) return;
    }
    this.sending = true;
    this.sendError = null;
    this.refused = null;
    this.lastForce = force;
    try {
      const connection = this.app.connection;
      runCounter += 1;
      const runId = `send-${Date.now()}-${runCounter}`;
      if (connection) this.waiting = { runId, seconds: 0, until: 0 };
      const response = connection
        ? await tryitConnectionSend(connection.id, $state.snapshot(request), { force, confirmed }, runId)
        : await tryitSend(environment, $state.snapshot(request), { force, confirmed });
      if (generation !== this.app.generation) return;
      this.response = response;
      this.fromHistory = false;
      this.fetchRun = null;
      void this.loadHistory(generation);
    } catch (raw) {
      if (generation !== this.app.generation) return;
      const error = BackendError.from(raw);
      if (adviceFor(error).marksFields && error.details.length > 0 && !force) {
        this.refused = error.details;
      } else {
        this.sendError = error;
      }
    } finally {
      if (generation === this.app.generation) {
        this.sending = false;
        this.waiting = null;
      }
    }
  }

  /** Cancels a Botbiz rate-limit wait: the 429 stays on screen and nothing more is sent. */
  async cancelWait(): Promise<void> {
    if (this.waiting) await tryitCancel(this.waiting.runId);
  }

  /** The request as code, for the active environment or connection. */
  snippets(request: TryRequest, inlineKey: boolean): Promise<TrySnippet[]> {
    const connection = this.app.connection;
    return connection ? tryitConnectionSnippets(connection.id, request, inlineKey) : tryitSnippets(request, inlineKey);
  }

  clearHistory(): Promise<number> {
    const connection = this.app.connection;
    return connection ? tryitConnectionClearHistory(connection.id) : tryitClearHistory();
  }

  /** Sends the same request with the cursor of the page on screen. */
  async nextPage(): Promise<void> {
    const cursor = this.response?.next_cursor;
    if (!cursor || this.request === null) return;
    const query = this.request.query.filter((p) => p.name !== "cursor");
    query.push({ name: "cursor", value: cursor });
    this.request.query = query;
    await this.send(this.lastForce);
  }

  async fetchAll(): Promise<void> {
    const request = this.request;
    if (request === null || this.fetchRun?.running) return;
    const generation = this.app.generation;
    runCounter += 1;
    const runId = `run-${Date.now()}-${runCounter}`;
    this.fetchRun = { runId, running: true, progress: null, result: null, error: null };
    try {
      const result = await tryitFetchAll(this.app.environment, $state.snapshot(request), runId);
      if (generation !== this.app.generation || this.fetchRun?.runId !== runId) return;
      this.fetchRun = { ...this.fetchRun, running: false, result };
      void this.loadHistory(generation);
    } catch (raw) {
      if (generation !== this.app.generation || this.fetchRun?.runId !== runId) return;
      this.fetchRun = { ...this.fetchRun, running: false, error: BackendError.from(raw) };
    }
  }

  progress(progress: TryProgress): void {
    if (this.waiting && this.waiting.runId === progress.run_id && progress.waiting_seconds !== null) {
      this.waiting = { ...this.waiting, seconds: progress.waiting_seconds, until: Date.now() + progress.waiting_seconds * 1000 };
      return;
    }
    if (this.fetchRun && this.fetchRun.runId === progress.run_id && this.fetchRun.running) {
      this.fetchRun.progress = progress;
    }
  }

  async cancelFetch(): Promise<void> {
    if (this.fetchRun?.running) await tryitCancel(this.fetchRun.runId);
  }

  async reopen(id: number): Promise<void> {
    const generation = this.app.generation;
    try {
      const connection = this.app.connection;
      const entry = connection ? await tryitConnectionHistoryEntry(connection.id, id) : await tryitHistoryEntry(id);
      if (generation !== this.app.generation) return;
      this.open(entry.request);
      this.response = entry.response;
      this.fromHistory = true;
    } catch (raw) {
      if (generation !== this.app.generation) return;
      this.historyError = BackendError.from(raw);
    }
  }

  async resend(id: number): Promise<void> {
    await this.reopen(id);
    if (this.request !== null) await this.send(false);
  }

  /** Fills the builder from a cURL command; rejects with what could not be read. */
  async paste(text: string): Promise<void> {
    const parsed = await tryitParseCurl(text, this.request?.credential ?? MANAGEMENT);
    this.open(parsed.request);
    this.response = null;
    this.fromHistory = false;
    this.pasted = { warnings: parsed.warnings, files: parsed.files_to_choose };
  }
}
