import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import { connection, FakeBackend } from "../../test/backend-fake";

const ACME = connection({ id: "conn_acme", label: "Acme", platform: "botbiz", base_url: "http://127.0.0.1:8788/v1" });
const SHOP = connection({ id: "conn_shop", label: "Shop", platform: "botmaker" });

async function start(backend: FakeBackend) {
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId("base-url")).not.toHaveTextContent("…"));
  return backend;
}

describe("target switcher", () => {
  it("is not shown without connections: the Sandbox/Production switch is unchanged", async () => {
    await start(new FakeBackend());
    expect(screen.queryByTestId("target-select")).not.toBeInTheDocument();
    expect(screen.getByTestId("env-sandbox")).toBeEnabled();
  });

  it("switches to a connection at once, with its platform's look, and back to BotBat", async () => {
    const backend = new FakeBackend();
    backend.connections = [ACME, SHOP];
    await start(backend);
    const user = userEvent.setup();
    const select = screen.getByLabelText("Target");
    expect(select).toHaveValue("botbat");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "BotBat",
      "Botbiz · Acme",
      "Botmaker · Shop",
    ]);

    await user.selectOptions(select, "conn_acme");
    // Instant: the look changes before anything is written.
    expect(screen.getByTestId("platform-badge")).toHaveTextContent("BOTBIZ");
    expect(screen.getByTestId("platform-band")).toHaveTextContent("Acme");
    expect(screen.getByTestId("app-root")).toHaveAttribute("data-platform", "botbiz");
    expect(screen.getByTestId("base-url")).toHaveTextContent("http://127.0.0.1:8788/v1");
    expect(screen.queryByTestId("env-sandbox")).not.toBeInTheDocument();
    await waitFor(() => expect(backend.preferences.active_connection).toBe("conn_acme"));
    expect(backend.callsTo("use_connection").map((c) => c.args.id)).toEqual(["conn_acme"]);

    await user.selectOptions(select, "conn_shop");
    expect(screen.getByTestId("platform-badge")).toHaveTextContent("BOTMAKER");

    await user.selectOptions(select, "botbat");
    expect(screen.queryByTestId("platform-badge")).not.toBeInTheDocument();
    expect(screen.getByTestId("env-sandbox")).toBeInTheDocument();
    await waitFor(() => expect(backend.preferences.active_connection).toBeNull());
  });

  it("shows the platform's sentence instead of a panel it does not support", async () => {
    const backend = new FakeBackend();
    backend.connections = [ACME];
    await start(backend);
    await userEvent.setup().selectOptions(screen.getByLabelText("Target"), "conn_acme");

    await fireEvent.click(screen.getByTestId("nav-api-keys"));
    expect(screen.getByTestId("panel-unsupported")).toHaveTextContent(
      "Botbiz API keys are created and revoked in Botbiz's dashboard",
    );
    expect(backend.callsTo("list_api_keys")).toHaveLength(0);

    await fireEvent.click(screen.getByTestId("nav-dashboard"));
    expect(screen.getByTestId("connection-overview")).toHaveTextContent("http://127.0.0.1:8788/v1");
    expect(screen.queryByTestId("panel-unsupported")).not.toBeInTheDocument();
  });

  it("restores the last session's connection at start", async () => {
    const kept = new FakeBackend();
    kept.connections = [ACME];
    kept.preferences.active_connection = "conn_acme";
    await start(kept);
    expect(screen.getByTestId("platform-badge")).toHaveTextContent("BOTBIZ");
    expect(screen.getByLabelText("Target")).toHaveValue("conn_acme");
  });

  it("falls back to BotBat at start when the saved connection was removed", async () => {
    const gone = new FakeBackend();
    gone.connections = [SHOP];
    gone.preferences.active_connection = "conn_acme";
    await start(gone);
    expect(screen.queryByTestId("platform-badge")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Target")).toHaveValue("botbat");
    await waitFor(() => expect(gone.preferences.active_connection).toBeNull());
  });
});
