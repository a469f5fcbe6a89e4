import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import type { UsageChartRequest } from "../lib/bindings/UsageChartRequest";
import type { UsageLogRequest } from "../lib/bindings/UsageLogRequest";
import type { UsageLogRow } from "../lib/bindings/UsageLogRow";
import type { UsageSyncReport } from "../lib/bindings/UsageSyncReport";
import { formatDateTime, formatTime } from "../lib/time.svelte";
import { commandError, deferred, FakeBackend } from "../test/backend-fake";
import { emitSyncProgress, KEYS, progress, UsageFake } from "../test/usage-fake";

async function openUsage(setup: (backend: FakeBackend, usage: UsageFake) => void = () => {}) {
  const backend = new FakeBackend();
  const usage = new UsageFake(backend).install();
  setup(backend, usage);
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId(`env-${backend.environment}`)).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-usage"));
  await screen.findByTestId("panel-usage");
  return { backend, usage };
}

function chartRequests(backend: FakeBackend, chart: string): UsageChartRequest[] {
  return backend
    .callsTo("usage_chart")
    .map((c) => c.args.request as UsageChartRequest)
    .filter((r) => r.chart === chart);
}

function lastRequest(backend: FakeBackend, chart: string): UsageChartRequest | undefined {
  const requests = chartRequests(backend, chart);
  return requests[requests.length - 1];
}

async function volumeImage(): Promise<HTMLElement> {
  return screen.findByTestId("usage-chart-volume-image");
}

afterEach(() => {
  vi.useRealTimers();
});

