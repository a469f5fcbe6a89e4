import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pollWhileVisible } from "./poll";

let visibility: DocumentVisibilityState = "visible";

function show(state: DocumentVisibilityState): void {
  visibility = state;
  document.dispatchEvent(new Event("visibilitychange"));
}

describe("pollWhileVisible", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    visibility = "visible";
    vi.spyOn(document, "visibilityState", "get").mockImplementation(() => visibility);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("polls on its interval while shown, not at all while hidden, and catches up when shown", () => {
    const work = vi.fn();
    const stop = pollWhileVisible(1_000, work);
    vi.advanceTimersByTime(3_000);
    expect(work).toHaveBeenCalledTimes(3);

    show("hidden");
    vi.advanceTimersByTime(10_000);
    expect(work).toHaveBeenCalledTimes(3);

    show("visible");
    expect(work).toHaveBeenCalledTimes(4);

    stop();
    vi.advanceTimersByTime(5_000);
    show("visible");
    expect(work).toHaveBeenCalledTimes(4);
  });

  it("keeps no timer while the window is hidden, and none once stopped", () => {
    const stop = pollWhileVisible(250, vi.fn());
    expect(vi.getTimerCount()).toBe(1);
    show("hidden");
    expect(vi.getTimerCount()).toBe(0);
    show("visible");
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("runs at once when asked, unless the window is hidden", () => {
    const work = vi.fn();
    pollWhileVisible(1_000, work, { now: true })();
    expect(work).toHaveBeenCalledTimes(1);
    visibility = "hidden";
    pollWhileVisible(1_000, work, { now: true })();
    expect(work).toHaveBeenCalledTimes(1);
  });
});
