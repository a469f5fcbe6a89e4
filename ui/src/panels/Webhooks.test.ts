import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import type { WebhookRow } from "../lib/bindings/WebhookRow";
import { deferred, FakeBackend } from "../test/backend-fake";
import { summary, webhook, WebhooksFake } from "../test/webhooks-fake";

/** `seed` fills the fake before the panel first loads. */
async function openWebhooks(
  environment: "sandbox" | "production" = "sandbox",
  seed: (fake: WebhooksFake) => void = () => {},
) {
  const backend = new FakeBackend();
  backend.environment = environment;
  if (environment === "production") backend.keys.production = "bb_live_bbbbbbbbbbbbbbbbbbbbbbbbbbbba1b2";
  const fake = new WebhooksFake(backend).install();
  seed(fake);
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId(`env-${environment}`)).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-webhooks"));
  await waitFor(() => expect(screen.queryByTestId("webhooks-loading")).not.toBeInTheDocument());
  return { backend, fake };
}

describe("endpoint list", () => {
  it("shows each endpoint's URL, events, status, secret and why the platform disabled it", async () => {
    await openWebhooks();

    const orders = screen.getByTestId("webhook-row-we_orders1");
    expect(orders).toHaveTextContent("https://orders.example.com/hooks/botbat");
    expect(orders).toHaveTextContent("Order service");
    expect(orders).toHaveTextContent("enabled");
    expect(orders).toHaveTextContent("keychain");
    const chips = within(orders)
      .getAllByRole("listitem")
      .map((li) => li.textContent?.trim());
    expect(chips).toEqual(["message.delivered", "message.failed", "contact.created", "+1"]);

    const gone = screen.getByTestId("webhook-row-we_gone2");
    expect(gone).toHaveTextContent("disabled by BotBat");
    expect(screen.getByTestId("webhook-disabled-reason-we_gone2")).toHaveTextContent("answered 410 Gone");
    expect(gone).toHaveTextContent("every event");
    expect(gone).toHaveTextContent("not kept");
  });

  it("clears the list at once when the environment switches", async () => {
    const { backend, fake } = await openWebhooks();
    const later = deferred<WebhookRow[]>();
    backend.on("list_webhooks", () => later.promise);

    await fireEvent.click(screen.getByTestId("env-production"));
    await waitFor(() => expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "production"));
    expect(screen.queryByTestId("webhook-row-we_orders1")).not.toBeInTheDocument();
    expect(screen.getByTestId("webhooks-loading")).toBeInTheDocument();

    later.resolve(fake.webhooks.production);
    expect(await screen.findByTestId("webhooks-empty")).toHaveTextContent("No webhook endpoints in Production");
  });
});

