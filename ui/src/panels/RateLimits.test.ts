import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import type { BurstReport } from "../lib/bindings/BurstReport";
import {
  burstReport,
  burstResults,
  commandError,
  deferred,
  emitBurstProgress,
  FakeBackend,
} from "../test/backend-fake";

async function openLimits(backend: FakeBackend = new FakeBackend()) {
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId(`env-${backend.environment}`)).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-rate-limits"));
  await screen.findByTestId("gauge-key");
  return backend;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("rate limits", () => {
  it("shows both gauges as used / limit with the time to reset", async () => {
    await openLimits();

    const key = screen.getByTestId("gauge-key");
    expect(key).toHaveTextContent("7 / 20");
    expect(key).toHaveTextContent("per second");
    expect(key).toHaveTextContent("13 left");
    expect(within(key).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "7");
    expect(within(key).getByRole("progressbar")).toHaveAttribute("aria-valuemax", "20");
    const org = screen.getByTestId("gauge-org");
    expect(org).toHaveTextContent("314 / 1,200");
    expect(org).toHaveTextContent("per minute");
    expect(screen.getByTestId("gauge-org-reset")).toHaveTextContent(/resets in (4[0-2]) s/);
    expect(screen.getByTestId("panel-rate-limits")).toHaveTextContent("about 8 requests a minute");
  });

  it("highlights the current plan in the plan table", async () => {
    const backend = new FakeBackend();
    backend.plan = "enterprise";
    await openLimits(backend);

    expect(screen.getByTestId("plan-enterprise")).toHaveAttribute("data-current", "true");
    expect(screen.getByTestId("plan-starter")).toHaveAttribute("data-current", "false");
    expect(screen.getByTestId("plan-professional")).toHaveAttribute("data-current", "false");
    const cells = (plan: string) =>
      within(screen.getByTestId(`plan-${plan}`))
        .getAllByRole("cell")
        .map((cell) => cell.textContent?.trim());
    expect(cells("starter")).toEqual(["Starter", "5", "300"]);
    expect(cells("professional")).toEqual(["Professional", "20", "1,200"]);
    expect(cells("enterprise")).toEqual(["Enterprise Your plan", "50", "5,000"]);
  });

  it("lists recent 429s with the exact time on hover", async () => {
    await openLimits();

    const rows = within(screen.getByTestId("recent-429s")).getAllByTestId("recent-429-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("2 min ago");
    expect(within(rows[0]).getByText("2 min ago")).toHaveAttribute("title");
    expect(rows[0]).toHaveTextContent("key_crm1");
    expect(rows[0]).toHaveTextContent("POST /v1/messages/send");
    expect(rows[0]).toHaveTextContent("1 s");
    expect(rows[1]).toHaveTextContent("—");
  });

  it("polls every fifteen seconds while open", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const backend = await openLimits();
    expect(backend.callsTo("rate_limits_view")).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(backend.callsTo("rate_limits_view")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    await waitFor(() => expect(backend.callsTo("rate_limits_view")).toHaveLength(2));
    await vi.advanceTimersByTimeAsync(15_000);
    await waitFor(() => expect(backend.callsTo("rate_limits_view")).toHaveLength(3));

    await fireEvent.click(screen.getByTestId("nav-dashboard"));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(backend.callsTo("rate_limits_view")).toHaveLength(3);
  });

  it("explains a failure with its code and hint", async () => {
    const backend = new FakeBackend().on("rate_limits_view", () => {
      throw commandError("rate_limited", "Too many requests.", { status: 429, request_id: "req_429" });
    });
    backend.install();
    render(App);
    await waitFor(() => expect(screen.getByTestId("env-sandbox")).toBeEnabled());
    await fireEvent.click(screen.getByTestId("nav-rate-limits"));

    const notice = await screen.findByTestId("limits-error");
    expect(notice).toHaveTextContent("rate_limited");
    expect(notice).toHaveTextContent("req_429");
    expect(notice).toHaveTextContent("rate limit for this key or organisation was reached");
  });
});

describe("burst test", () => {
  it("is hidden in production, with the reason", async () => {
    const backend = new FakeBackend();
    backend.environment = "production";
    await openLimits(backend);

    expect(screen.queryByTestId("burst-test")).not.toBeInTheDocument();
    expect(screen.queryByTestId("burst-run")).not.toBeInTheDocument();
    expect(screen.getByTestId("burst-production-note")).toHaveTextContent("only in the Sandbox");
  });

  it("offers the management key and the keys kept on this machine", async () => {
    await openLimits();

    const select = screen.getByTestId("burst-key");
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(2));
    const options = within(select).getAllByRole("option").map((o) => o.textContent);
    expect(options[0]).toBe("Management key");
    expect(options[1]).toContain("CRM sync");
  });

  it("draws each request as it finishes and ends with the report", async () => {
    const backend = new FakeBackend();
    const final = deferred<BurstReport>();
    backend.on("burst_test", () => final.promise);
    await openLimits(backend);
    const user = userEvent.setup();
    const select = screen.getByTestId("burst-key");
    await waitFor(() => expect(within(select).getAllByRole("option")).toHaveLength(2));
    await user.selectOptions(select, "key_crm1");

    await user.click(screen.getByTestId("burst-run"));
    await waitFor(() => expect(backend.callsTo("burst_test")).toHaveLength(1));
    expect(backend.callsTo("burst_test")[0]?.args).toEqual({ environment: "sandbox", keyId: "key_crm1", count: 20 });

    const results = burstResults(20, 5);
    await emitBurstProgress(results[0]);
    await emitBurstProgress(results[1]);
    await emitBurstProgress(results[7]);

    await waitFor(() => expect(screen.getAllByTestId("burst-cell")).toHaveLength(3));
    const cells = screen.getAllByTestId("burst-cell");
    expect(cells.map((c) => c.getAttribute("data-status"))).toEqual(["200", "200", "429"]);
    expect(screen.getByTestId("burst-summary")).toHaveTextContent("3 sent · 2 OK · 1 rate-limited (429)");
    expect(screen.getByTestId("burst-retry")).toHaveTextContent("retry in 1 s");
    expect(screen.getByTestId("burst-run")).toBeDisabled();

    final.resolve(burstReport(results));

    await waitFor(() => expect(screen.getAllByTestId("burst-cell")).toHaveLength(20));
    expect(screen.getByTestId("burst-summary")).toHaveTextContent("20 sent · 5 OK · 15 rate-limited (429)");
    expect(screen.getByTestId("burst-summary")).toHaveAttribute("data-final", "true");
    expect(screen.getAllByTestId("burst-cell").filter((c) => c.dataset.status === "429")).toHaveLength(15);
    expect(screen.getByTestId("burst-run")).toBeEnabled();

    // Events after the report do not change it.
    await emitBurstProgress({ index: 20, status: 200, retry_after: null, retry_wait: null, elapsed_ms: 3, request_id: null });
    expect(screen.getAllByTestId("burst-cell")).toHaveLength(20);
  });

  it("runs end to end with the fake's progress events", async () => {
    const backend = await openLimits();
    const user = userEvent.setup();
    const count = screen.getByTestId("burst-count");
    await user.clear(count);
    await user.type(count, "8");

    await user.click(screen.getByTestId("burst-run"));

    await waitFor(() => expect(screen.getByTestId("burst-summary")).toHaveTextContent("8 sent · 5 OK · 3 rate-limited (429)"));
    expect(backend.callsTo("burst_test")[0]?.args).toEqual({ environment: "sandbox", keyId: null, count: 8 });
  });

  it("shows the cap instead of a day-long countdown when Retry-After is absurd", async () => {
    const backend = new FakeBackend();
    const final = deferred<BurstReport>();
    backend.on("burst_test", () => final.promise);
    await openLimits(backend);
    const user = userEvent.setup();

    await user.click(screen.getByTestId("burst-run"));
    await waitFor(() => expect(backend.callsTo("burst_test")).toHaveLength(1));
    const results = burstResults(3, 1, 86400);
    await emitBurstProgress(results[1]);

    await waitFor(() =>
      expect(screen.getByTestId("burst-retry")).toHaveTextContent(
        "Retry-After says 86400 s; the console waits at most 60 s — retry later.",
      ),
    );
    final.resolve(burstReport(results));
    await waitFor(() => expect(screen.getByTestId("burst-summary")).toHaveAttribute("data-final", "true"));
    expect(screen.getByTestId("burst-retry")).not.toHaveTextContent("retry in");
  });

  it("refuses a request count outside 1 to 200", async () => {
    const backend = await openLimits();
    const user = userEvent.setup();
    const count = screen.getByTestId("burst-count");
    await user.clear(count);
    await user.type(count, "500");

    await user.click(screen.getByTestId("burst-run"));

    expect(screen.getByTestId("burst-count-error")).toHaveTextContent("1 to 200");
    expect(backend.callsTo("burst_test")).toHaveLength(0);
  });
});

describe("burst test under an environment change", () => {
  it("says the environment switched and reloads", async () => {
    const backend = new FakeBackend();
    backend.on("burst_test", () => {
      backend.environment = "production";
      throw commandError("environment_changed", "The console now targets production.");
    });
    await openLimits(backend);

    await fireEvent.click(screen.getByTestId("burst-run"));

    expect(await screen.findByTestId("limits-env-changed")).toHaveTextContent("switched to Production");
    await waitFor(() => expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "production"));
    expect(screen.queryByTestId("burst-test")).not.toBeInTheDocument();
    await waitFor(() => expect(backend.callsTo("rate_limits_view").length).toBeGreaterThan(1));
  });
});
