// Follows the usage cache's sync for one panel: starts one when the cache is stale, shows
// progress from the backend's `usage-sync-progress` events (also for a sync another panel
// started), and bumps `version` whenever the cache holds new rows, so charts redraw while
// a long sync fills them in.

import { BackendError, onUsageSyncProgress, usageCancelSync, usageSync } from "../../lib/backend";
import type { Environment } from "../../lib/bindings/Environment";
import type { UsageSyncProgress } from "../../lib/bindings/UsageSyncProgress";
import type { UsageSyncReport } from "../../lib/bindings/UsageSyncReport";

/** Charts redraw at most this often while a sync runs. */
const REDRAW_EVERY_MS = 2_000;

export class SyncTracker {
  progress = $state<UsageSyncProgress | null>(null);
  running = $state(false);
  error = $state<BackendError | null>(null);
  report = $state<UsageSyncReport | null>(null);
  /** Changes whenever the cache has new data. */
  version = $state(0);
  private lastRedraw = 0;
  private readonly environment: () => Environment;

  constructor(environment: () => Environment) {
    this.environment = environment;
  }

  /** Starts following progress events; resolves to the function that stops it. */
  listen(): Promise<() => void> {
    return onUsageSyncProgress((progress) => this.onProgress(progress));
  }

  reset(): void {
    this.progress = null;
    this.running = false;
    this.error = null;
    this.report = null;
  }

  /** A sync reported by the overview (started elsewhere) that is still running. */
  adopt(progress: UsageSyncProgress | null): void {
    if (progress === null || progress.environment !== this.environment()) return;
    this.progress = progress;
    this.running = !progress.done;
  }

  private onProgress(progress: UsageSyncProgress): void {
    if (progress.environment !== this.environment()) return;
    this.progress = progress;
    if (progress.done) {
      this.running = false;
      this.version += 1;
      return;
    }
    this.running = true;
    const now = Date.now();
    if (progress.rows > 0 && now - this.lastRedraw >= REDRAW_EVERY_MS) {
      this.lastRedraw = now;
      this.version += 1;
    }
  }

  async start(environment: Environment): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.error = null;
    this.lastRedraw = Date.now();
    try {
      const report = await usageSync(environment);
      if (environment !== this.environment()) return;
      this.report = report;
      this.running = false;
      this.version += 1;
    } catch (raw) {
      const error = BackendError.from(raw);
      if (environment !== this.environment()) return;
      // Another panel's sync is running: its events keep this one informed.
      if (error.code === "sync_running") return;
      this.running = false;
      if (error.code !== "sync_cancelled") this.error = error;
      this.version += 1;
    }
  }

  async stop(environment: Environment): Promise<void> {
    await usageCancelSync(environment);
  }
}
