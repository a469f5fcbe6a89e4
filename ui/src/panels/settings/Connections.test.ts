import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import App from "../../App.svelte";
import { drafts } from "../../lib/drafts.svelte";
import { commandError, connection, connectionCheck, FakeBackend } from "../../test/backend-fake";

const CREDENTIAL = "bz_live_Zq8TnW3xYp6RkL2mVc9BdF4h";

async function openSettings(backend: FakeBackend = new FakeBackend()) {
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId("base-url")).not.toHaveTextContent("…"));
  await userEvent.setup().click(screen.getByTestId("nav-settings"));
  await screen.findByTestId("settings-connections");
  return backend;
}

afterEach(() => drafts.clear());

describe("settings → connections", () => {
  it("adds a connection with the platform's default base URL, never shows the credential, and offers it in the header", async () => {
    const backend = await openSettings();
    const user = userEvent.setup();
    expect(screen.getByTestId("connections-empty")).toBeInTheDocument();

    await user.click(screen.getByTestId("connection-add"));
    const dialog = screen.getByTestId("connection-dialog");
    expect(within(dialog).getByLabelText("Base URL")).toHaveValue("https://api.botbiz.io/v1");
    await user.selectOptions(within(dialog).getByLabelText("Platform"), "botmaker");
    expect(within(dialog).getByLabelText("Base URL")).toHaveValue("https://api.botmaker.com/v2.0");
    const credential = within(dialog).getByLabelText("Botmaker access token");
    expect(credential).toHaveAttribute("type", "password");
    await user.selectOptions(within(dialog).getByLabelText("Platform"), "botbiz");
    await user.type(within(dialog).getByLabelText("Name"), "Acme");
    await user.type(within(dialog).getByLabelText("Botbiz API key"), CREDENTIAL);
    await user.click(screen.getByTestId("connection-submit"));

    await waitFor(() => expect(screen.queryByTestId("connection-dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("add_connection")[0].args.input).toEqual({
      platform: "botbiz",
      label: "Acme",
      base_url: "https://api.botbiz.io/v1",
      credential: CREDENTIAL,
    });
    const list = screen.getByTestId("connection-list");
    expect(list).toHaveTextContent("BOTBIZ");
    expect(list).toHaveTextContent("Acme");
    expect(list).toHaveTextContent("https://api.botbiz.io/v1");
    expect(list).toHaveTextContent(`${CREDENTIAL.slice(0, 3)}…${CREDENTIAL.slice(-4)}`);
    expect(document.body.textContent).not.toContain(CREDENTIAL);
    expect(within(screen.getByLabelText("Target")).getByRole("option", { name: "Botbiz · Acme" })).toBeInTheDocument();
  });

  it("puts each refusal next to its field and keeps what was typed", async () => {
    const backend = await openSettings();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("connection-add"));
    await user.click(screen.getByTestId("connection-submit"));
    expect(screen.getByTestId("connection-label-error")).toHaveTextContent("Give the connection a name");
    expect(screen.getByTestId("connection-credential-error")).toHaveTextContent("Paste the Botbiz API key");
    expect(backend.callsTo("add_connection")).toHaveLength(0);

    const dialog = screen.getByTestId("connection-dialog");
    await user.type(within(dialog).getByLabelText("Name"), "Acme");
    await user.type(within(dialog).getByLabelText("Botbiz API key"), "short");
    const url = within(dialog).getByLabelText("Base URL");
    await user.clear(url);
    await user.type(url, "ftp://example.com");
    await user.click(screen.getByTestId("connection-submit"));

    await waitFor(() => expect(screen.getByTestId("connection-base_url-error")).toHaveTextContent("https://"));
    expect(screen.queryByTestId("connection-label-error")).not.toBeInTheDocument();
    expect(within(dialog).getByLabelText("Name")).toHaveValue("Acme");
    expect(within(dialog).getByLabelText("Base URL")).toHaveAttribute("aria-invalid", "true");
  });

  it("edits a connection in place: the platform fixed, a rotated key pasted over the kept one, or kept when left empty", async () => {
    const backend = new FakeBackend();
    backend.connections = [connection({ id: "conn_acme", label: "Acme" })];
    backend.preferences.active_connection = "conn_acme";
    await openSettings(backend);
    const user = userEvent.setup();

    await user.click(screen.getByTestId("connection-edit-conn_acme"));
    const dialog = screen.getByTestId("connection-dialog");
    expect(dialog).toHaveTextContent("Edit Botbiz · Acme");
    expect(within(dialog).getByLabelText("Platform")).toBeDisabled();
    expect(within(dialog).getByLabelText("Name")).toHaveValue("Acme");
    const key = within(dialog).getByLabelText("Botbiz API key");
    expect(key).toHaveValue("");
    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Acme EU");
    await user.click(screen.getByTestId("connection-submit"));
    await waitFor(() => expect(screen.queryByTestId("connection-dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("edit_connection")[0].args).toEqual({
      id: "conn_acme",
      edit: { label: "Acme EU", base_url: "https://api.botbiz.io/v1", credential: null },
    });
    await waitFor(() => expect(screen.getByTestId("platform-band")).toHaveTextContent("Acme EU"));

    await user.click(screen.getByTestId("connection-edit-conn_acme"));
    await user.type(within(screen.getByTestId("connection-dialog")).getByLabelText("Botbiz API key"), CREDENTIAL);
    await user.click(screen.getByTestId("connection-submit"));
    await waitFor(() => expect(screen.queryByTestId("connection-dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("edit_connection")[1].args.edit).toMatchObject({ credential: CREDENTIAL });
    expect(screen.getByTestId("connection-list")).toHaveTextContent(`${CREDENTIAL.slice(0, 3)}…${CREDENTIAL.slice(-4)}`);
    expect(document.body.textContent).not.toContain(CREDENTIAL);
  });

  it("tests a connection: latency when it works, the platform's refusal explained when not", async () => {
    const backend = new FakeBackend();
    backend.connections = [connection({ id: "conn_acme", label: "Acme" })];
    backend.on("check_connection", (args) =>
      connectionCheck(args.id as string, {
        ok: false,
        status: 401,
        latency_ms: 8,
        explanation: "Botbiz refused the API key (401). Botbiz keys are made and managed in Botbiz's dashboard: copy one from there.",
      }),
    );
    await openSettings(backend);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Test Botbiz · Acme" }));
    const refused = await screen.findByTestId("connection-test-conn_acme-result");
    expect(refused).toHaveAttribute("data-outcome", "error");
    expect(refused).toHaveTextContent("401");
    expect(refused).toHaveTextContent("Botbiz refused the API key");

    backend.overrides.delete("check_connection");
    await user.click(screen.getByRole("button", { name: "Test Botbiz · Acme" }));
    await waitFor(() =>
      expect(screen.getByTestId("connection-test-conn_acme-result")).toHaveAttribute("data-outcome", "ok"),
    );
    expect(screen.getByTestId("connection-test-conn_acme-result")).toHaveTextContent("23.4 ms");
  });

  it("removes a connection only after the confirmation, and the active one gives way to BotBat", async () => {
    const backend = new FakeBackend();
    backend.connections = [connection({ id: "conn_acme", label: "Acme" })];
    backend.preferences.active_connection = "conn_acme";
    await openSettings(backend);
    const user = userEvent.setup();
    expect(screen.getByTestId("platform-badge")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Remove Botbiz · Acme" }));
    expect(screen.getByTestId("connection-remove-dialog")).toHaveTextContent("The header switches back to BotBat");
    await user.click(screen.getByTestId("connection-remove-cancel"));
    expect(backend.callsTo("remove_connection")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Remove Botbiz · Acme" }));
    await user.click(screen.getByTestId("connection-remove-submit"));
    await waitFor(() => expect(screen.getByTestId("connections-empty")).toBeInTheDocument());
    expect(backend.callsTo("remove_connection")[0].args).toEqual({ id: "conn_acme" });
    expect(screen.queryByTestId("platform-badge")).not.toBeInTheDocument();
    expect(screen.getByTestId("env-sandbox")).toBeInTheDocument();
  });

  it("says why the list is missing when it cannot be read", async () => {
    const backend = new FakeBackend();
    backend.on("list_connections", () => {
      throw commandError("local_storage", "connections.json is not a list of connections");
    });
    await openSettings(backend);
    expect(screen.getByTestId("connections-error")).toHaveTextContent("connections.json is not a list of connections");
  });
});
