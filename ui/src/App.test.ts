import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import type { DashboardSummary } from "./lib/bindings/DashboardSummary";
import { PANELS } from "./lib/panels";
import { commandError, deferred, FakeBackend, summary } from "./test/backend-fake";

async function start(backend: FakeBackend = new FakeBackend()) {
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId("env-sandbox")).toBeEnabled());
  return backend;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("navigation", () => {
  it("opens every panel from its sidebar item and marks it current", async () => {
    await start();
    const user = userEvent.setup();

    for (const panel of PANELS) {
      const item = screen.getByTestId(`nav-${panel.id}`);
      await user.click(item);
      expect(screen.getByTestId(`panel-${panel.id}`)).toBeInTheDocument();
      expect(item).toHaveAttribute("aria-current", "page");
      for (const other of PANELS.filter((p) => p.id !== panel.id)) {
        expect(screen.queryByTestId(`panel-${other.id}`)).not.toBeInTheDocument();
      }
    }
  });

  it("opens a panel from the sidebar with its title", async () => {
    await start();
    await fireEvent.click(screen.getByTestId("nav-webhooks"));

    const panel = screen.getByTestId("panel-webhooks");
    expect(within(panel).getByRole("heading", { name: "Webhooks" })).toBeInTheDocument();
    expect(screen.getByTestId("nav-webhooks")).toHaveAttribute("aria-current", "page");
  });

  it("moves focus along the sidebar with the arrow keys", async () => {
    await start();
    const user = userEvent.setup();
    screen.getByTestId("nav-dashboard").focus();

    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("nav-api-keys")).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(screen.getByTestId("nav-settings")).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(screen.getByTestId("panel-settings")).toBeInTheDocument();
  });
});

describe("environment switch", () => {
  it("calls set_environment and turns the window into production", async () => {
    const backend = await start();
    const root = screen.getByTestId("app-root");
    expect(root).toHaveAttribute("data-environment", "sandbox");
    expect(screen.getByTestId("env-badge")).toHaveTextContent("SANDBOX");
    expect(screen.getByTestId("env-sandbox")).toHaveAttribute("aria-pressed", "true");

    await fireEvent.click(screen.getByTestId("env-production"));

    await waitFor(() => expect(root).toHaveAttribute("data-environment", "production"));
    expect(backend.callsTo("set_environment")).toEqual([
      { cmd: "set_environment", args: { environment: "production" } },
    ]);
    expect(screen.getByTestId("env-badge")).toHaveTextContent("PRODUCTION");
    expect(screen.getByTestId("env-production")).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("env-sandbox")).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByTestId("production-band")).toBeInTheDocument();
    expect(screen.getByTestId("base-url")).toHaveTextContent("https://api.botbat.com/v1");
  });

  it("clears the sandbox figures at once and shows production's when they arrive", async () => {
    const backend = await start();
    await waitFor(() => expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("17"));

    const production = deferred<DashboardSummary>();
    backend.on("dashboard_summary", () =>
      backend.environment === "production" ? production.promise : summary("sandbox"),
    );
    await fireEvent.click(screen.getByTestId("env-production"));

    await waitFor(() => expect(backend.callsTo("dashboard_summary")).toHaveLength(2));
    expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "production");
    expect(screen.queryByTestId("dashboard-api-keys")).not.toBeInTheDocument();
    expect(screen.getByTestId("panel-dashboard")).not.toHaveTextContent("4,812");
    expect(screen.getByTestId("dashboard-loading")).toBeInTheDocument();

    production.resolve(summary("production", { api_keys_total: 3, api_keys_active: 2, requests_24h: 77 }));

    await waitFor(() => expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("3"));
    expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("2 active");
    expect(screen.getByTestId("dashboard-requests")).toHaveTextContent("77");
  });

  it("drops a sandbox response that arrives after the switch", async () => {
    const backend = new FakeBackend();
    const late = deferred<DashboardSummary>();
    backend.on("dashboard_summary", () =>
      backend.environment === "sandbox" ? late.promise : summary("production", { api_keys_total: 5 }),
    );
    await start(backend);

    await fireEvent.click(screen.getByTestId("env-production"));
    await waitFor(() => expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("5"));

    late.resolve(summary("sandbox", { api_keys_total: 17 }));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("5");
    expect(screen.getByTestId("dashboard-api-keys")).not.toHaveTextContent("17");
  });

  it("stays in the sandbox and says why when the switch fails", async () => {
    const backend = new FakeBackend().on("set_environment", () => {
      throw commandError("keychain_unavailable", "no secret service");
    });
    await start(backend);

    await fireEvent.click(screen.getByTestId("env-production"));

    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("no secret service"));
    expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "sandbox");
    expect(screen.getByTestId("env-badge")).toHaveTextContent("SANDBOX");
  });
});

