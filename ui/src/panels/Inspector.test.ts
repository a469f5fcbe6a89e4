import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import App from "../App.svelte";
import type { CaptureFilter } from "../lib/bindings/CaptureFilter";
import { connection, FakeBackend } from "../test/backend-fake";
import { typeInEditor } from "../test/editor";
import { detailOf, emitInspector, forward, staleVerdict, summary, WebhooksFake } from "../test/webhooks-fake";

const ROW_HEIGHT = 50;

async function openInspector(setup: (fake: WebhooksFake) => void = () => {}, environment: "sandbox" | "production" = "sandbox") {
  const backend = new FakeBackend();
  backend.environment = environment;
  const fake = new WebhooksFake(backend).install();
  setup(fake);
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId(`env-${environment}`)).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-inspector"));
  await screen.findByTestId("inspector-receiver");
  return { backend, fake };
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("capture-row");
}

function listCalls(backend: FakeBackend): { offset: number; limit: number; filter: CaptureFilter }[] {
  return backend.callsTo("list_captures").map((c) => c.args as { offset: number; limit: number; filter: CaptureFilter });
}

function lastFilter(backend: FakeBackend): CaptureFilter | undefined {
  const calls = listCalls(backend);
  return calls[calls.length - 1]?.filter;
}

describe("receiver, tunnel and forwarding", () => {
  it("starts the receiver on the chosen port and shows where it listens", async () => {
    const { backend } = await openInspector();
    const user = userEvent.setup();

    expect(screen.getByTestId("inspector-receiver")).toHaveAttribute("data-running", "false");
    await user.clear(screen.getByTestId("inspector-port"));
    await user.type(screen.getByTestId("inspector-port"), "0");
    await user.click(screen.getByTestId("inspector-receiver-toggle"));

    expect(await screen.findByTestId("inspector-receiver-url")).toHaveTextContent("http://127.0.0.1:41234");
    expect((backend.callsTo("update_inspector_settings")[0].args.settings as { port: number }).port).toBe(0);
    expect(backend.callsTo("start_receiver")).toHaveLength(1);

    await user.click(screen.getByTestId("inspector-receiver-toggle"));
    await waitFor(() => expect(screen.getByTestId("inspector-receiver")).toHaveAttribute("data-running", "false"));
  });

  it("keeps the tunnel's state in sight: connected, reconnecting with the error, stale", async () => {
    const { backend } = await openInspector();
    const user = userEvent.setup();
    const state = () => screen.getByTestId("inspector-tunnel");

    expect(screen.getByTestId("inspector-tunnel-state")).toHaveTextContent("Disconnected");
    await user.click(screen.getByTestId("inspector-tunnel-toggle"));
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "connecting"));
    expect(backend.callsTo("connect_tunnel")).toHaveLength(1);

    const since = new Date(Date.now() - 90_000).toISOString();
    const heartbeat = new Date(Date.now() - 4_000).toISOString();
    await emitInspector({
      kind: "tunnel",
      scope: "sandbox",
      status: {
        state: { state: "connected", since, last_heartbeat: heartbeat, resumed_after: "evt_41" },
        last_event_id: "evt_41",
        events_received: 12,
        last_heartbeat: heartbeat,
      },
    });
    await waitFor(() => expect(state()).toHaveAttribute("data-state", "connected"));
    const detail = screen.getByTestId("inspector-tunnel-detail");
    expect(detail).toHaveTextContent(/since \d\d:\d\d:\d\d/);
    expect(detail).toHaveTextContent(/last heartbeat [45] s ago/);
    expect(detail).toHaveTextContent("12 events");
    expect(detail).toHaveTextContent("resumed after evt_41");

    await emitInspector({
      kind: "tunnel",
      scope: "sandbox",
      status: {
        state: {
          state: "reconnecting",
          attempt: 3,
          retry_at: new Date(Date.now() + 8_000).toISOString(),
          error: "connection reset by peer",
        },
        last_event_id: "evt_41",
        events_received: 12,
        last_heartbeat: heartbeat,
      },
    });
    await waitFor(() => expect(screen.getByTestId("inspector-tunnel-state")).toHaveTextContent("Reconnecting"));
    expect(screen.getByTestId("inspector-tunnel-detail")).toHaveTextContent(/in [78] s \(attempt 3\): connection reset by peer/);

    await emitInspector({
      kind: "tunnel",
      scope: "sandbox",
      status: { state: { state: "stale", since: heartbeat }, last_event_id: "evt_41", events_received: 12, last_heartbeat: heartbeat },
    });
    await waitFor(() => expect(screen.getByTestId("inspector-tunnel-state")).toHaveTextContent("Stale"));
    expect(screen.getByTestId("inspector-tunnel-detail")).toHaveTextContent(/no event or heartbeat since/);

    // Another environment's tunnel is not this one's.
    await emitInspector({
      kind: "tunnel",
      scope: "production",
      status: { state: { state: "disconnected" }, last_event_id: null, events_received: 0, last_heartbeat: null },
    });
    expect(screen.getByTestId("inspector-tunnel-state")).toHaveTextContent("Stale");
  });

  it("applies a forward target and shows why a bad one is refused", async () => {
    const { backend } = await openInspector();
    const user = userEvent.setup();

    await user.type(screen.getByTestId("inspector-forward-target"), "localhost:3000");
    await user.click(screen.getByTestId("inspector-forward-save"));
    expect(await screen.findByTestId("inspector-action-error")).toHaveTextContent("not an absolute URL");

    await user.clear(screen.getByTestId("inspector-forward-target"));
    await user.type(screen.getByTestId("inspector-forward-target"), "http://localhost:3000/webhooks");
    await user.click(screen.getByTestId("inspector-forward-save"));
    await waitFor(() => expect(screen.queryByTestId("inspector-forward-save")).not.toBeInTheDocument());
    const updates = backend.callsTo("update_inspector_settings");
    const saved = updates[updates.length - 1].args.settings as { forward_target: string };
    expect(saved.forward_target).toBe("http://localhost:3000/webhooks");
    expect(screen.getByTestId("inspector-forward")).toHaveTextContent("your server");
  });

  it("sets the mock response and restarts a running receiver on a new port", async () => {
    const { backend } = await openInspector((fake) => {
      fake.receiver.sandbox = "http://127.0.0.1:4040";
    });
    const user = userEvent.setup();

    await user.click(screen.getByTestId("inspector-settings"));
    await user.clear(screen.getByTestId("settings-mock-status"));
    await user.type(screen.getByTestId("settings-mock-status"), "503");
    await user.clear(screen.getByTestId("settings-mock-delay"));
    await user.type(screen.getByTestId("settings-mock-delay"), "1500");
    await user.clear(screen.getByTestId("settings-port"));
    await user.type(screen.getByTestId("settings-port"), "4050");
    await user.click(screen.getByTestId("settings-save"));

    await waitFor(() => expect(screen.queryByTestId("inspector-settings-dialog")).not.toBeInTheDocument());
    const saved = backend.callsTo("update_inspector_settings")[0].args.settings as {
      port: number;
      mock: { status: number; delay_ms: number };
    };
    expect(saved.port).toBe(4050);
    expect(saved.mock).toMatchObject({ status: 503, delay_ms: 1500 });
    await waitFor(() => expect(screen.getByTestId("inspector-receiver-url")).toHaveTextContent("http://127.0.0.1:4050"));
    expect(backend.callsTo("stop_receiver")).toHaveLength(1);
    expect(screen.getByTestId("inspector-forward")).toHaveTextContent("mock 503 after 1500 ms");
  });
});

