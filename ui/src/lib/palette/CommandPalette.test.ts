import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App.svelte";
import type { IdLookup } from "../bindings/IdLookup";
import { connection, FakeBackend } from "../../test/backend-fake";
import { catalog } from "../../test/tryit-fake";

const REQUEST_ID = "req_7Hq2xLmN9pQr";

function lookup(id: string): IdLookup {
  return {
    id,
    environment: "sandbox",
    requests:
      id === REQUEST_ID
        ? [
            {
              id: 42,
              time: "2026-11-30T10:00:00Z",
              key_id: "key_admin",
              key_name: "Management key",
              method: "GET",
              route: "/v1/me",
              status: 429,
              latency_ms: 1.5,
              retry_after: 1,
              request_id: REQUEST_ID,
              console: false,
            },
          ]
        : [],
    history: [],
    captures: [],
    deliveries: [],
    unavailable: [],
  };
}

async function start(backend = new FakeBackend()) {
  backend
    .on("find_id", (args) => lookup(String(args.id)))
    .on("tryit_catalog", () => catalog())
    .on("list_webhooks", () => [])
    .on("list_captures", () => ({ rows: [], total: 0 }))
    .on("tryit_history", () => []);
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId("env-sandbox")).toBeEnabled());
  return backend;
}

describe("command palette", () => {
  it("opens on Ctrl+K, finds a pasted request id in the request log first, and opens it", async () => {
    const backend = await start();
    const user = userEvent.setup();

    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("palette-input");
    expect(input).toHaveFocus();

    await fireEvent.input(input, { target: { value: `  ${REQUEST_ID} ` } });
    const found = await screen.findByText("429 GET /v1/me");
    const first = screen.getAllByTestId("palette-item")[0];
    expect(first).toContainElement(found);
    expect(first).toHaveAttribute("data-kind", "request");
    expect(first).toHaveAttribute("data-found", "true");
    expect(backend.calls.filter((c) => c.cmd === "find_id").map((c) => c.args.id)).toEqual([REQUEST_ID]);

    await user.keyboard("{Enter}");
    const detail = await screen.findByTestId("palette-request-detail");
    expect(within(detail).getByTestId("palette-request-id")).toHaveTextContent(REQUEST_ID);
    expect(within(detail).getByTestId("palette-request-status")).toHaveTextContent("429");
    expect(screen.getByTestId("palette-back")).toHaveFocus();

    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("palette")).not.toBeInTheDocument());
  });

  it("looks a typed id up once typing stops, not at every key", async () => {
    const backend = await start();
    const user = userEvent.setup();

    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("palette-input");
    await user.type(input, REQUEST_ID);
    await screen.findByText("429 GET /v1/me");
    expect(backend.calls.filter((c) => c.cmd === "find_id").map((c) => c.args.id)).toEqual([REQUEST_ID]);
  });

  it("shows a found request in Usage → Requests, filtered to its id", async () => {
    const backend = await start();
    const user = userEvent.setup();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("palette-input");
    await fireEvent.input(input, { target: { value: REQUEST_ID } });
    await screen.findByText("429 GET /v1/me");
    await user.keyboard("{Enter}");
    await user.click(await screen.findByTestId("palette-request-open"));

    await waitFor(() => expect(screen.queryByTestId("palette")).not.toBeInTheDocument());
    expect(await screen.findByTestId("requests-view")).toBeInTheDocument();
    expect(screen.getByTestId("requests-search-id")).toHaveValue(REQUEST_ID);
    await waitFor(() =>
      expect(backend.calls.some((c) => c.cmd === "usage_log" && (c.args.request as { request_id?: string }).request_id === REQUEST_ID)).toBe(
        true,
      ),
    );
  });

  it("says when an id is nowhere, and opens a panel by fuzzy title", async () => {
    await start();
    const user = userEvent.setup();
    await user.keyboard("{Control>}k{/Control}");
    const input = await screen.findByTestId("palette-input");

    await fireEvent.input(input, { target: { value: "evt_nothinghere" } });
    await waitFor(() => expect(screen.getByTestId("palette-lookup")).toHaveAttribute("data-state", "done"));
    expect(screen.getByTestId("palette-lookup")).toHaveTextContent("is in none of Sandbox's");

    await fireEvent.input(input, { target: { value: "ratlim" } });
    expect(screen.getAllByTestId("palette-item")[0]).toHaveTextContent("Rate Limits");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("panel-rate-limits")).toBeInTheDocument();
    expect(screen.queryByTestId("palette")).not.toBeInTheDocument();
  });
});

