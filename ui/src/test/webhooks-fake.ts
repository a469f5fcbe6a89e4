// The Webhooks and Inspector commands, in memory, installed on a FakeBackend through its
// per-command overrides. Captures can be a handful of real-looking ones or a virtual
// list of any length (rows are made from their offset), to test 100,000 without holding
// them.

import { emit } from "@tauri-apps/api/event";
import type { InspectorScope } from "../lib/backend";
import type { CommandName } from "../lib/command-names";
import type { CaptureDetail } from "../lib/bindings/CaptureDetail";
import type { CaptureFilter } from "../lib/bindings/CaptureFilter";
import type { CapturePage } from "../lib/bindings/CapturePage";
import type { CaptureStorage } from "../lib/bindings/CaptureStorage";
import type { CaptureSummary } from "../lib/bindings/CaptureSummary";
import type { CredentialStatus } from "../lib/bindings/CredentialStatus";
import type { Delivery } from "../lib/bindings/Delivery";
import type { Environment } from "../lib/bindings/Environment";
import type { Event as PlatformEvent } from "../lib/bindings/Event";
import type { EventTypeInfo } from "../lib/bindings/EventTypeInfo";
import type { ForwardResult } from "../lib/bindings/ForwardResult";
import type { InspectorEvent } from "../lib/bindings/InspectorEvent";
import type { InspectorSettings } from "../lib/bindings/InspectorSettings";
import type { InspectorStatus } from "../lib/bindings/InspectorStatus";
import type { IssuedWebhookSecret } from "../lib/bindings/IssuedWebhookSecret";
import type { ReplayInput } from "../lib/bindings/ReplayInput";
import type { SecretOverlap } from "../lib/bindings/SecretOverlap";
import type { SimulateEventRequest } from "../lib/bindings/SimulateEventRequest";
import type { TunnelStatus } from "../lib/bindings/TunnelStatus";
import type { Verdict } from "../lib/bindings/Verdict";
import type { Webhook } from "../lib/bindings/Webhook";
import type { WebhookInput } from "../lib/bindings/WebhookInput";
import type { WebhookRow } from "../lib/bindings/WebhookRow";
import { type Args, commandError, type FakeBackend } from "./backend-fake";

const MINUTE = 60_000;

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

export function webhookSecretFor(id: string): string {
  return `whsec_${btoa(`${id}-signing-secret-0123456789`).replace(/=+$/, "")}`;
}

export function webhook(overrides: Partial<Webhook> & { id: string; url: string }): Webhook {
  return {
    description: null,
    event_types: ["message.delivered"],
    enabled: true,
    disabled_reason: null,
    secret_masked: `whsec_…${overrides.id.slice(-4)}`,
    previous_secret_expires_at: null,
    created_at: ago(5 * 24 * 60 * MINUTE),
    updated_at: ago(5 * 24 * 60 * MINUTE),
    ...overrides,
  };
}

export function catalog(): EventTypeInfo[] {
  const info = (type: string, group: string, description: string, example: Record<string, unknown>): EventTypeInfo => ({
    type,
    group,
    description,
    example,
  });
  return [
    info("message.delivered", "messages", "The recipient's phone confirmed the message.", {
      id: "msg_01",
      status: "delivered",
      channel: "whatsapp",
    }),
    info("message.failed", "messages", "The message could not be delivered.", { id: "msg_02", status: "failed" }),
    info("message.sent", "messages", "The message left BotBat for the carrier.", { id: "msg_03", status: "sent" }),
    info("contact.created", "contacts", "A contact was created.", { id: "con_01", name: "Ana" }),
    info("contact.deleted", "contacts", "A contact was deleted.", { id: "con_02" }),
    info("rate_limit.exceeded", "rate limits", "A key went over its rate limit.", { key_id: "key_1" }),
    info("campaign.completed", "campaigns", "Every message of a campaign was sent.", { id: "cmp_1" }),
  ];
}

export function sandboxWebhooks(): WebhookRow[] {
  return [
    {
      webhook: webhook({
        id: "we_orders1",
        url: "https://orders.example.com/hooks/botbat",
        description: "Order service",
        event_types: ["message.delivered", "message.failed", "contact.created", "contact.deleted"],
      }),
      secret_stored: true,
    },
    {
      webhook: webhook({
        id: "we_gone2",
        url: "https://old.example.com/botbat",
        enabled: false,
        disabled_reason: "Disabled at 2025-01-14T09:00:00Z: the endpoint answered 410 Gone.",
        event_types: ["*"],
      }),
      secret_stored: false,
    },
  ];
}