describe("retention and storage", () => {
  it("shows how much inspector.sqlite holds and reads it again after a clear", async () => {
    const { fake } = await openInspector((fake) => {
      fake.captures.sandbox = [summary(2), summary(1)];
      fake.bytesPerCapture = 2 * 1024 * 1024;
    });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const storage = await screen.findByTestId("captures-storage");
    expect(storage).toHaveTextContent("4.0 MiB on disk");
    expect(storage.title).toContain("inspector.sqlite holds 2 captures in 4.0 MiB");
    expect(storage.title).toContain("keeps the newest 100,000, for 30 days");

    fake.bytesPerCapture = 0;
    await fireEvent.click(screen.getByTestId("captures-clear"));
    await fireEvent.click(await screen.findByTestId("captures-confirm"));
    await waitFor(() => expect(screen.getByTestId("captures-storage")).toHaveTextContent("32.0 KiB on disk"));
  });

  it("reads the size again once captures arrive, and not while none do", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { backend, fake } = await openInspector((fake) => {
        fake.captures.sandbox = [summary(1)];
        fake.bytesPerCapture = 1024 * 1024;
      });
      await waitFor(() => expect(rows()).toHaveLength(1));
      const reads = () => backend.callsTo("inspector_storage").length;
      const before = reads();
      vi.advanceTimersByTime(60_000);
      expect(reads()).toBe(before);

      await fake.capture("sandbox", summary(2));
      await fake.capture("sandbox", summary(3));
      await waitFor(() => expect(rows()).toHaveLength(3));
      vi.advanceTimersByTime(5_000);
      await waitFor(() => expect(screen.getByTestId("captures-storage")).toHaveTextContent("3.0 MiB on disk"));
      expect(reads()).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sets how many captures are kept and for how long, and refuses what cannot be kept", async () => {
    const { backend } = await openInspector();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("inspector-settings"));
    expect(screen.getByTestId("settings-keep-count")).toHaveValue("100000");
    expect(screen.getByTestId("settings-keep-days")).toHaveValue("30");

    await user.clear(screen.getByTestId("settings-keep-count"));
    await user.type(screen.getByTestId("settings-keep-count"), "0");
    await user.clear(screen.getByTestId("settings-keep-days"));
    await user.type(screen.getByTestId("settings-keep-days"), "9999");
    await user.click(screen.getByTestId("settings-save"));
    const dialog = screen.getByTestId("inspector-settings-dialog");
    expect(dialog).toHaveTextContent("Captures kept: a whole number from 1 to 10000000.");
    expect(dialog).toHaveTextContent("Days kept: a whole number from 1 to 3650.");
    expect(backend.callsTo("update_inspector_settings")).toHaveLength(0);

    await user.clear(screen.getByTestId("settings-keep-count"));
    await user.type(screen.getByTestId("settings-keep-count"), "5,000");
    await user.clear(screen.getByTestId("settings-keep-days"));
    await user.type(screen.getByTestId("settings-keep-days"), "7");
    await user.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(screen.queryByTestId("inspector-settings-dialog")).not.toBeInTheDocument());
    const saved = backend.callsTo("update_inspector_settings")[0].args.settings as { retention: unknown };
    expect(saved.retention).toEqual({ max_captures: 5000, max_age_days: 7 });
    expect(screen.getByTestId("captures-storage").title).toContain("keeps the newest 5,000, for 7 days");
  });
});

