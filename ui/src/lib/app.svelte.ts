// Window-wide state: backend status, the active environment, the open panel and the theme.
//
// `generation` is the guard that keeps figures from one environment out of the other.
// It changes whenever data on screen may belong to a different environment or server
// (a switch starting, a switch finishing, a base URL or key change). Panels clear their
// state when it changes and drop any response that was requested under an older value.

import { getContext, setContext } from "svelte";
import {
  appStatus,
  BackendError,
  getPreferences,
  listConnections,
  onSandboxSettled,
  setActiveConnection,
  setEnvironment,
} from "./backend";
import type { InspectorScope } from "./backend";
import type { AppStatus } from "./bindings/AppStatus";
import type { Connection } from "./bindings/Connection";
import type { Environment } from "./bindings/Environment";
import type { Theme } from "./bindings/Theme";
import type { PanelId } from "./panels";
import type { RequestsFilter } from "../panels/usage/requests";
import { environmentLabel } from "./format";
import { connectionName } from "./platforms";
import { applyTheme } from "./theme";
import { setUtcTimes } from "./time.svelte";

// Asking the backend is an in-process call (no HTTP), so a short interval costs nothing
// and the dashboard appears as soon as the sandbox is up.

export class AppState {
  status = $state<AppStatus | null>(null);
  bootError = $state<BackendError | null>(null);
  /** The environment a switch is heading to while `set_environment` is in flight. */
  switching = $state<Environment | null>(null);
  switchError = $state<BackendError | null>(null);
  generation = $state(0);
  panel = $state<PanelId>("dashboard");
  theme = $state<Theme>("system");
  /**
   * Whether figures and charts count the console's own requests (its polls and syncs,
   * which the platform marks by their User-Agent). Left out by default: the figures are
   * the user's traffic. One switch for every panel.
   */
  includeConsole = $state(false);

  /**
   * The Botbiz or Botmaker connection the panels work against, or `null` for BotBat, where
   * the Sandbox/Production switch decides. Changing it changes `generation`, so no data
   * from one connection is shown in another.
   */
  connection = $state<Connection | null>(null);
  /** The saved connections the header offers as targets, oldest first. */
  connections = $state<Connection[]>([]);
  /** Why the saved connections could not be listed, shown where they are managed. */
  connectionsError = $state<BackendError | null>(null);

  /** What the Requests view is opened on next (a chart's bucket, a pasted request id). */
  requestsFilter = $state<RequestsFilter | null>(null);

  environment: Environment = $derived(this.status?.environment ?? "sandbox");
  /** Whose captures the Inspector shows: the active connection's, or the environment's. */
  inspectorScope: InspectorScope = $derived(this.connection ? (`connection:${this.connection.id}` as const) : this.environment);
  /** The active target as the user reads it: "Sandbox", "Production", "Botbiz · Acme". */
  targetLabel: string = $derived(this.connection ? connectionName(this.connection) : environmentLabel(this.environment));
  /** Panels load data only when this is true. */
  ready: boolean = $derived(this.status !== null && this.switching === null);
  /** Whether the active environment has a management key; creating anything needs one. */
  hasManagementKey: boolean = $derived(this.status?.has_management_key === true);

  async init(): Promise<void> {
    this.bootError = null;
    try {
      await this.followSandboxStart();
      const [status, preferences] = await Promise.all([appStatus(), getPreferences(), this.loadConnections()]);
      this.restoreConnection(preferences.active_connection);
      this.status = status;
      this.setTheme(preferences.theme);
      setUtcTimes(preferences.utc_times);
      this.generation += 1;
    } catch (error) {
      this.bootError = BackendError.from(error);
    }
  }

  #followingSandbox = false;

  /**
   * The embedded sandbox may still be starting at launch: the backend says when it has
   * started or failed, and the status is read again then. The listener is in place before
   * the first status is read, so a start that finishes in between is not missed.
   */
  private async followSandboxStart(): Promise<void> {
    if (this.#followingSandbox) return;
    this.#followingSandbox = true;
    await onSandboxSettled(() => void this.refreshStatus());
  }

  async switchEnvironment(target: Environment): Promise<void> {
    if (this.status === null || this.switching !== null || target === this.environment) return;
    this.switching = target;
    this.switchError = null;
    this.generation += 1;
    try {
      this.status = await setEnvironment(target);
    } catch (error) {
      this.switchError = BackendError.from(error);
    } finally {
      this.switching = null;
      this.generation += 1;
    }
  }

  /** Re-reads the status (base URL, sandbox, keychain); discards panel data if the target moved. */
  async refreshStatus(): Promise<void> {
    try {
      const next = await appStatus();
      const previous = this.status;
      const moved =
        previous === null ||
        next.environment !== previous.environment ||
        next.base_url !== previous.base_url ||
        (next.environment === "sandbox" && next.sandbox.running !== previous.sandbox.running);
      this.status = next;
      if (moved) this.generation += 1;
    } catch (error) {
      // A failed background refresh keeps the last known status on screen.
      if (this.status === null) this.bootError = BackendError.from(error);
    }
  }

  /** Makes `connection` (or BotBat, for `null`) the target of every panel, at once and at the next start. */
  useConnection(connection: Connection | null): void {
    if ((connection?.id ?? null) === (this.connection?.id ?? null)) return;
    this.connection = connection;
    this.generation += 1;
    this.switchError = null;
    // Only the choice is written (no network): the switch does not wait for it.
    setActiveConnection(connection?.id ?? null).catch((error: unknown) => {
      this.switchError = BackendError.from(error);
    });
  }

  /** Re-reads the saved connections; the active one, if removed meanwhile, gives way to BotBat. */
  async loadConnections(): Promise<void> {
    try {
      this.connections = await listConnections();
      this.connectionsError = null;
    } catch (error) {
      this.connectionsError = BackendError.from(error);
      return;
    }
    const active = this.connection;
    if (active !== null) {
      const current = this.connections.find((c) => c.id === active.id) ?? null;
      if (current === null) this.useConnection(null);
      else this.connection = current;
    }
  }

  /** At start: the connection the last session used, or BotBat when it is gone. */
  private restoreConnection(id: string | null): void {
    if (id === null) return;
    const saved = this.connections.find((c) => c.id === id) ?? null;
    if (saved !== null) this.connection = saved;
    // A stale choice is cleared; should that write fail, the next start falls back again.
    else if (this.connectionsError === null) void setActiveConnection(null).catch(() => undefined);
  }

  /** Tells panels that what they show may be stale (e.g. the management key changed). */
  invalidate(): void {
    this.generation += 1;
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    applyTheme(theme);
  }

  navigate(panel: PanelId): void {
    this.panel = panel;
  }

  /** Opens Usage → Requests listing what `filter` picks. */
  openRequests(filter: RequestsFilter): void {
    this.requestsFilter = filter;
    this.panel = "usage";
  }
}

const KEY = Symbol("botbat-app");

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

/** The context a component finds the app in, for mounting one component without the shell (its tests). */
export function appContext(app: AppState): Map<symbol, AppState> {
  return new Map([[KEY, app]]);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error("useApp() called outside the app shell");
  return app;
}