export function delivery(overrides: Partial<Delivery> & { id: string; webhook_id: string }): Delivery {
  return {
    event_id: `evt_${overrides.id.slice(4)}`,
    event_type: "message.delivered",
    status: "succeeded",
    next_attempt_at: null,
    request_body: '{"id":"evt_1","type":"message.delivered","data":{"id":"msg_01"}}',
    attempts: [
      {
        number: 1,
        trigger: "event",
        at: ago(10 * MINUTE),
        request_headers: { "webhook-id": "evt_1", "webhook-timestamp": "1736935333", "webhook-signature": "v1,abc=" },
        response_status: 200,
        response_body: '{"ok":true}',
        latency_ms: 42,
        error: null,
      },
    ],
    created_at: ago(10 * MINUTE),
    updated_at: ago(10 * MINUTE),
    ...overrides,
  };
}

export function summary(id: number, overrides: Partial<CaptureSummary> = {}): CaptureSummary {
  return {
    id,
    source: "receiver",
    received_at: new Date(Date.UTC(2025, 0, 15, 10, 0, 0) + id * 1000).toISOString(),
    method: "POST",
    path: "/botbat",
    event_id: `evt_${id}`,
    event_type: "message.delivered",
    body_size: 180,
    response_status: null,
    scheme: "standard",
    signature_valid: true,
    forward_status: 200,
    forward_error: null,
    note: null,
    ...overrides,
  };
}

export function validVerdict(matched = "we_orders1 (current)"): Verdict {
  return {
    scheme: "standard",
    valid: true,
    matched,
    problem: null,
    detail: `Valid Standard Webhooks signature, made with the "${matched}" signing secret.`,
    skew_seconds: 1,
  };
}

export function staleVerdict(): Verdict {
  return {
    scheme: "standard",
    valid: false,
    matched: "we_orders1 (current)",
    problem: {
      kind: "timestamp_outside_tolerance",
      direction: "past",
      offset_seconds: 3600,
      beyond_seconds: 3300,
      tolerance_seconds: 300,
    },
    detail:
      'The signature itself matches the "we_orders1 (current)" signing secret, but the timestamp is 3600 s in the past, 3300 s beyond the 300 s tolerance; a receiver refuses it as a possible replay. Re-sign with a fresh timestamp to replay it.',
    skew_seconds: 3600,
  };
}

export function forward(overrides: Partial<ForwardResult> = {}): ForwardResult {
  return {
    url: "http://localhost:3000/webhooks/botbat",
    status: 200,
    headers: [["content-type", "application/json"]],
    body: '{"ok":true}',
    body_truncated: false,
    latency_ms: 7,
    error: null,
    replay: null,
    ...overrides,
  };
}

export function detailOf(row: CaptureSummary, overrides: Partial<CaptureDetail> = {}): CaptureDetail {
  const body = JSON.stringify({ id: row.event_id, type: row.event_type, data: { id: "msg_01", status: "delivered" } });
  return {
    summary: row,
    headers: [
      ["content-type", "application/json"],
      ["webhook-id", row.event_id ?? ""],
      ["webhook-timestamp", "1736935333"],
      ["webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="],
    ],
    masked: [],
    body,
    body_base64: btoa(body),
    verdict: row.signature_valid === null ? null : row.signature_valid ? validVerdict() : staleVerdict(),
    forward: row.forward_status !== null ? forward({ status: row.forward_status }) : null,
    replays: [],
    ...overrides,
  };
}

function disconnected(): TunnelStatus {
  return { state: { state: "disconnected" }, last_event_id: null, events_received: 0, last_heartbeat: null };
}

/** What the Rust side pushes to the Inspector. */
export function emitInspector(event: InspectorEvent): Promise<void> {
  return emit("inspector", event);
}

