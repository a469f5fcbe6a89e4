import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppState, appContext } from "../../lib/app.svelte";
import type { Connection } from "../../lib/bindings/Connection";
import { commandError, FakeBackend } from "../../test/backend-fake";
import ConnectionSecret from "./ConnectionSecret.svelte";

const connection: Connection = {
  id: "conn_biz1",
  platform: "botbiz",
  label: "Acme Botbiz",
  base_url: "http://127.0.0.1:8788/v1",
  masked_credential: "bz_…a1b2",
  created_at: "2026-11-30T10:00:00Z",
};

describe("the webhook secret kept for a connection", () => {
  it("keeps it, shows only its mask, and puts a refusal under the field", async () => {
    const backend = new FakeBackend()
      .on("connection_webhook_secret", () => ({ connection_id: "conn_biz1", masked: null }))
      .on("set_webhook_secret", (args) => {
        if ((args.secret as string).length < 8) {
          throw commandError("invalid_input", "too short", { details: [{ field: "secret", issue: "at least 8 characters" }] });
        }
        return { connection_id: "conn_biz1", masked: "bzwh_…9f3a" };
      });
    backend.install();
    const app = new AppState();
    await app.init();
    app.connection = connection;
    render(ConnectionSecret, { context: appContext(app), props: { connection } });
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getByTestId("connection-secret-kept")).toHaveTextContent("None kept yet"));
    await user.type(screen.getByTestId("connection-secret-input"), "short");
    await user.click(screen.getByTestId("connection-secret-save"));
    expect(await screen.findByTestId("connection-secret-error")).toHaveTextContent("at least 8 characters");
    await user.clear(screen.getByTestId("connection-secret-input"));
    await user.type(screen.getByTestId("connection-secret-input"), "bzwh_0123456789abcdef9f3a");
    await user.click(screen.getByTestId("connection-secret-save"));
    await waitFor(() => expect(screen.getByTestId("connection-secret-kept")).toHaveTextContent("Kept: bzwh_…9f3a"));
    expect(screen.getByTestId("connection-secret-input")).toHaveValue("");
    const calls = backend.callsTo("set_webhook_secret");
    expect(calls[calls.length - 1].args).toEqual({ connectionId: "conn_biz1", secret: "bzwh_0123456789abcdef9f3a" });
  });
});