describe("create and the secret shown once", () => {
  it("creates an endpoint with types picked by group and keeps its secret for the inspector", async () => {
    const { backend, fake } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhooks-create"));
    const dialog = await screen.findByTestId("endpoint-dialog");
    await user.click(within(dialog).getByTestId("endpoint-submit"));
    expect(screen.getByTestId("endpoint-url-error")).toHaveTextContent("Enter your endpoint's URL");
    expect(screen.getByTestId("endpoint-types-error")).toBeInTheDocument();
    expect(backend.callsTo("create_webhook")).toHaveLength(0);

    await user.type(screen.getByTestId("endpoint-url"), "ftp://nope");
    await user.click(screen.getByTestId("endpoint-submit"));
    expect(screen.getByTestId("endpoint-url-error")).toHaveTextContent("Use http or https");

    await user.clear(screen.getByTestId("endpoint-url"));
    await user.type(screen.getByTestId("endpoint-url"), "http://127.0.0.1:4040/botbat");
    await user.type(screen.getByTestId("endpoint-description"), "Local inspector");
    // A group's box takes the whole group; each type says what it means.
    const messages = screen.getByTestId("event-group-messages");
    expect(messages).toHaveTextContent("The recipient's phone confirmed the message.");
    await user.click(within(messages).getByRole("checkbox", { name: "All messages events" }));
    expect(screen.getByTestId("endpoint-types-count")).toHaveTextContent("3 event types chosen.");
    await user.click(screen.getByTestId("event-type-message.sent"));
    await user.click(screen.getByTestId("event-type-rate_limit.exceeded"));
    await user.click(screen.getByTestId("endpoint-submit"));

    await waitFor(() => expect(backend.callsTo("create_webhook")).toHaveLength(1));
    const call = backend.callsTo("create_webhook")[0].args;
    expect(call.environment).toBe("sandbox");
    expect(call.input).toEqual({
      url: "http://127.0.0.1:4040/botbat",
      event_types: ["message.delivered", "message.failed", "rate_limit.exceeded"],
      description: "Local inspector",
      enabled: true,
    });

    const secretDialog = await screen.findByTestId("webhook-secret-dialog");
    const secret = screen.getByTestId("webhook-secret-value").textContent ?? "";
    expect(secret).toMatch(/^whsec_/);
    // Nothing dismisses it by accident.
    await fireEvent.keyDown(secretDialog, { key: "Escape" });
    await fireEvent.click(screen.getByTestId("webhook-secret-dialog-backdrop"));
    expect(screen.getByTestId("webhook-secret-dialog")).toBeInTheDocument();
    expect(screen.getByTestId("webhook-secret-done")).toBeDisabled();
    expect(screen.getByTestId("webhook-secret-keep")).toBeChecked();

    await user.click(screen.getByTestId("webhook-secret-confirm"));
    await user.click(screen.getByTestId("webhook-secret-done"));
    await waitFor(() => expect(screen.queryByTestId("webhook-secret-dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("keep_webhook_secret")[0].args).toEqual({ environment: "sandbox", webhookId: "we_new1" });
    expect(document.body.innerHTML).not.toContain(secret);
    expect(screen.getByTestId("webhooks-notice")).toHaveTextContent("the Inspector verifies its deliveries");
    expect(await screen.findByTestId("webhook-row-we_new1")).toHaveTextContent("keychain");
    expect(fake.held.size).toBe(0);
  });

  it("offers the running receiver's URL and confirms a Production create", async () => {
    const { backend, fake } = await openWebhooks("production");
    fake.receiver.production = "http://127.0.0.1:4040";
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhooks-create"));
    await user.click(await screen.findByTestId("endpoint-use-receiver"));
    expect(screen.getByTestId("endpoint-url")).toHaveValue("http://127.0.0.1:4040/botbat");
    await user.click(screen.getByTestId("event-type-all"));
    await user.click(screen.getByTestId("endpoint-submit"));

    const confirm = await screen.findByTestId("confirm-production-step");
    expect(confirm).toHaveTextContent("PRODUCTION endpoint");
    expect(screen.getByTestId("endpoint-dialog")).toContainElement(confirm);
    expect(backend.callsTo("create_webhook")).toHaveLength(0);
    await user.click(screen.getByTestId("confirm-production"));
    await waitFor(() => expect(backend.callsTo("create_webhook")).toHaveLength(1));
    expect((backend.callsTo("create_webhook")[0].args.input as { event_types: string[] }).event_types).toEqual(["*"]);
    expect(await screen.findByTestId("webhook-secret-dialog")).toBeInTheDocument();
  });
});

describe("without a management key", () => {
  it("disables Add endpoint and says why", async () => {
    const backend = new FakeBackend();
    backend.keys.sandbox = null;
    new WebhooksFake(backend).install();
    backend.install();
    render(App);
    await waitFor(() => expect(screen.getByTestId("env-sandbox")).toBeEnabled());
    await fireEvent.click(screen.getByTestId("nav-webhooks"));
    const add = await screen.findByTestId("webhooks-create");
    expect(add).toBeDisabled();
    expect(screen.getByTestId("webhooks-needs-key")).toHaveTextContent("Adding an endpoint needs a management key for Sandbox");
  });
});

describe("endpoint actions", () => {
  it("rotates with the chosen overlap and discards the secret when not kept", async () => {
    const { backend } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhook-rotate-we_orders1"));
    await user.click(await screen.findByTestId("overlap-7d"));
    await user.click(screen.getByTestId("rotate-secret-submit"));

    await screen.findByTestId("webhook-secret-dialog");
    expect(backend.callsTo("rotate_webhook_secret")[0].args).toEqual({
      environment: "sandbox",
      webhookId: "we_orders1",
      overlap: "7d",
    });
    expect(screen.getByTestId("webhook-secret-overlap")).toHaveTextContent("previous secret keeps signing");
    await user.click(screen.getByTestId("webhook-secret-keep"));
    await user.click(screen.getByTestId("webhook-secret-confirm"));
    await user.click(screen.getByTestId("webhook-secret-done"));
    await waitFor(() => expect(backend.callsTo("discard_issued_secret")).toHaveLength(1));
    expect(backend.callsTo("discard_issued_secret")[0].args).toEqual({ keyId: "we_orders1" });
    expect(backend.callsTo("keep_webhook_secret")).toHaveLength(0);
    expect(await screen.findByTestId("webhook-row-we_orders1")).toHaveTextContent("old secret until");
  });

  it("disables, enables again, and deletes only after confirmation", async () => {
    const { backend } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhook-toggle-we_orders1"));
    await waitFor(() => expect(screen.getByTestId("webhook-row-we_orders1")).toHaveAttribute("data-enabled", "false"));
    expect((backend.callsTo("update_webhook")[0].args.input as { enabled: boolean }).enabled).toBe(false);
    await user.click(screen.getByTestId("webhook-toggle-we_gone2"));
    await waitFor(() => expect(screen.getByTestId("webhook-row-we_gone2")).toHaveAttribute("data-enabled", "true"));
    expect(screen.queryByTestId("webhook-disabled-reason-we_gone2")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("webhook-delete-we_gone2"));
    const dialog = await screen.findByTestId("delete-endpoint-dialog");
    expect(dialog).toHaveTextContent("https://old.example.com/botbat");
    expect(backend.callsTo("delete_webhook")).toHaveLength(0);
    await user.click(screen.getByTestId("delete-endpoint-submit"));
    await waitFor(() => expect(screen.queryByTestId("webhook-row-we_gone2")).not.toBeInTheDocument());
    expect(backend.callsTo("delete_webhook")[0].args).toEqual({ environment: "sandbox", webhookId: "we_gone2" });
  });

  it("deletes a Production endpoint only once its exact host is typed, in one dialog", async () => {
    const live = webhook({ id: "we_live1", url: "https://hooks.example.com/botbat" });
    const { backend } = await openWebhooks("production", (fake) => {
      fake.webhooks.production = [{ webhook: live, secret_stored: false }];
    });
    const user = userEvent.setup();

    await user.click(await screen.findByTestId("webhook-delete-we_live1"));
    const dialog = await screen.findByTestId("delete-endpoint-dialog");
    expect(dialog).toHaveTextContent("This deletes a PRODUCTION endpoint.");
    const submit = screen.getByTestId("delete-endpoint-submit");
    const field = screen.getByTestId("delete-endpoint-confirm-name");
    expect(submit).toBeDisabled();
    for (const near of ["HOOKS.example.com", "hooks.example.com ", "https://hooks.example.com/botbat"]) {
      await user.clear(field);
      await user.type(field, near);
      expect(submit).toBeDisabled();
    }
    await user.clear(field);
    await user.type(field, "hooks.example.com");
    expect(submit).toBeEnabled();
    await user.click(submit);

    await waitFor(() => expect(screen.queryByTestId("webhook-row-we_live1")).not.toBeInTheDocument());
    expect(screen.queryByTestId("confirm-production-dialog")).not.toBeInTheDocument();
    expect(screen.queryByTestId("delete-endpoint-dialog")).not.toBeInTheDocument();
    expect(backend.callsTo("delete_webhook")[0].args).toEqual({ environment: "production", webhookId: "we_live1" });
  });

  it("edits URL and types of an endpoint", async () => {
    const { backend } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhook-edit-we_orders1"));
    expect(await screen.findByTestId("endpoint-url")).toHaveValue("https://orders.example.com/hooks/botbat");
    expect(screen.getByTestId("event-type-contact.created")).toBeChecked();
    await user.click(screen.getByTestId("event-type-contact.created"));
    await user.click(screen.getByTestId("endpoint-submit"));
    await waitFor(() => expect(backend.callsTo("update_webhook")).toHaveLength(1));
    expect((backend.callsTo("update_webhook")[0].args.input as { event_types: string[] }).event_types).toEqual([
      "message.delivered",
      "message.failed",
      "contact.deleted",
    ]);
    expect(await screen.findByTestId("webhooks-notice")).toHaveTextContent("is saved");
  });
});

describe("deliveries", () => {
  it("lists attempts with response, latency, error and next retry, and resends", async () => {
    const { backend } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhook-deliveries-we_orders1"));
    const failed = await screen.findByTestId("delivery-dlv_fail1");
    expect(failed).toHaveAttribute("data-status", "pending");
    expect(failed).toHaveTextContent("message.failed");
    expect(screen.getByTestId("delivery-response-dlv_fail1")).toHaveTextContent("500");
    expect(failed).toHaveTextContent("120 ms");
    expect(failed).toHaveTextContent("HTTP 500");
    expect(failed).toHaveTextContent(/retry in 4 min/);

    await user.click(screen.getByTestId("delivery-toggle-dlv_fail1"));
    const detail = screen.getByTestId("delivery-detail-dlv_fail1");
    expect(within(detail).getByTestId("delivery-body-dlv_fail1")).toHaveTextContent('"type": "message.delivered"');
    expect(within(detail).getByTestId("attempt-dlv_fail1-1")).toHaveTextContent("database is locked");

    await user.click(screen.getByTestId("delivery-resend-dlv_fail1"));
    await waitFor(() => expect(screen.getByTestId("delivery-dlv_fail1")).toHaveAttribute("data-status", "succeeded"));
    expect(backend.callsTo("resend_delivery")[0].args).toEqual({
      environment: "sandbox",
      webhookId: "we_orders1",
      deliveryId: "dlv_fail1",
    });
    expect(screen.getByTestId("attempt-dlv_fail1-2")).toHaveTextContent("manual resend");
  });

  it("resends every failed delivery since a chosen time and reports the outcome", async () => {
    const { backend } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhook-open-we_orders1"));
    await screen.findByTestId("deliveries-table");
    await fireEvent.input(screen.getByTestId("resend-since"), { target: { value: "2025-01-15T08:30" } });
    await user.click(screen.getByTestId("resend-failed"));

    expect(await screen.findByTestId("resend-report")).toHaveTextContent("Resent 3: 2 succeeded, 1 failed.");
    expect(backend.callsTo("resend_failed_since")[0].args).toEqual({
      environment: "sandbox",
      webhookId: "we_orders1",
      since: new Date("2025-01-15T08:30").toISOString(),
    });
  });
});

describe("event simulator", () => {
  it("sends an edited example with a forced failure, then follows it to deliveries and the inspector", async () => {
    const { backend, fake } = await openWebhooks();
    const user = userEvent.setup();

    await user.click(screen.getByTestId("webhooks-tab-simulator"));
    const type = await screen.findByTestId("simulator-type");
    expect(type).toHaveValue("message.delivered");
    expect(screen.getByTestId("simulator-description")).toHaveTextContent("The recipient's phone confirmed the message.");
    const payload = screen.getByTestId("simulator-payload") as HTMLTextAreaElement;
    expect(JSON.parse(payload.value)).toEqual({ id: "msg_01", status: "delivered", channel: "whatsapp" });
    expect(screen.getByTestId("simulator-receivers")).toHaveTextContent("https://orders.example.com/hooks/botbat");

    await fireEvent.input(payload, { target: { value: '{"id": "msg_01", ' } });
    expect(screen.getByTestId("simulator-payload-error")).toHaveTextContent("Not valid JSON");
    expect(screen.getByTestId("simulator-send")).toBeDisabled();
    await fireEvent.input(payload, { target: { value: '{"id": "msg_77", "channel": "sms"}' } });
    await user.click(screen.getByTestId("simulator-force-failure"));
    await user.click(screen.getByTestId("simulator-send"));

    const result = await screen.findByTestId("simulator-result");
    expect(result).toHaveTextContent("evt_sim1");
    expect(result).toHaveTextContent("forced failure");
    expect(backend.callsTo("simulate_event")[0].args).toEqual({
      environment: "sandbox",
      request: { type: "message.delivered", data: { id: "msg_77", channel: "sms" }, force_delivery_failure: true },
    });

    // The deliveries list of the endpoint that received it, waiting for the delivery.
    fake.deliveries.set("we_orders1", []);
    await user.click(screen.getByTestId("simulator-follow-we_orders1"));
    expect(await screen.findByTestId("endpoint-we_orders1")).toBeInTheDocument();
    expect(await screen.findByTestId("deliveries-waiting")).toHaveTextContent("evt_sim1");

    // And the inspector, which opens the capture of that event when it arrives.
    await user.click(screen.getByTestId("webhooks-tab-simulator"));
    fake.receiver.sandbox = "http://127.0.0.1:4040";
    await user.click(screen.getByTestId("simulator-open-inspector"));
    expect(await screen.findByTestId("panel-inspector")).toBeInTheDocument();
    expect(await screen.findByTestId("inspector-waiting")).toHaveTextContent("evt_sim1");
    await fake.capture("sandbox", summary(7, { event_id: "evt_sim1" }));
    await waitFor(() => expect(screen.getByTestId("capture-detail")).toHaveAttribute("data-capture-id", "7"));
    expect(screen.queryByTestId("inspector-waiting")).not.toBeInTheDocument();
  });

  it("explains instead of simulating in Production", async () => {
    const { backend } = await openWebhooks("production");

    await fireEvent.click(screen.getByTestId("webhooks-tab-simulator"));
    expect(screen.getByTestId("simulator-sandbox-only")).toHaveTextContent("works in the Sandbox only");
    expect(screen.queryByTestId("simulator-send")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("simulator-switch-sandbox"));
    await waitFor(() => expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "sandbox"));
    expect(await screen.findByTestId("simulator-send")).toBeInTheDocument();
    expect(backend.callsTo("simulate_event")).toHaveLength(0);
  });
});
