// The capture list's data: a window over what may be 100,000 captures, newest first.
//
// Nothing holds the whole list. The view says which rows are on screen; the feed fetches
// the pages of PAGE_SIZE rows that cover them (list_captures with offset/limit) and
// keeps at most MAX_PAGES of them, evicting the farthest. A new capture shifts every
// offset by one, so the feed marks its pages stale and refetches what is on screen,
// showing the old rows until the new ones arrive (no flicker); bursts of captures are
// coalesced into one refresh per REFRESH_MS. A changed capture (a forward result, a
// replay) is patched in place. While the user flings through the list, nothing is
// fetched for the rows flying past: a window is asked for once the view rests for
// SETTLE_MS (or every MAX_WAIT_MS during a long drag), and only for what is on screen
// then, so a fling costs a handful of queries instead of one per frame.

import { BackendError } from "../../lib/backend";
import type { CaptureFilter } from "../../lib/bindings/CaptureFilter";
import type { CapturePage } from "../../lib/bindings/CapturePage";
import type { CaptureSummary } from "../../lib/bindings/CaptureSummary";

export const PAGE_SIZE = 100;
export const MAX_PAGES = 24;
export const REFRESH_MS = 200;
export const SETTLE_MS = 90;
export const MAX_WAIT_MS = 400;

export type FetchWindow = (filter: CaptureFilter, offset: number, limit: number) => Promise<CapturePage>;

export const NO_FILTER: CaptureFilter = { event_type: null, verdict: null, forward: null, search: null };

export class CaptureFeed {
  /** Captures matching the filter. */
  total = $state(0);
  /** Whether the first window has answered since the last reset. */
  loaded = $state(false);
  error = $state<BackendError | null>(null);
  /** Bumped whenever cached rows change, so views re-read them. */
  version = $state(0);
  /** How many fetches are in flight (for a spinner). */
  busy = $state(0);
  /** Bumped by every reset, so the view asks for its rows again. */
  generation = $state(0);

  /** Called after a refresh caused by new captures with how many rows were added above. */
  onShift: ((added: number) => void) | null = null;

  private filter: CaptureFilter = NO_FILTER;
  private pages = new Map<number, CaptureSummary[]>();
  private stale = new Set<number>();
  private inflight = new Map<number, number>();
  private epoch = 0;
  private first = 0;
  private last = -1;
  private newest = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private fetchTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private lastMoveAt = Number.NEGATIVE_INFINITY;
  /** The epoch of the last refresh caused by arrivals, until its first answer. */
  private arrivalEpoch: number | null = null;

  constructor(private readonly fetchWindow: FetchWindow) {}

  get currentFilter(): CaptureFilter {
    return this.filter;
  }