describe("dashboard", () => {
  it("renders the figures from dashboard_summary", async () => {
    await start();

    await waitFor(() => expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("17"));
    expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("15 active");
    expect(screen.getByTestId("dashboard-webhooks")).toHaveTextContent("4");
    expect(screen.getByTestId("dashboard-webhooks")).toHaveTextContent("3 enabled");
    expect(screen.getByTestId("dashboard-requests")).toHaveTextContent("4,812");
    expect(screen.getByTestId("dashboard-error-rate")).toHaveTextContent("2.5%");
    expect(screen.getByTestId("dashboard-error-rate")).toHaveTextContent("120 errors");
    expect(screen.getByTestId("dashboard-rate-limited")).toHaveTextContent("9");
    expect(screen.getByTestId("dashboard-plan")).toHaveTextContent("Professional");
    expect(screen.getByTestId("panel-dashboard")).toHaveTextContent(/as of/);
  });

  it("shows code, message, request id and a hint when the key is rejected", async () => {
    const backend = new FakeBackend().on("dashboard_summary", () => {
      throw commandError("unauthorized", "The API key is invalid or revoked.", {
        status: 401,
        request_id: "req_01J8Q2",
      });
    });
    await start(backend);

    const notice = await screen.findByTestId("dashboard-error");
    expect(notice).toHaveTextContent("unauthorized");
    expect(notice).toHaveTextContent("HTTP 401 Unauthorized");
    expect(notice).toHaveTextContent("The API key is invalid or revoked.");
    expect(notice).toHaveTextContent("req_01J8Q2");
    expect(notice).toHaveTextContent("The management key is missing or invalid. Set it in Settings.");
    expect(screen.queryByTestId("dashboard-api-keys")).not.toBeInTheDocument();

    await fireEvent.click(within(notice).getByRole("button", { name: "Open Settings" }));
    expect(screen.getByTestId("panel-settings")).toBeInTheDocument();
  });

  it("reads an injected fault as its status, reason phrase and the platform's message", async () => {
    const backend = new FakeBackend().on("dashboard_summary", () => {
      throw commandError("internal_error", "Injected fault: the sandbox was asked to fail GET /v1/me with 503.", {
        status: 503,
        request_id: "req_01J8Q3",
      });
    });
    await start(backend);

    const notice = await screen.findByTestId("dashboard-error");
    const head = notice.querySelector(".head");
    expect(head).toHaveTextContent("HTTP 503 Service Unavailable");
    expect(head).not.toHaveTextContent("internal_error");
    expect(notice).toHaveTextContent("Injected fault: the sandbox was asked to fail GET /v1/me with 503.");
    expect(notice).toHaveTextContent("Error code internal_error");
  });

  it("names the missing scope on a 403", async () => {
    const backend = new FakeBackend().on("dashboard_summary", () => {
      throw commandError("forbidden", "This key lacks the usage:read scope.", { status: 403 });
    });
    await start(backend);

    const notice = await screen.findByTestId("dashboard-error");
    expect(notice).toHaveTextContent("forbidden");
    expect(notice).toHaveTextContent("The management key lacks the usage:read scope");
  });

  it("refreshes on the button, and every five minutes in place while shown", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const backend = await start();
    await waitFor(() => expect(backend.callsTo("dashboard_summary")).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId("dashboard-refresh")).toBeEnabled());

    backend.on("dashboard_summary", () => summary("sandbox", { requests_24h: 5000 }));
    await fireEvent.click(screen.getByTestId("dashboard-refresh"));
    await waitFor(() => expect(screen.getByTestId("dashboard-requests")).toHaveTextContent("5,000"));
    expect(backend.callsTo("dashboard_summary")).toHaveLength(2);

    const polled = deferred<DashboardSummary>();
    backend.on("dashboard_summary", () => polled.promise);
    vi.advanceTimersByTime(60_000);
    expect(backend.callsTo("dashboard_summary")).toHaveLength(2);
    vi.advanceTimersByTime(240_000);
    await waitFor(() => expect(backend.callsTo("dashboard_summary")).toHaveLength(3));
    // A background refresh shows no spinner and keeps the button: the figures change in place.
    expect(screen.getByTestId("dashboard-refresh")).toBeEnabled();
    polled.resolve(summary("sandbox", { requests_24h: 6000 }));
    await waitFor(() => expect(screen.getByTestId("dashboard-requests")).toHaveTextContent("6,000"));

    await fireEvent.click(screen.getByTestId("nav-usage"));
    vi.advanceTimersByTime(300_000);
    expect(backend.callsTo("dashboard_summary")).toHaveLength(3);
  });

  it("leaves the console's own requests out until the one switch includes them", async () => {
    const backend = await start();
    await waitFor(() => expect(backend.callsTo("dashboard_summary")).toHaveLength(1));
    expect(backend.callsTo("dashboard_summary")[0].args).toEqual({ includeConsole: false });
    expect(await screen.findByTestId("panel-dashboard")).toHaveTextContent("They leave out the console's own requests");

    backend.on("dashboard_summary", () => summary("sandbox", { includes_console: true }));
    await fireEvent.click(screen.getByTestId("include-console-traffic"));
    await waitFor(() => expect(backend.callsTo("dashboard_summary")).toHaveLength(2));
    expect(backend.callsTo("dashboard_summary")[1].args).toEqual({ includeConsole: true });
    await waitFor(() =>
      expect(screen.getByTestId("panel-dashboard")).toHaveTextContent("They include the console's own requests"),
    );
  });

  it("shows why the embedded sandbox is not running", async () => {
    const backend = new FakeBackend();
    backend.sandboxError = "port 4010 is already in use";
    backend.on("dashboard_summary", () => {
      throw commandError("unreachable", "connection refused");
    });
    await start(backend);

    expect(await screen.findByTestId("dashboard-sandbox-error")).toHaveTextContent("port 4010 is already in use");
  });
});