describe("capture list", () => {
  it("renders only the visible rows of 100,000 and fetches windows as it scrolls", async () => {
    const { backend } = await openInspector((fake) => {
      fake.virtualTotal = 100_000;
    });

    await waitFor(() => expect(screen.getByTestId("captures-count")).toHaveTextContent("100,000 captures"));
    await waitFor(() => expect(rows().length).toBeGreaterThan(0));
    expect(rows().length).toBeLessThan(60);
    expect(rows()[0]).toHaveAttribute("data-capture-id", "100000");
    expect(screen.getByTestId("captures-spacer").style.height).toBe(`${100_000 * ROW_HEIGHT}px`);
    expect(listCalls(backend).every((c) => c.limit <= 500)).toBe(true);
    expect(listCalls(backend).map((c) => c.offset)).toEqual([0]);

    const scroller = screen.getByTestId("captures-scroller");
    scroller.scrollTop = 50_000 * ROW_HEIGHT;
    await fireEvent.scroll(scroller);
    await waitFor(() => expect(rows().some((r) => r.getAttribute("data-capture-id") === "50000")).toBe(true));
    expect(rows().length).toBeLessThan(60);
    expect(listCalls(backend).some((c) => c.offset <= 50_000 && c.offset + c.limit > 50_000)).toBe(true);

    scroller.scrollTop = (100_000 - 5) * ROW_HEIGHT;
    await fireEvent.scroll(scroller);
    await waitFor(() => expect(rows().some((r) => r.getAttribute("data-capture-id") === "1")).toBe(true));
    expect(rows().length).toBeLessThan(60);
    expect(new Set(listCalls(backend).map((c) => c.offset)).size).toBe(listCalls(backend).length);
  });

  it("shows new captures live, at the top", async () => {
    const { fake } = await openInspector((fake) => {
      fake.captures.sandbox = [summary(2), summary(1)];
    });
    await waitFor(() => expect(rows()).toHaveLength(2));

    await fake.capture("sandbox", summary(3, { event_type: "contact.created", signature_valid: false, forward_status: 500 }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    const top = rows()[0];
    expect(top).toHaveAttribute("data-capture-id", "3");
    expect(top).toHaveTextContent("contact.created");
    expect(top).toHaveAttribute("data-verdict", "invalid");
    expect(top).toHaveTextContent("→ 500");
    expect(screen.getByTestId("captures-count")).toHaveTextContent("3 captures");

    // Captures of the other environment stay out: events are handled in order, so once a
    // sandbox capture sent after it shows, the production one has been dealt with.
    await emitInspector({ kind: "capture", scope: "production", capture: summary(99) });
    await fake.capture("sandbox", summary(4));
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(rows().map((r) => r.getAttribute("data-capture-id"))).not.toContain("99");
  });

  it("keeps a connection's captures apart from the environment's, and offers no tunnel there", async () => {
    const backend = new FakeBackend();
    backend.connections = [connection({ id: "conn_shop", platform: "botmaker", label: "Shop bot" })];
    backend.preferences.active_connection = "conn_shop";
    const fake = new WebhooksFake(backend).install();
    fake.captures.sandbox = [summary(1), summary(2)];
    backend.install();
    render(App);
    await screen.findByTestId("platform-band");
    await fireEvent.click(screen.getByTestId("nav-inspector"));
    await screen.findByTestId("captures-empty");
    expect(screen.getByTestId("captures-empty")).toHaveTextContent("Botmaker · Shop bot webhook's URL");
    expect(backend.callsTo("list_captures").every((c) => c.args.scope === "connection:conn_shop")).toBe(true);
    expect(backend.callsTo("inspector_status")[0].args).toEqual({ scope: "connection:conn_shop" });
    expect(screen.getByTestId("inspector-tunnel-state")).toHaveTextContent("BotBat only");
    expect(screen.queryByTestId("inspector-tunnel-toggle")).toBeNull();

    // Sandbox's capture stays out; the connection's own comes in.
    await emitInspector({ kind: "capture", scope: "sandbox", capture: summary(3) });
    await fake.capture("connection:conn_shop", summary(4, { event_type: "message_status.user" }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveAttribute("data-capture-id", "4");
  });

  it("keeps its filters and open capture while another panel is in front", async () => {
    await openInspector((fake) => {
      fake.captures.sandbox = [summary(2, { signature_valid: false }), summary(1)];
      fake.details.set(2, detailOf(fake.captures.sandbox[0]));
    });
    const user = userEvent.setup();
    await waitFor(() => expect(rows()).toHaveLength(2));
    await user.selectOptions(screen.getByTestId("captures-verdict-filter"), "invalid");
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(rows()[0]);
    await screen.findByTestId("capture-verdict");

    await user.click(screen.getByTestId("nav-webhooks"));
    await screen.findByTestId("panel-webhooks");
    await user.click(screen.getByTestId("nav-inspector"));
    await waitFor(() => expect(screen.getByTestId("capture-detail")).toHaveAttribute("data-capture-id", "2"));
    expect(screen.getByTestId("captures-verdict-filter")).toHaveValue("invalid");
    await waitFor(() => expect(rows()).toHaveLength(1));
  });

  it("filters by event type, verdict and forward result, and searches bodies", async () => {
    const { backend } = await openInspector((fake) => {
      fake.captures.sandbox = [
        summary(3, { event_type: "contact.created", signature_valid: null }),
        summary(2, { signature_valid: false }),
        summary(1),
      ];
    });
    const user = userEvent.setup();
    await waitFor(() => expect(rows()).toHaveLength(3));

    await user.selectOptions(screen.getByTestId("captures-verdict-filter"), "invalid");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveAttribute("data-capture-id", "2");
    expect(screen.getByTestId("captures-count")).toHaveTextContent("1 matching");

    await user.selectOptions(screen.getByTestId("captures-verdict-filter"), "");
    await user.selectOptions(screen.getByTestId("captures-type-filter"), "contact.created");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveAttribute("data-verdict", "unsigned");

    await user.selectOptions(screen.getByTestId("captures-type-filter"), "");
    await user.type(screen.getByTestId("captures-search"), "evt_1");
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(lastFilter(backend)).toEqual({ event_type: null, verdict: null, forward: null, search: "evt_1" });

    await user.selectOptions(screen.getByTestId("captures-forward-filter"), "failed");
    await waitFor(() => expect(lastFilter(backend)?.forward).toBe("failed"));
  });
});

describe("capture detail and actions", () => {
  async function withCapture() {
    const row = summary(5, { signature_valid: false, forward_status: 400 });
    const opened = await openInspector((fake) => {
      fake.settings.sandbox.forward_target = "http://localhost:3000/webhooks";
      fake.captures.sandbox = [row];
      fake.details.set(5, detailOf(row, { verdict: staleVerdict(), forward: forward({ status: 400, body: "bad signature" }) }));
    });
    const user = userEvent.setup();
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(rows()[0]);
    await screen.findByTestId("capture-verdict");
    return { ...opened, user };
  }

  it("says in plain words why a signature fails, with headers, body and what the server said", async () => {
    await withCapture();

    expect(screen.getByTestId("capture-verdict")).toHaveAttribute("data-tone", "bad");
    expect(screen.getByTestId("capture-verdict-headline")).toHaveTextContent(
      "Timestamp 3,600 s in the past, 3,300 s outside the 300 s tolerance",
    );
    expect(screen.getByTestId("capture-verdict-detail")).toHaveTextContent("Re-sign with a fresh timestamp");
    expect(screen.getByTestId("capture-verdict-matched")).toHaveTextContent("we_orders1 (current)");
    expect(screen.getByTestId("capture-headers")).toHaveTextContent("webhook-signature");
    expect(screen.getByTestId("capture-forward-status")).toHaveTextContent("400");
    expect(screen.getByTestId("capture-body")).toHaveTextContent('"type": "message.delivered"');
    await fireEvent.click(screen.getByTestId("capture-body-raw"));
    expect(screen.getByTestId("capture-body").textContent).toBe(
      '{"id":"evt_5","type":"message.delivered","data":{"id":"msg_01","status":"delivered"}}',
    );
  });

  it("replays, edits and replays, and re-signs and replays", async () => {
    const { backend, user } = await withCapture();

    await user.click(screen.getByTestId("capture-replay"));
    expect(await screen.findByTestId("capture-last-action")).toHaveTextContent("Replayed as captured: 200");
    expect(backend.callsTo("replay_capture")[0].args).toEqual({ scope: "sandbox", id: 5, input: { kind: "as_captured" } });

    await user.click(screen.getByTestId("capture-edit-replay"));
    const dialog = await screen.findByTestId("replay-dialog");
    const headers = within(dialog).getByTestId("replay-headers") as HTMLTextAreaElement;
    expect(headers.value).toContain("webhook-id: evt_5");
    await fireEvent.input(headers, { target: { value: `${headers.value}\nx-debug: 1` } });
    await typeInEditor("replay-body", '{"edited":true}', dialog);
    await user.click(within(dialog).getByTestId("replay-send-edited"));
    expect(await within(dialog).findByTestId("replay-latest-status")).toHaveTextContent("400");
    const edited = backend.callsTo("replay_capture")[1].args.input as { kind: string; headers: [string, string][]; body: string };
    expect(edited.kind).toBe("edited");
    expect(edited.body).toBe('{"edited":true}');
    expect(edited.headers).toContainEqual(["x-debug", "1"]);
    expect(edited.headers).toContainEqual(["webhook-id", "evt_5"]);

    await user.click(within(dialog).getByTestId("replay-send-resigned"));
    await waitFor(() => expect(within(dialog).getByTestId("replay-latest-status")).toHaveTextContent("200"));
    expect(backend.callsTo("replay_capture")[2].args.input).toEqual({ kind: "resigned", body: '{"edited":true}' });
    await user.click(within(dialog).getByTestId("replay-close"));

    await user.click(screen.getByTestId("capture-resign-replay"));
    await waitFor(() => expect(backend.callsTo("replay_capture")).toHaveLength(4));
    expect(backend.callsTo("replay_capture")[3].args.input).toEqual({ kind: "resigned", body: null });
    expect(await screen.findByTestId("capture-last-action")).toHaveTextContent("Re-signed and replayed: 200");
    // The detail shows the history of replays.
    await waitFor(() => expect(screen.getByTestId("capture-forward")).toHaveTextContent("Re-signed replay"));
  });

  it("marks masked credentials and says in the replay dialog which ones this machine keeps", async () => {
    const row = summary(7, { signature_valid: null });
    const { backend } = await openInspector((fake) => {
      fake.settings.sandbox.forward_target = "http://localhost:3000/webhooks";
      fake.captures.sandbox = [row];
      const base = detailOf(row, { verdict: null });
      fake.details.set(7, {
        ...base,
        headers: [
          ["content-type", "application/json"],
          ["authorization", "Bearer bb_test_…a1b2"],
          ["x-api-key", "…9f8e"],
        ],
        masked: [
          { index: 1, name: "authorization", prefix: "Bearer ", masked: "Bearer bb_test_…a1b2", fingerprint: "00" },
          { index: 2, name: "x-api-key", prefix: "", masked: "…9f8e", fingerprint: "11" },
        ],
      });
      fake.credentials.set(7, [
        { name: "authorization", masked: "Bearer bb_test_…a1b2", kept_as: "the Sandbox management key" },
        { name: "x-api-key", masked: "…9f8e", kept_as: null },
      ]);
    });
    const user = userEvent.setup();
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(rows()[0]);
    await screen.findByTestId("capture-verdict");
    expect(screen.getAllByTestId("capture-header-masked")).toHaveLength(2);
    expect(screen.getByTestId("capture-masked-note")).toHaveTextContent("The body is stored as received");

    await user.click(screen.getByTestId("capture-edit-replay"));
    const dialog = await screen.findByTestId("replay-dialog");
    const items = await within(dialog).findAllByTestId("replay-credential");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveAttribute("data-kept", "true");
    expect(items[0]).toHaveTextContent("replays send the Sandbox management key, kept in this machine's keychain");
    expect(items[1]).toHaveAttribute("data-kept", "false");
    expect(items[1]).toHaveTextContent(
      "The x-api-key credential was not kept: this machine does not keep …9f8e in its keychain, so the header goes as masked.",
    );
    expect(backend.callsTo("capture_credentials")[0].args).toEqual({ scope: "sandbox", id: 7 });
  });

  it("refuses to replay without a forward target and says where to set one", async () => {
    const row = summary(5);
    await openInspector((fake) => {
      fake.captures.sandbox = [row];
      fake.details.set(5, detailOf(row));
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    await fireEvent.click(rows()[0]);
    await screen.findByTestId("capture-verdict");
    expect(screen.getByTestId("capture-replay")).toBeDisabled();
    expect(screen.getByTestId("capture-resign-replay")).toBeDisabled();
    expect(screen.getByTestId("capture-detail")).toHaveTextContent("set a forward target above");
  });

  it("copies as cURL, exports HAR with the written path, deletes, and clears after confirmation", async () => {
    const { backend, fake, user } = await withCapture();

    await user.click(screen.getByTestId("capture-curl"));
    expect(await screen.findByTestId("capture-curl-text")).toHaveTextContent("curl -X POST");

    await user.click(screen.getByTestId("capture-export"));
    expect(await screen.findByTestId("inspector-export-path")).toHaveTextContent(fake.harPath);
    expect(backend.callsTo("export_har")[0].args).toEqual({ scope: "sandbox", ids: [5] });

    await fake.capture("sandbox", summary(6));
    await waitFor(() => expect(rows()).toHaveLength(2));
    const pick = within(rows()[1]).getByRole("checkbox");
    await user.click(pick);
    await user.click(within(rows()[0]).getByRole("checkbox"));
    await user.click(screen.getByTestId("captures-export-selected"));
    await waitFor(() => expect(backend.callsTo("export_har")).toHaveLength(2));
    expect((backend.callsTo("export_har")[1].args.ids as number[]).sort()).toEqual([5, 6]);

    await user.click(screen.getByTestId("capture-delete"));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(backend.callsTo("delete_captures")[0].args).toEqual({ scope: "sandbox", ids: [5] });
    expect(screen.queryByTestId("capture-detail")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("captures-unselect"));
    await user.click(screen.getByTestId("captures-clear"));
    expect(await screen.findByTestId("captures-confirm-dialog")).toHaveTextContent("All 1 capture of Sandbox");
    expect(backend.callsTo("clear_captures")).toHaveLength(0);
    await user.click(screen.getByTestId("captures-confirm"));
    expect(await screen.findByTestId("captures-empty")).toBeInTheDocument();
    expect(backend.callsTo("clear_captures")).toHaveLength(1);
  });
});