  /** The row at `index` if its page is cached (possibly stale), else undefined. */
  row(index: number): CaptureSummary | undefined {
    void this.version;
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** The index of a cached capture, or -1. */
  indexOf(id: number): number {
    void this.version;
    for (const [page, rows] of this.pages) {
      const at = rows.findIndex((r) => r.id === id);
      if (at !== -1) return page * PAGE_SIZE + at;
    }
    return -1;
  }

  /** Cached rows, in list order (for finding an event among what was loaded). */
  cached(): CaptureSummary[] {
    void this.version;
    return [...this.pages.entries()].sort(([a], [b]) => a - b).flatMap(([, rows]) => rows);
  }

  /** Rows `first..=last` are on screen: fetch the pages covering them that are missing or stale. */
  show(first: number, last: number): void {
    const moved = Math.max(0, first) !== this.first || last !== this.last;
    this.first = Math.max(0, first);
    this.last = last;
    const now = Date.now();
    const moving = moved && now - this.lastMoveAt < SETTLE_MS;
    if (moved) this.lastMoveAt = now;
    if (this.wanted().length === 0) return;
    // At rest (a jump, the first load): at once. Moving: when it settles, or now and then.
    if (!moving || now - this.lastFetchAt >= MAX_WAIT_MS) {
      this.fetchWanted();
      return;
    }
    if (this.fetchTimer !== null) clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(() => {
      this.fetchTimer = null;
      this.fetchWanted();
    }, SETTLE_MS);
  }

  /** Pages on screen that are missing or stale and not already asked for. */
  private wanted(): number[] {
    const pages: number[] = [];
    const from = Math.floor(this.first / PAGE_SIZE);
    const to = Math.max(from, Math.floor(Math.max(this.last, this.first) / PAGE_SIZE));
    for (let page = from; page <= to; page += 1) {
      if (this.loaded && page * PAGE_SIZE >= Math.max(this.total, 1)) break;
      const missing = !this.pages.has(page) || this.stale.has(page);
      if (missing && this.inflight.get(page) !== this.epoch) pages.push(page);
    }
    return pages;
  }

  private fetchWanted(): void {
    if (this.fetchTimer !== null) clearTimeout(this.fetchTimer);
    this.fetchTimer = null;
    const pages = this.wanted();
    if (pages.length === 0) return;
    this.lastFetchAt = Date.now();
    for (const page of pages) void this.fetchPage(page);
  }

  /** A new filter: forget everything and start from the top. */
  setFilter(filter: CaptureFilter): void {
    this.filter = filter;
    this.reset();
  }

  reset(): void {
    this.epoch += 1;
    this.pages.clear();
    this.stale.clear();
    this.inflight.clear();
    this.total = 0;
    this.loaded = false;
    this.error = null;
    this.cancelTimer();
    this.arrivalEpoch = null;
    this.version += 1;
    this.generation += 1;
  }

  /** Offsets may have moved (captures added or removed): refetch what is on screen. */
  refresh(arrivals = false): void {
    this.epoch += 1;
    this.arrivalEpoch = arrivals ? this.epoch : null;
    this.inflight.clear();
    for (const page of this.pages.keys()) this.stale.add(page);
    // Already coalesced by the caller: go now.
    this.fetchWanted();
  }

  /**
   * A capture was stored or changed. A cached row is patched in place; a capture newer
   * than any seen schedules a refresh. Returns what happened.
   */
  onCapture(summary: CaptureSummary): "updated" | "new" | "other" {
    // Ids only grow, so a burst of new captures costs a comparison each, not a scan.
    if (summary.id > this.newest) {
      this.newest = summary.id;
      if (this.timer === null) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.refresh(true);
        }, REFRESH_MS);
      }
      return "new";
    }
    for (const rows of this.pages.values()) {
      const at = rows.findIndex((r) => r.id === summary.id);
      if (at !== -1) {
        rows[at] = summary;
        this.version += 1;
        return "updated";
      }
    }
    return "other";
  }

  dispose(): void {
    this.epoch += 1;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.fetchTimer !== null) clearTimeout(this.fetchTimer);
    this.timer = null;
    this.fetchTimer = null;
  }

  private async fetchPage(page: number): Promise<void> {
    const epoch = this.epoch;
    this.inflight.set(page, epoch);
    this.busy += 1;
    try {
      const answer = await this.fetchWindow(this.filter, page * PAGE_SIZE, PAGE_SIZE);
      if (epoch !== this.epoch) return;
      this.pages.set(page, answer.rows);
      this.stale.delete(page);
      for (const row of answer.rows) if (row.id > this.newest) this.newest = row.id;
      const added = answer.total - this.total;
      const shifted = this.arrivalEpoch === epoch;
      this.arrivalEpoch = shifted ? null : this.arrivalEpoch;
      this.total = answer.total;
      this.loaded = true;
      this.error = null;
      if (shifted && added > 0) this.onShift?.(added);
      this.evict();
      this.version += 1;
      // The total may have grown past what the first answer knew: cover the screen.
      this.show(this.first, this.last);
    } catch (raw) {
      if (epoch === this.epoch) this.error = BackendError.from(raw);
    } finally {
      this.busy -= 1;
      if (this.inflight.get(page) === epoch) this.inflight.delete(page);
    }
  }

  private evict(): void {
    if (this.pages.size <= MAX_PAGES) return;
    const centre = Math.floor(this.first / PAGE_SIZE);
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const page of far.slice(0, this.pages.size - MAX_PAGES)) {
      this.pages.delete(page);
      this.stale.delete(page);
    }
  }
}