export class WebhooksFake {
  webhooks: Record<Environment, WebhookRow[]> = { sandbox: sandboxWebhooks(), production: [] };
  deliveries = new Map<string, Delivery[]>([
    [
      "we_orders1",
      [
        delivery({
          id: "dlv_fail1",
          webhook_id: "we_orders1",
          event_type: "message.failed",
          status: "pending",
          // Half a minute over four, so "retry in 4 min" still reads so when a loaded
          // machine takes seconds between making the fake and drawing the list.
          next_attempt_at: new Date(Date.now() + 4.5 * MINUTE).toISOString(),
          attempts: [
            {
              number: 1,
              trigger: "event",
              at: ago(2 * MINUTE),
              request_headers: { "webhook-id": "evt_fail1" },
              response_status: 500,
              response_body: '{"error":"database is locked"}',
              latency_ms: 120,
              error: "HTTP 500",
            },
          ],
        }),
        delivery({ id: "dlv_ok2", webhook_id: "we_orders1" }),
      ],
    ],
  ]);
  catalog = catalog();
  held = new Set<string>();
  simulated: PlatformEvent[] = [];
  settings: Record<Environment, InspectorSettings> = {
    sandbox: this.defaultSettings(),
    production: this.defaultSettings(),
  };
  receiver: Record<Environment, string | null> = { sandbox: null, production: null };
  tunnel: Record<Environment, TunnelStatus> = { sandbox: disconnected(), production: disconnected() };
  /** Explicit captures, newest first; when `virtualTotal` is set, rows are generated instead. */
  captures: Record<Environment, CaptureSummary[]> = { sandbox: [], production: [] };
  details = new Map<number, CaptureDetail>();
  virtualTotal: number | null = null;
  /** What the fake's `inspector.sqlite` grows by per capture. */
  bytesPerCapture = 520;
  /** What `capture_credentials` answers, per capture id. */
  credentials = new Map<number, CredentialStatus[]>();
  curl = "curl -X POST 'http://localhost:3000/webhooks/botbat' -H 'webhook-id: evt_3' --data-binary '{}'";
  harPath = "/home/dev/Downloads/botbat-sandbox-captures-20250115-100000.har";
  private sequence = 0;

  constructor(readonly backend: FakeBackend) {}

  /**
   * The key of a scope's records. A connection's scope, seen for the first time, starts like
   * a fresh environment; the records are typed by environment for the tests that set them.
   */
  private ensure(scope: InspectorScope): Environment {
    const key = scope as Environment;
    this.settings[key] ??= this.defaultSettings();
    this.receiver[key] ??= null;
    this.tunnel[key] ??= disconnected();
    this.captures[key] ??= [];
    return key;
  }

  private defaultSettings(): InspectorSettings {
    return {
      port: 4040,
      forward_target: null,
      mock: { status: 200, body: '{"received":true}', content_type: "application/json", delay_ms: 0 },
      body_limit_mib: 5,
      retention: { max_captures: 100_000, max_age_days: 30 },
    };
  }

  status(environment: Environment): InspectorStatus {
    return {
      scope: environment,
      receiver_url: this.receiver[environment],
      tunnel: this.tunnel[environment],
      settings: this.settings[environment],
      storage: this.storage(environment),
      secrets_known: 1,
    };
  }

  storage(environment: Environment): CaptureStorage {
    const captures = this.virtualTotal ?? this.captures[environment].length;
    return { captures, bytes: this.bytesPerCapture * captures + 32_768 };
  }

  row(id: string): WebhookRow | undefined {
    return this.webhooks[this.backend.environment].find((r) => r.webhook.id === id);
  }

  private check(args: Args): Environment {
    const environment = args.environment as Environment;
    if (environment !== this.backend.environment) {
      throw commandError("environment_changed", `The console now targets ${this.backend.environment}.`);
    }
    return environment;
  }

  private issue(hook: Webhook, previous: string | null): IssuedWebhookSecret {
    this.held.add(hook.id);
    return { webhook: hook, secret: webhookSecretFor(`${hook.id}${this.sequence}`), previous_secret_expires_at: previous };
  }

  private matches(row: CaptureSummary, filter: CaptureFilter): boolean {
    if (filter.event_type && row.event_type !== filter.event_type) return false;
    if (filter.verdict === "valid" && row.signature_valid !== true) return false;
    if (filter.verdict === "invalid" && row.signature_valid !== false) return false;
    if (filter.verdict === "unsigned" && row.signature_valid !== null) return false;
    if (filter.forward === "succeeded" && !(row.forward_status !== null && row.forward_status < 300)) return false;
    if (filter.search && !(row.event_id ?? "").includes(filter.search) && !row.path.includes(filter.search)) return false;
    return true;
  }