describe("usage", () => {
  it("a click on a band of a chart lists that series' requests in that bucket", async () => {
    const { backend } = await openUsage();
    const image = await volumeImage();
    const geometry = JSON.parse(image.getAttribute("data-geometry") ?? "{}");
    // The middle of the second series' band in the first bucket (the layer is unscaled here).
    const [first, second] = [geometry.values[0][0], geometry.values[1][0]];
    const y = geometry.plot.bottom - ((first + second / 2) / geometry.y_max) * (geometry.plot.bottom - geometry.plot.top);
    await fireEvent.click(screen.getByTestId("usage-chart-volume-hover"), { clientX: geometry.x[0], clientY: y });

    expect(await screen.findByTestId("requests-view")).toBeInTheDocument();
    expect(screen.getByTestId("requests-filter-endpoint")).toHaveValue("POST /v1/messages/send");
    expect(screen.getByTestId("requests-period")).toBeInTheDocument();
    await waitFor(() => {
      const asked = backend.callsTo("usage_log").map((c) => c.args.request as UsageLogRequest);
      expect(asked[asked.length - 1]).toMatchObject({
        endpoint: "POST /v1/messages/send",
        from: "2025-11-20T00:00:00.000Z",
        status: null,
      });
      expect(asked[asked.length - 1].to).not.toBeNull();
    });
  });

  it("draws the four charts from the cache at once and shows how fresh it is", async () => {
    const { backend } = await openUsage();

    for (const chart of ["volume", "errors", "latency", "rate-limits"]) {
      await screen.findByTestId(`usage-chart-${chart}-image`);
    }
    const volume = await volumeImage();
    expect(volume).toHaveAttribute("data-series", "GET /v1/contacts|POST /v1/messages/send");
    expect(volume.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    const request = chartRequests(backend, "volume")[0];
    expect(request).toMatchObject({ range: "24h", breakdown: "endpoint", key_id: null, theme: "light" });
    expect(request.width).toBeGreaterThanOrEqual(320);
    expect(request.time_zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(request.time_zone).not.toBe("");
    expect(screen.getByTestId("usage-sync-as-of")).toHaveTextContent(/As of just now · 48,210 requests cached/);
    await waitFor(() => expect(screen.getByTestId("usage-total-requests")).toHaveTextContent("Requests 3,024"));
    expect(screen.getByTestId("usage-total-error-rate")).toHaveTextContent("3.0%");
    expect(screen.getByTestId("usage-chart-volume-source")).toHaveAttribute(
      "title",
      expect.stringContaining("Answered from minute rollups (1,234 rows)"),
    );
    expect(screen.getByTestId("usage-chart-volume").querySelector("p.meta")).toBeNull();
    // Fresh (5 s old): no sync on opening.
    expect(backend.callsTo("usage_sync")).toHaveLength(0);
  });

  it("syncs a stale cache on opening and redraws when it is done", async () => {
    const { backend } = await openUsage((_, usage) => {
      usage.overviews.sandbox = { ...usage.overviews.sandbox, as_of: "2025-11-01T00:00:00Z" };
    });
    // The Dashboard (opened first) and the panel both ask; the backend runs one sync.
    await waitFor(() => expect(backend.callsTo("usage_sync").length).toBeGreaterThanOrEqual(1));
    expect(backend.callsTo("usage_sync")[0].args).toEqual({ environment: "sandbox" });
    const before = chartRequests(backend, "volume").length;
    await waitFor(() => expect(chartRequests(backend, "volume").length).toBeGreaterThan(before));
    await waitFor(() => expect(screen.getByTestId("usage-sync-as-of")).toHaveTextContent("As of just now"));
  });

  it("redraws the volume chart for another range and for one key", async () => {
    const { backend } = await openUsage();
    const user = userEvent.setup();
    await waitFor(async () => expect(await volumeImage()).toHaveAttribute("data-bucket-seconds", "600"));
    const day = Number((await volumeImage()).getAttribute("data-requests"));

    await user.click(screen.getByTestId("usage-range-7d"));
    await waitFor(async () => expect(await volumeImage()).toHaveAttribute("data-bucket-seconds", "3600"));
    expect(lastRequest(backend, "volume")?.range).toBe("7d");
    const week = Number((await volumeImage()).getAttribute("data-requests"));
    expect(week).toBeGreaterThan(day);

    await user.selectOptions(screen.getByTestId("usage-filter-key"), KEYS[0].key_id);
    await waitFor(() => expect(lastRequest(backend, "volume")?.key_id).toBe(KEYS[0].key_id));
    await waitFor(async () => expect(Number((await volumeImage()).getAttribute("data-requests"))).toBeLessThan(week));
    // Every chart follows the filters.
    for (const chart of ["errors", "latency", "rate_limits"]) {
      await waitFor(() => expect(lastRequest(backend, chart)).toMatchObject({ range: "7d", key_id: KEYS[0].key_id }));
    }

    await user.selectOptions(screen.getByTestId("usage-filter-status"), "5xx");
    await user.selectOptions(screen.getByTestId("usage-filter-endpoint"), "POST /v1/messages/send");
    await waitFor(() =>
      expect(lastRequest(backend, "volume")).toMatchObject({ status: "5xx", endpoint: "POST /v1/messages/send" }),
    );
  });

  it("switches a chart's breakdown by key and by error code", async () => {
    const { backend } = await openUsage();
    const user = userEvent.setup();
    await volumeImage();
    await user.click(screen.getByTestId("usage-chart-volume-by-key"));
    await waitFor(async () => expect(await volumeImage()).toHaveAttribute("data-series", KEYS.map((k) => k.label).join("|")));
    expect((await volumeImage()).getAttribute("alt")).toMatch(/^Requests by key: [\d,]+ requests$/);
    await user.click(screen.getByTestId("usage-chart-errors-by-error_code"));
    await waitFor(() => expect(lastRequest(backend, "errors")?.breakdown).toBe("error_code"));
  });

  it("checks a custom range before asking for it", async () => {
    const { backend } = await openUsage();
    const user = userEvent.setup();
    await volumeImage();
    await user.click(screen.getByTestId("usage-range-custom"));
    await waitFor(() => expect(lastRequest(backend, "volume")?.range).toBe("custom"));
    const sent = lastRequest(backend, "volume");
    expect(new Date(sent?.to ?? "").getTime() - new Date(sent?.from ?? "").getTime()).toBeGreaterThan(2 * 86_400_000);

    await fireEvent.input(screen.getByTestId("usage-custom-from"), { target: { value: "2025-11-20T12:00" } });
    await fireEvent.input(screen.getByTestId("usage-custom-to"), { target: { value: "2025-11-20T08:00" } });
    await user.click(screen.getByTestId("usage-custom-apply"));
    expect(screen.getByTestId("usage-custom-range")).toHaveTextContent("The end must be after the start.");
    await fireEvent.input(screen.getByTestId("usage-custom-to"), { target: { value: "2025-11-21T08:00" } });
    await user.click(screen.getByTestId("usage-custom-apply"));
    await waitFor(() => expect(lastRequest(backend, "volume")?.from).toBe(new Date("2025-11-20T12:00").toISOString()));
  });

  it("shows the values of the period under the pointer and under the arrow keys", async () => {
    await openUsage();
    const image = await volumeImage();
    await waitFor(() => expect(image).toHaveAttribute("data-requests"));
    const layer = screen.getByTestId("usage-chart-volume-hover");

    // Bucket 10 of the 24 h chart: 01:40 to 01:50 UTC, values 20 + 1 and 40 + 1.
    const width = 800;
    const x = 60 + ((width - 20 - 60) / 144) * 10.5;
    await fireEvent.pointerMove(layer, { clientX: x, clientY: 120 });
    const tooltip = await screen.findByTestId("usage-chart-volume-tooltip");
    const local = formatTime("2025-11-20T01:40:00Z", { seconds: false, zone: false });
    expect(tooltip).toHaveTextContent(local);
    expect(within(tooltip).getAllByRole("listitem").map((li) => li.textContent?.replace(/\s+/g, " ").trim())).toEqual([
      "POST /v1/messages/send 41",
      "GET /v1/contacts 21",
    ]);
    expect(tooltip).toHaveTextContent("Total: 70");
    await fireEvent.pointerLeave(layer);
    expect(screen.queryByTestId("usage-chart-volume-tooltip")).not.toBeInTheDocument();

    layer.focus();
    await fireEvent.keyDown(layer, { key: "End" });
    expect(await screen.findByTestId("usage-chart-volume-tooltip")).toHaveTextContent("Total: 203");
    await fireEvent.keyDown(layer, { key: "ArrowLeft" });
    expect(screen.getByTestId("usage-chart-volume-tooltip")).toHaveTextContent("Total: 202");
    expect(layer).toHaveAttribute("aria-valuenow", "142");
    expect(layer.getAttribute("aria-valuetext")).toContain("GET /v1/contacts");
  });

  it("shows a running sync's progress and stops it", async () => {
    const held = deferred<UsageSyncReport>();
    const { backend } = await openUsage((_, usage) => {
      usage.overviews.sandbox = { ...usage.overviews.sandbox, as_of: null };
      usage.hold = held.promise;
    });
    await waitFor(() => expect(backend.callsTo("usage_sync").length).toBeGreaterThanOrEqual(1));
    await emitSyncProgress(progress("sandbox"));
    const running = await screen.findByTestId("usage-sync-progress");
    const reached = formatDateTime("2025-11-12T14:00:00Z", { seconds: false });
    await waitFor(() => expect(running).toHaveTextContent(`Syncing… 1,200 requests · 600/s · reached ${reached}`));
    expect(running).toHaveTextContent("about 3,800 left");
    expect(screen.getByTestId("usage-sync")).toHaveAttribute("data-state", "running");

    await fireEvent.click(screen.getByTestId("usage-sync-stop"));
    await waitFor(() => expect(backend.callsTo("usage_cancel_sync")).toHaveLength(1));
    held.reject(commandError("sync_cancelled", "The sync was stopped."));
    await emitSyncProgress(progress("sandbox", { done: true, error: "The sync was stopped." }));
    await waitFor(() => expect(screen.getByTestId("usage-sync")).toHaveAttribute("data-state", "never"));
    expect(screen.queryByTestId("usage-sync-error")).not.toBeInTheDocument();
  });

  it("keeps showing cached data offline and says as of when", async () => {
    await openUsage((_, usage) => {
      usage.overviews.sandbox = {
        ...usage.overviews.sandbox,
        as_of: "2025-11-19T09:30:00Z",
        last_error: "Could not reach http://127.0.0.1:4010/v1/usage/requests: connection refused.",
      };
      usage.syncError = commandError("unreachable", "Could not reach http://127.0.0.1:4010/v1: connection refused.");
    });
    const offline = await screen.findByTestId("usage-offline");
    expect(offline).toHaveTextContent("Showing cached data as of");
    expect(offline).toHaveTextContent("connection refused");
    expect(await volumeImage()).toHaveAttribute("data-requests");
  });

  it("exports a chart as SVG, PNG or CSV and says where", async () => {
    const { backend } = await openUsage();
    const user = userEvent.setup();
    await volumeImage();
    await user.click(screen.getByTestId("usage-chart-volume-export-png"));
    const saved = await screen.findByTestId("usage-chart-volume-export-result");
    expect(saved).toHaveTextContent("Saved PNG (20,480 bytes) to /home/dev/Downloads/");
    const call = backend.callsTo("usage_export")[0];
    expect(call.args.format).toBe("png");
    expect(call.args.request).toMatchObject({ chart: "volume", range: "24h", breakdown: "endpoint" });
    await user.click(screen.getByTestId("usage-chart-volume-export-csv"));
    await waitFor(() => expect(screen.getByTestId("usage-chart-volume-export-result")).toHaveTextContent("Saved CSV"));
  });

  it("generates history in the sandbox and syncs it", async () => {
    const { backend } = await openUsage();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByTestId("usage-seed-requests"), "20000");
    expect(screen.getByTestId("usage-seed")).toHaveTextContent("takes about 67 s");
    await user.click(screen.getByTestId("usage-seed-run"));
    await waitFor(() => expect(backend.callsTo("usage_seed")).toHaveLength(1));
    expect(backend.callsTo("usage_seed")[0].args).toEqual({ environment: "sandbox", days: 30, requests: 20_000 });
    expect(await screen.findByTestId("usage-seed-result")).toHaveTextContent(
      "Wrote 20,000 requests over 30 days: 170 errors (75 rate limited in 12 bursts), 4 incidents.",
    );
    await waitFor(() => expect(backend.callsTo("usage_sync")).toHaveLength(1));
  });

  it("offers no history generator in Production and keeps each environment's cache apart", async () => {
    const { backend } = await openUsage();
    await volumeImage();
    await fireEvent.click(screen.getByTestId("env-production"));
    await waitFor(() => expect(screen.getByTestId("usage-filter-key")).toHaveTextContent("Billing bridge"));
    expect(screen.queryByTestId("usage-seed")).not.toBeInTheDocument();
    expect(screen.getByTestId("usage-filter-key")).not.toHaveTextContent("Checkout bot");
    expect(backend.environment).toBe("production");
  });

  it("changes how long raw requests are kept", async () => {
    const { backend } = await openUsage();
    const user = userEvent.setup();
    const select = await screen.findByTestId("usage-retention");
    expect(select).toHaveValue("30");
    await user.selectOptions(select, "7");
    await waitFor(() => expect(backend.callsTo("usage_set_retention")[0]?.args).toEqual({ environment: "sandbox", days: 7 }));
    await waitFor(() => expect(screen.getByTestId("usage-cache")).toHaveTextContent("9,000"));
  });
});

describe("dashboard usage chart", () => {
  it("is the same chart component, for the last 24 hours by endpoint", async () => {
    const backend = new FakeBackend();
    new UsageFake(backend).install();
    backend.install();
    render(App);
    const image = await screen.findByTestId("dashboard-chart-image");
    expect(image).toHaveAttribute("data-series", "GET /v1/contacts|POST /v1/messages/send");
    const request = chartRequests(backend, "volume")[0];
    expect(request).toMatchObject({ range: "24h", breakdown: "endpoint", height: 240 });
    expect(screen.queryByTestId("dashboard-chart-export-svg")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("dashboard-open-usage"));
    expect(await screen.findByTestId("panel-usage")).toBeInTheDocument();
  });
});

describe("requests view", () => {
  /** A log of `total` requests, every tenth a 404, answered window by window. */
  function fakeLog(backend: FakeBackend, total: number) {
    backend.on("usage_log", (args) => {
      const request = args.request as UsageLogRequest;
      const only404 = request.status === "4xx" || request.status === "404";
      const length = only404 ? total / 10 : total;
      const rows: UsageLogRow[] = [];
      for (let i = request.offset; i < Math.min(length, request.offset + request.limit); i += 1) {
        const id = only404 ? total - i * 10 : total - i;
        rows.push({
          id,
          time: new Date(Date.UTC(2026, 10, 30, 10, 0, 0) - i * 1000).toISOString(),
          key_id: "key_checkout1",
          key_name: "Checkout bot (seeded)",
          method: "GET",
          route: "/v1/contacts/{id}",
          status: id % 10 === 0 ? 404 : 200,
          latency_ms: 3.5,
          retry_after: null,
          request_id: `req_${String(id).padStart(8, "0")}`,
          console: false,
        });
      }
      return { environment: backend.environment, total: length, offset: request.offset, rows };
    });
  }

  it("draws only the rows in view of 100,000, filters by status and opens a row", async () => {
    const { backend } = await openUsage((b) => fakeLog(b, 100_000));
    await fireEvent.click(screen.getByTestId("usage-tab-requests"));

    expect(await screen.findByTestId("requests-total")).toHaveTextContent("100,000 requests");
    const rows = await screen.findAllByTestId("requests-row");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]).toHaveAttribute("data-request-id", "req_00100000");
    // One window of rows asked for, not the whole log.
    expect(backend.callsTo("usage_log")).toHaveLength(1);
    expect((backend.callsTo("usage_log")[0].args.request as UsageLogRequest).include_console).toBe(false);

    await userEvent.selectOptions(screen.getByTestId("requests-filter-status"), "4xx");
    await waitFor(() => expect(screen.getByTestId("requests-total")).toHaveTextContent("10,000 requests"));
    const errors = await screen.findAllByTestId("requests-row");
    expect(errors.every((row) => row.getAttribute("data-status") === "404")).toBe(true);
    const calls = backend.callsTo("usage_log");
    expect((calls[calls.length - 1].args.request as UsageLogRequest).status).toBe("4xx");

    await fireEvent.click(errors[0]);
    const detail = await screen.findByTestId("requests-detail");
    expect(detail).toHaveTextContent("req_00100000");
    expect(detail).toHaveTextContent("Checkout bot (seeded)");
  });

  it("is a grid the keyboard walks: one row in the Tab order, arrows move, Enter opens", async () => {
    await openUsage((b) => fakeLog(b, 100_000));
    await fireEvent.click(screen.getByTestId("usage-tab-requests"));
    const grid = await screen.findByRole("grid", { name: "Requests" });
    expect(grid).toHaveAttribute("aria-rowcount", "100001");
    const rows = await screen.findAllByTestId("requests-row");
    expect(rows.filter((row) => row.getAttribute("tabindex") === "0")).toEqual([rows[0]]);

    rows[0].focus();
    await userEvent.keyboard("{ArrowDown}{ArrowDown}");
    await waitFor(() => expect(document.activeElement).toHaveAttribute("data-request-id", "req_00099998"));
    await userEvent.keyboard("{Enter}");
    expect(await screen.findByTestId("requests-detail")).toHaveTextContent("req_00099998");
    expect(document.activeElement).toHaveAttribute("aria-selected", "true");
  });
});
