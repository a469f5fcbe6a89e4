import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppState, appContext } from "../../lib/app.svelte";
import type { BotmakerWebhookInput } from "../../lib/bindings/BotmakerWebhookInput";
import type { BotmakerWebhookRow } from "../../lib/bindings/BotmakerWebhookRow";
import type { Connection } from "../../lib/bindings/Connection";
import { commandError, deferred, FakeBackend } from "../../test/backend-fake";
import BotmakerWebhooks from "./BotmakerWebhooks.svelte";

const connection: Connection = {
  id: "conn_maker1",
  platform: "botmaker",
  label: "Acme Botmaker",
  base_url: "http://127.0.0.1:8789/v2.0",
  masked_credential: "…a1b2",
  created_at: "2026-11-30T10:00:00Z",
};

const TYPES = [
  ["bot", "Bot message"],
  ["user", "User message"],
  ["agent", "Agent message"],
  ["status", "Message status"],
  ["hsm_status", "HSM status"],
  ["event", "Event message"],
].map(([value, title]) => ({ value, title }));

function row(overrides: Partial<BotmakerWebhookRow> = {}): BotmakerWebhookRow {
  return {
    id: "bmw_orders",
    kind: "message_status",
    url: "https://orders.example.com/botmaker",
    channels: ["ch_wa"],
    message_types: ["user", "hsm_status"],
    include_variables: false,
    token_masked: "bmt_…9f3a",
    token_kept: true,
    ...overrides,
  };
}

async function open(rows: BotmakerWebhookRow[] = []) {
  const backend = new FakeBackend();
  backend
    .on("botmaker_webhook_choices", () => ({
      channels: [
        { id: "ch_wa", name: "WhatsApp Sales", platform: "whatsapp", active: true },
        { id: "ch_web", name: "Web chat", platform: "webchat", active: true },
      ],
      message_types: TYPES,
    }))
    .on("list_botmaker_webhooks", () => rows.map((r) => ({ ...r })))
    .install();
  const app = new AppState();
  await app.init();
  app.connection = connection;
  render(BotmakerWebhooks, { context: appContext(app), props: { connection } });
  await waitFor(() => expect(screen.queryByTestId("botmaker-webhooks-loading")).not.toBeInTheDocument());
  return { backend, user: userEvent.setup() };
}

describe("Botmaker webhooks", () => {
  it("lists each webhook with its channels by name, its message types by title and its kept token", async () => {
    await open([row()]);
    const listed = screen.getByTestId("botmaker-webhook-bmw_orders");
    expect(listed).toHaveTextContent("https://orders.example.com/botmaker");
    await waitFor(() => expect(listed).toHaveTextContent("WhatsApp Sales"));
    expect(within(listed).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["User message", "HSM status"]);
    expect(listed).toHaveTextContent("bmt_…9f3a");
    expect(listed).toHaveTextContent("keychain");
  });

  it("names each missing field, sends nothing until it is fixed, and creates once however often Create is pressed", async () => {
    const { backend, user } = await open();
    expect(screen.getByTestId("botmaker-webhooks-empty")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("botmaker-webhooks-create")).toBeEnabled());
    await user.click(screen.getByTestId("botmaker-webhooks-create"));
    // The message types are labelled checkboxes.
    for (const { title } of TYPES) expect(screen.getByLabelText(title)).toHaveAttribute("type", "checkbox");

    await user.click(screen.getByTestId("botmaker-webhook-submit"));
    expect(screen.getByTestId("botmaker-webhook-url-error")).toBeInTheDocument();
    expect(screen.getByTestId("botmaker-webhook-channels-error")).toHaveTextContent("at least one channel");
    expect(screen.getByTestId("botmaker-webhook-types-error")).toHaveTextContent("at least one message type");
    expect(backend.callsTo("create_botmaker_webhook")).toHaveLength(0);

    const created = deferred<BotmakerWebhookRow>();
    backend.on("create_botmaker_webhook", () => created.promise);
    await user.type(screen.getByTestId("botmaker-webhook-url"), "http://127.0.0.1:4040/botmaker");
    await user.click(screen.getByTestId("botmaker-channel-ch_wa"));
    await user.click(screen.getByLabelText("User message"));
    await user.click(screen.getByLabelText("Event message"));
    const submit = screen.getByTestId("botmaker-webhook-submit");
    await user.click(submit);
    await user.click(submit);
    await user.keyboard("{Enter}");
    expect(backend.callsTo("create_botmaker_webhook")).toHaveLength(1);
    const input = backend.callsTo("create_botmaker_webhook")[0].args.input as BotmakerWebhookInput;
    expect(input).toEqual({
      url: "http://127.0.0.1:4040/botmaker",
      security_token: null,
      channels: ["ch_wa"],
      message_types: ["user", "event"],
      include_variables: false,
    });
    created.resolve(row({ id: "bmw_new", url: input.url, message_types: ["user", "event"] }));
    expect(await screen.findByTestId("botmaker-webhooks-notice")).toHaveTextContent("kept in the keychain");
    expect(screen.queryByTestId("botmaker-webhook-dialog")).not.toBeInTheDocument();
  });

  it("puts the platform's refusal under the field it names", async () => {
    const { backend, user } = await open();
    backend.on("create_botmaker_webhook", () => {
      throw commandError("invalid_input", "choose at least one channel", {
        details: [{ field: "channels", issue: "no channel \"ch_gone\"; list them with GET /channels." }],
      });
    });
    await waitFor(() => expect(screen.getByTestId("botmaker-webhooks-create")).toBeEnabled());
    await user.click(screen.getByTestId("botmaker-webhooks-create"));
    await user.type(screen.getByTestId("botmaker-webhook-url"), "https://example.com/hook");
    await user.click(screen.getByTestId("botmaker-channel-ch_web"));
    await user.click(screen.getByLabelText("Bot message"));
    await user.click(screen.getByTestId("botmaker-webhook-submit"));
    expect(await screen.findByTestId("botmaker-webhook-channels-error")).toHaveTextContent("ch_gone");
    expect(screen.getByTestId("botmaker-webhook-url")).toHaveValue("https://example.com/hook");
  });
});