  private list(environment: Environment, filter: CaptureFilter, offset: number, limit: number): CapturePage {
    if (limit < 1 || limit > 500) throw commandError("invalid_input", `limit ${limit} is outside 1..500`);
    if (this.virtualTotal !== null) {
      const total = this.virtualTotal;
      const rows: CaptureSummary[] = [];
      for (let i = offset; i < Math.min(total, offset + limit); i += 1) rows.push(summary(total - i));
      return { rows, total };
    }
    const all = this.captures[environment].filter((r) => this.matches(r, filter));
    return { rows: all.slice(offset, offset + limit), total: all.length };
  }

  /** Stores a capture as the receiver would and tells the UI. */
  async capture(scope: InspectorScope, row: CaptureSummary, detail?: CaptureDetail): Promise<void> {
    const key = this.ensure(scope);
    this.captures[key] = [row, ...this.captures[key]];
    this.details.set(row.id, detail ?? detailOf(row));
    await emitInspector({ kind: "capture", scope, capture: row });
  }

  install(): this {
    const on = (cmd: CommandName, handler: (args: Args) => unknown) => this.backend.on(cmd, handler);
    on("list_webhooks", (args) => {
      const environment = args.environment as Environment;
      return this.webhooks[environment].map((r) => ({ ...r, webhook: { ...r.webhook } }));
    });
    on("event_types", () => this.catalog);
    on("create_webhook", (args) => {
      const environment = this.check(args);
      const input = args.input as WebhookInput;
      this.sequence += 1;
      const hook = webhook({
        id: `we_new${this.sequence}`,
        url: input.url,
        description: input.description,
        event_types: input.event_types,
        enabled: input.enabled,
        created_at: new Date().toISOString(),
      });
      this.webhooks[environment] = [...this.webhooks[environment], { webhook: hook, secret_stored: false }];
      return this.issue(hook, null);
    });
    on("keep_webhook_secret", (args) => {
      const id = args.webhookId as string;
      if (!this.held.delete(id)) throw commandError("not_found", "That secret is no longer held.");
      const row = this.row(id);
      if (!row) throw commandError("not_found", `No endpoint ${id}.`);
      row.secret_stored = true;
      return { ...row };
    });
    on("discard_issued_secret", (args) => {
      this.held.delete(args.keyId as string);
      return null;
    });
    on("update_webhook", (args) => {
      this.check(args);
      const row = this.row(args.webhookId as string);
      if (!row) throw commandError("not_found", "No such endpoint.", { status: 404 });
      const input = args.input as WebhookInput;
      row.webhook = { ...row.webhook, ...input, disabled_reason: input.enabled ? null : row.webhook.disabled_reason };
      return { ...row.webhook };
    });
    on("delete_webhook", (args) => {
      const environment = this.check(args);
      this.webhooks[environment] = this.webhooks[environment].filter((r) => r.webhook.id !== args.webhookId);
      return null;
    });
    on("rotate_webhook_secret", (args) => {
      this.check(args);
      const row = this.row(args.webhookId as string);
      if (!row) throw commandError("not_found", "No such endpoint.", { status: 404 });
      const seconds: Record<SecretOverlap, number> = { "0": 0, "1h": 3600, "24h": 86400, "7d": 604800 };
      const overlap = args.overlap as SecretOverlap;
      const until = seconds[overlap] === 0 ? null : new Date(Date.now() + seconds[overlap] * 1000).toISOString();
      this.sequence += 1;
      row.webhook = { ...row.webhook, previous_secret_expires_at: until };
      return this.issue(row.webhook, until);
    });
    on("list_deliveries", (args) => {
      const query = args.query as { status: string | null; event_type: string | null; cursor: string | null };
      const all = (this.deliveries.get(args.webhookId as string) ?? []).filter(
        (d) => (!query.status || d.status === query.status) && (!query.event_type || d.event_type === query.event_type),
      );
      return { data: all, cursor: null, total: all.length };
    });
    on("resend_delivery", (args) => {
      this.check(args);
      const list = this.deliveries.get(args.webhookId as string) ?? [];
      const found = list.find((d) => d.id === args.deliveryId);
      if (!found) throw commandError("not_found", "No such delivery.", { status: 404 });
      const resent: Delivery = {
        ...found,
        status: "succeeded",
        next_attempt_at: null,
        attempts: [
          ...found.attempts,
          {
            number: found.attempts.length + 1,
            trigger: "resend",
            at: new Date().toISOString(),
            request_headers: { "webhook-id": found.event_id },
            response_status: 200,
            response_body: '{"ok":true}',
            latency_ms: 9,
            error: null,
          },
        ],
      };
      this.deliveries.set(
        args.webhookId as string,
        list.map((d) => (d.id === found.id ? resent : d)),
      );
      return resent;
    });
    on("resend_failed_since", (args) => {
      this.check(args);
      return { attempted: 3, succeeded: 2, failed: 1, errors: ["dlv_x: HTTP 500"] };
    });
    on("simulate_event", (args) => {
      const environment = args.environment as Environment;
      if (environment !== "sandbox") throw commandError("sandbox_only", "The Event Simulator exists only in the Sandbox.");
      const request = args.request as SimulateEventRequest;
      this.sequence += 1;
      const event: PlatformEvent = {
        id: `evt_sim${this.sequence}`,
        type: request.type,
        created_at: new Date().toISOString(),
        livemode: false,
        data: request.data ?? {},
      };
      this.simulated.push(event);
      return event;
    });

    on("inspector_status", (args) => this.status(this.ensure(args.scope as InspectorScope)));
    on("inspector_storage", (args) => this.storage(this.ensure(args.scope as InspectorScope)));
    on("capture_credentials", (args) => this.credentials.get(args.id as number) ?? []);
    on("update_inspector_settings", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      const settings = args.settings as InspectorSettings;
      if (settings.forward_target && !/^https?:\/\/[^/]/.test(settings.forward_target)) {
        throw commandError("invalid_input", "The forward target is not a URL.", {
          details: [{ field: "forward_target", issue: `${JSON.stringify(settings.forward_target)} is not an absolute URL` }],
        });
      }
      this.settings[environment] = settings;
      return this.status(environment);
    });
    on("start_receiver", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      const port = this.settings[environment].port === 0 ? 41234 : this.settings[environment].port;
      this.receiver[environment] = `http://127.0.0.1:${port}`;
      return this.status(environment);
    });
    on("stop_receiver", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      this.receiver[environment] = null;
      return this.status(environment);
    });
    on("connect_tunnel", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      this.tunnel[environment] = { ...this.tunnel[environment], state: { state: "connecting", attempt: 1 } };
      return this.status(environment);
    });
    on("disconnect_tunnel", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      this.tunnel[environment] = disconnected();
      return this.status(environment);
    });
    on("list_captures", (args) =>
      this.list(this.ensure(args.scope as InspectorScope), args.filter as CaptureFilter, args.offset as number, args.limit as number),
    );
    on("get_capture", (args) => {
      const id = args.id as number;
      const known = this.details.get(id);
      if (known) return known;
      if (this.virtualTotal !== null && id >= 1 && id <= this.virtualTotal) return detailOf(summary(id));
      throw commandError("not_found", `No capture ${id}.`);
    });
    on("replay_capture", (args) => {
      const id = args.id as number;
      const input = args.input as ReplayInput;
      const target = this.settings[this.ensure(args.scope as InspectorScope)].forward_target;
      if (!target) throw commandError("invalid_input", "set a forward target first: a replay goes to your server");
      const status = input.kind === "edited" ? 400 : 200;
      const result = forward({ status, replay: input.kind, body: status === 200 ? '{"ok":true}' : '{"error":"bad signature"}' });
      const detail = this.details.get(id);
      if (detail) {
        this.details.set(id, {
          ...detail,
          summary: { ...detail.summary, forward_status: status },
          forward: result,
          replays: [...detail.replays, result],
        });
      }
      return result;
    });
    on("delete_captures", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      const ids = args.ids as number[];
      const before = this.captures[environment].length;
      this.captures[environment] = this.captures[environment].filter((r) => !ids.includes(r.id));
      return before - this.captures[environment].length;
    });
    on("clear_captures", (args) => {
      const environment = this.ensure(args.scope as InspectorScope);
      const removed = this.captures[environment].length;
      this.captures[environment] = [];
      return removed;
    });
    on("capture_curl", () => this.curl);
    on("export_har", () => this.harPath);
    return this;
  }
}