describe("palette switches", () => {
  it("switches to a saved connection and back to BotBat", async () => {
    const backend = new FakeBackend();
    backend.connections = [connection({ id: "conn_acme", label: "Acme" })];
    await start(backend);
    const user = userEvent.setup();

    await user.keyboard("{Control>}k{/Control}");
    await fireEvent.input(await screen.findByTestId("palette-input"), { target: { value: "switch acme" } });
    expect(screen.getAllByTestId("palette-item")[0]).toHaveTextContent("Switch to Botbiz · Acme");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("platform-badge")).toHaveTextContent("BOTBIZ");

    await user.keyboard("{Control>}k{/Control}");
    await fireEvent.input(await screen.findByTestId("palette-input"), { target: { value: "switch" } });
    const titles = screen.getAllByTestId("palette-item").map((item) => item.textContent ?? "");
    expect(titles.some((t) => t.includes("Switch to BotBat"))).toBe(true);
    expect(titles.some((t) => t.includes("Switch to Production"))).toBe(false);
    expect(titles.some((t) => t.includes("Switch to Botbiz · Acme"))).toBe(false);
  });
});

describe("palette with a connection", () => {
  it("lists the connection's own operations and captures, and none of BotBat's keys or endpoints", async () => {
    const backend = new FakeBackend();
    backend.connections = [connection({ id: "conn_acme", label: "Acme" })];
    backend.preferences.active_connection = "conn_acme";
    backend
      .on("tryit_connection_catalog", () => catalog())
      .on("tryit_connection_history", () => [])
      .on("list_captures", () => ({ rows: [], total: 0 }));
    backend.install();
    render(App);
    const user = userEvent.setup();
    expect(await screen.findByTestId("platform-badge")).toHaveTextContent("BOTBIZ");

    await user.keyboard("{Control>}k{/Control}");
    await screen.findByTestId("palette-input");
    await waitFor(() => expect(backend.callsTo("tryit_connection_catalog")).toHaveLength(1));
    expect(backend.callsTo("tryit_connection_catalog")[0].args).toEqual({ connectionId: "conn_acme" });
    expect(backend.callsTo("tryit_connection_history")[0].args).toEqual({ connectionId: "conn_acme", query: "" });
    await waitFor(() => expect(backend.callsTo("list_captures")).toHaveLength(1));
    expect(backend.callsTo("list_captures")[0].args.scope).toBe("connection:conn_acme");
    expect(backend.callsTo("list_api_keys")).toHaveLength(0);
    expect(backend.callsTo("list_webhooks")).toHaveLength(0);
    expect(backend.callsTo("tryit_catalog")).toHaveLength(0);
  });
});

describe("shortcuts", () => {
  it("Ctrl+1…9 open the panels, ? lists the shortcuts, and typing in a field is only text", async () => {
    await start();
    const user = userEvent.setup();

    await user.keyboard("{Control>}4{/Control}");
    expect(await screen.findByTestId("panel-webhooks")).toBeInTheDocument();
    await user.keyboard("{Control>},{/Control}");
    expect(await screen.findByTestId("panel-settings")).toBeInTheDocument();

    await user.keyboard("?");
    expect(await screen.findByTestId("shortcuts-table")).toHaveTextContent(/Ctrl\s*\+\s*Enter\s*Send the request in Try It/);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("shortcuts")).not.toBeInTheDocument());

    await user.keyboard("{Control>}2{/Control}");
    const filter = await screen.findByTestId("keys-filter");
    await user.keyboard("/");
    expect(filter).toHaveFocus();
    await user.keyboard("?{Control>}1{/Control}");
    expect(filter).toHaveValue("?");
    expect(screen.getByTestId("panel-api-keys")).toBeInTheDocument();
    expect(screen.queryByTestId("shortcuts")).not.toBeInTheDocument();
  });

  it("puts the skip link first in the tab order", async () => {
    await start();
    const user = userEvent.setup();
    await user.tab();
    expect(screen.getByTestId("skip-link")).toHaveFocus();
  });
});
