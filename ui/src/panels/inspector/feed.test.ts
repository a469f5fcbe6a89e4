import { afterEach, describe, expect, it, vi } from "vitest";
import type { CaptureFilter } from "../../lib/bindings/CaptureFilter";
import type { CapturePage } from "../../lib/bindings/CapturePage";
import { summary } from "../../test/webhooks-fake";
import { CaptureFeed, MAX_PAGES, MAX_WAIT_MS, NO_FILTER, PAGE_SIZE, REFRESH_MS, SETTLE_MS } from "./feed.svelte";

/** A store of `total` captures, newest (highest id) first, recording each window asked for. */
function store(total: number) {
  const state = { total, calls: [] as { offset: number; limit: number; filter: CaptureFilter }[] };
  const fetch = async (filter: CaptureFilter, offset: number, limit: number): Promise<CapturePage> => {
    state.calls.push({ offset, limit, filter });
    const rows = [];
    for (let i = offset; i < Math.min(state.total, offset + limit); i += 1) rows.push(summary(state.total - i));
    return { rows, total: state.total };
  };
  return { state, fetch };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

afterEach(() => {
  vi.useRealTimers();
});

describe("capture feed", () => {
  it("fetches only the pages covering what is on screen, and keeps a bounded cache", async () => {
    vi.useFakeTimers();
    const { state, fetch } = store(100_000);
    const feed = new CaptureFeed(fetch);
    feed.show(0, 20);
    await settle();
    expect(state.calls.map((c) => c.offset)).toEqual([0]);
    expect(feed.total).toBe(100_000);
    expect(feed.row(0)?.id).toBe(100_000);
    expect(feed.row(150)).toBeUndefined();

    for (let page = 1; page <= MAX_PAGES + 10; page += 1) {
      feed.show(page * PAGE_SIZE * 10, page * PAGE_SIZE * 10 + 20);
      await vi.advanceTimersByTimeAsync(SETTLE_MS);
      await settle();
    }
    expect(feed.cached().length).toBeLessThanOrEqual(MAX_PAGES * PAGE_SIZE);
    expect(state.calls.every((c) => c.limit === PAGE_SIZE)).toBe(true);
    // The rows on screen stay cached.
    const last = (MAX_PAGES + 10) * PAGE_SIZE * 10;
    expect(feed.row(last)?.id).toBe(100_000 - last);
  });

  it("asks only for what is on screen when a fast drag settles", async () => {
    vi.useFakeTimers();
    const { state, fetch } = store(100_000);
    const feed = new CaptureFeed(fetch);
    feed.show(0, 20);
    await settle();
    // Sixty frames of a fling, 80 rows a frame.
    for (let frame = 1; frame <= 60; frame += 1) {
      feed.show(frame * 80, frame * 80 + 20);
      await vi.advanceTimersByTimeAsync(16);
    }
    // Nothing for the rows flying past but an occasional window during the long drag.
    // (A window may span two pages.)
    expect(state.calls.length).toBeLessThanOrEqual(1 + 2 * Math.ceil((60 * 16) / MAX_WAIT_MS));
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    await settle();
    expect(feed.row(60 * 80)?.id).toBe(100_000 - 60 * 80);
    expect(feed.row(60 * 80 + 20)?.id).toBe(100_000 - 60 * 80 - 20);
  });

  it("patches a changed capture in place and coalesces new ones into one refresh", async () => {
    vi.useFakeTimers();
    const { state, fetch } = store(3);
    const feed = new CaptureFeed(fetch);
    const shifts: number[] = [];
    feed.onShift = (added) => shifts.push(added);
    feed.show(0, 10);
    await settle();
    expect(feed.total).toBe(3);

    expect(feed.onCapture(summary(2, { forward_status: 502 }))).toBe("updated");
    expect(feed.row(1)?.forward_status).toBe(502);
    expect(state.calls).toHaveLength(1);

    state.total = 6;
    expect(feed.onCapture(summary(4))).toBe("new");
    expect(feed.onCapture(summary(5))).toBe("new");
    expect(feed.onCapture(summary(6))).toBe("new");
    expect(state.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    await settle();
    expect(state.calls).toHaveLength(2);
    expect(feed.total).toBe(6);
    expect(feed.row(0)?.id).toBe(6);
    expect(shifts).toEqual([3]);
  });

  it("drops answers from before a filter change", async () => {
    let release: (() => void) | null = null;
    const calls: CaptureFilter[] = [];
    const feed = new CaptureFeed(async (filter) => {
      calls.push(filter);
      if (filter === NO_FILTER) await new Promise<void>((resolve) => (release = resolve));
      return { rows: filter === NO_FILTER ? [summary(1), summary(2)] : [summary(2)], total: filter === NO_FILTER ? 2 : 1 };
    });
    feed.show(0, 10);
    const filter: CaptureFilter = { ...NO_FILTER, verdict: "invalid" };
    feed.setFilter(filter);
    feed.show(0, 10);
    await vi.waitFor(() => expect(calls).toContain(filter));
    await settle();
    release!();
    await settle();
    expect(feed.total).toBe(1);
    expect(feed.row(0)?.id).toBe(2);
  });
});