describe("embedded sandbox start-up", () => {
  it("loads the dashboard once the sandbox is running", async () => {
    const backend = new FakeBackend();
    backend.sandboxStarting = true;
    backend.on("dashboard_summary", () => {
      if (backend.sandboxStarting) throw commandError("unreachable", "connection refused");
      return summary("sandbox");
    });
    await start(backend);
    expect(await screen.findByTestId("dashboard-error")).toHaveTextContent("unreachable");

    await backend.settleSandbox();

    await waitFor(() => expect(screen.getByTestId("dashboard-api-keys")).toHaveTextContent("17"));
    expect(screen.queryByTestId("dashboard-error")).not.toBeInTheDocument();
  });
});

describe("keychain banner", () => {
  it("warns on every panel when the keychain is unavailable", async () => {
    const backend = new FakeBackend();
    backend.keychain = { available: false, message: "no D-Bus session" };
    await start(backend);

    for (const panel of PANELS) {
      await fireEvent.click(screen.getByTestId(`nav-${panel.id}`));
      expect(screen.getByTestId("keychain-banner")).toHaveTextContent(
        "The OS keychain did not answer, so nothing secret can be saved: the sandbox key is held in memory for this run only",
      );
      expect(screen.getByTestId("keychain-reason")).toHaveTextContent("no D-Bus session");
    }
  });

  it("stays hidden when the keychain works", async () => {
    await start();
    expect(screen.queryByTestId("keychain-banner")).not.toBeInTheDocument();
  });
});
