// An in-memory stand-in for the Rust commands, installed through `mockIPC`. Tests
// override single commands to script failures or hold a response open. Commands are named
// by `CommandName`, so a fake for a command the backend does not have is a type error.

import { emit } from "@tauri-apps/api/event";
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import type { CommandName } from "../lib/command-names";
import type { ApiKey } from "../lib/bindings/ApiKey";
import type { AppStatus } from "../lib/bindings/AppStatus";
import type { BurstReport } from "../lib/bindings/BurstReport";
import type { BurstResult } from "../lib/bindings/BurstResult";
import type { Code } from "../lib/bindings/Code";
import type { CommandError } from "../lib/bindings/CommandError";
import type { Connection } from "../lib/bindings/Connection";
import type { ConnectionEdit } from "../lib/bindings/ConnectionEdit";
import type { ConnectionCheck } from "../lib/bindings/ConnectionCheck";
import type { ConnectionReport } from "../lib/bindings/ConnectionReport";
import type { NewConnection } from "../lib/bindings/NewConnection";
import type { DashboardSummary } from "../lib/bindings/DashboardSummary";
import type { Environment } from "../lib/bindings/Environment";
import type { EnvironmentInfo } from "../lib/bindings/EnvironmentInfo";
import type { CreateKeyInput } from "../lib/bindings/CreateKeyInput";
import type { IssuedKey } from "../lib/bindings/IssuedKey";
import type { KeyActivity } from "../lib/bindings/KeyActivity";
import type { KeyRow } from "../lib/bindings/KeyRow";
import type { Preferences } from "../lib/bindings/Preferences";
import type { QuickStart } from "../lib/bindings/QuickStart";
import type { RateLimitView } from "../lib/bindings/RateLimitView";
import type { RotationResult } from "../lib/bindings/RotationResult";
import type { Scope } from "../lib/bindings/Scope";
import type { ScopeAdvice } from "../lib/bindings/ScopeAdvice";
import type { ScopeInfo } from "../lib/bindings/ScopeInfo";
import type { SettingsInput } from "../lib/bindings/SettingsInput";
import type { Wait } from "../lib/bindings/Wait";
import { ALL_SCOPES, FALLBACK_DESCRIPTIONS } from "../lib/scopes";

export const SANDBOX_URL = "http://127.0.0.1:4010/v1";
export const PRODUCTION_URL = "https://api.botbat.com/v1";

export type Args = Record<string, unknown>;
export type Handler = (args: Args) => unknown;

export interface Call {
  cmd: string;
  args: Args;
}

export function commandError(code: Code, message: string, extra: Partial<CommandError> = {}): CommandError {
  return { code, message, status: null, request_id: null, details: [], retry_after: null, ...extra };
}

export function summary(environment: Environment, overrides: Partial<DashboardSummary> = {}): DashboardSummary {
  return {
    environment,
    base_url: environment === "sandbox" ? SANDBOX_URL : PRODUCTION_URL,
    plan: "professional",
    api_keys_total: 17,
    api_keys_active: 15,
    webhooks_total: 4,
    webhooks_enabled: 3,
    requests_24h: 4812,
    errors_24h: 120,
    error_rate_24h: 120 / 4812,
    rate_limited_24h: 9,
    includes_console: false,
    as_of: "2025-01-15T10:42:13Z",
    ...overrides,
  };
}

export function connectionReport(environment: Environment): ConnectionReport {
  return {
    environment,
    base_url: environment === "sandbox" ? SANDBOX_URL : PRODUCTION_URL,
    latency_ms: 42,
    key_id: "key_01HZX3",
    key_name: "Console management",
    masked_key: environment === "sandbox" ? "bb_test_…9f3c" : "bb_live_…a1b2",
    scopes: ["keys:manage", "webhooks:read", "usage:read"],
    plan: "professional",
  };
}

const MINUTE = 60_000;

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

function later(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

/** A listed key; `masked` and `prefix` follow the environment of `overrides.prefix`. */
export function apiKey(overrides: Partial<ApiKey> & { id: string; name: string }): ApiKey {
  const prefix = overrides.prefix ?? "bb_test_";
  const lastFour = overrides.last_four ?? overrides.id.slice(-4).padStart(4, "0");
  return {
    prefix,
    last_four: lastFour,
    masked: `${prefix}…${lastFour}`,
    scopes: ["contacts:read"],
    status: "active",
    created_at: ago(3 * 24 * 60 * MINUTE),
    last_used_at: null,
    expires_at: null,
    revoked_at: null,
    rotated_from: null,
    replaced_by: null,
    ...overrides,
  };
}

/** Secrets the fake issues; tests look for them in the DOM. */
export function secretFor(id: string, environment: Environment = "sandbox"): string {
  const body = `${id.replace(/[^A-Za-z0-9]/g, "")}Zq8TnW3xYp6RkL2mVc9BdF4hJs7Ga1b2`.slice(0, 32);
  return `${environment === "sandbox" ? "bb_test_" : "bb_live_"}${body}`;
}

export function sandboxKeys(): KeyRow[] {
  return [
    {
      key: apiKey({
        id: "key_crm1",
        name: "CRM sync",
        scopes: ["contacts:read", "contacts:write"],
        created_at: ago(10 * 24 * 60 * MINUTE),
        last_used_at: ago(3 * MINUTE),
      }),
      secret_stored: true,
    },
    {
      key: apiKey({
        id: "key_ana2",
        name: "Analytics feed",
        scopes: ["usage:read", "contacts:read", "campaigns:read", "messages:read", "conversations:read"],
        created_at: ago(2 * 24 * 60 * MINUTE),
      }),
      secret_stored: false,
    },
    {
      key: apiKey({
        id: "key_old3",
        name: "Old webhook worker",
        scopes: ["webhooks:manage", "webhooks:read"],
        status: "revoked",
        created_at: ago(40 * 24 * 60 * MINUTE),
        last_used_at: ago(20 * 24 * 60 * MINUTE),
        revoked_at: ago(19 * 24 * 60 * MINUTE),
      }),
      secret_stored: false,
    },
  ];
}

export function productionKeys(): KeyRow[] {
  return [
    {
      key: apiKey({
        id: "key_live9",
        name: "Billing bridge",
        prefix: "bb_live_",
        scopes: ["messages:send", "messages:read", "templates:read"],
        last_used_at: ago(30 * MINUTE),
      }),
      secret_stored: false,
    },
  ];
}

export function scopeCatalog(): ScopeInfo[] {
  return ALL_SCOPES.map((scope) => {
    const [resource, level] = scope.split(":");
    const reads = level === "read";
    return {
      scope,
      description: FALLBACK_DESCRIPTIONS[scope],
      endpoints: reads
        ? [
            { method: "GET", path: `/v1/${resource}` },
            { method: "GET", path: `/v1/${resource}/{id}` },
          ]
        : [
            { method: "POST", path: `/v1/${resource}` },
            { method: "DELETE", path: `/v1/${resource}/{id}` },
          ],
    };
  });
}

export function rateLimitView(overrides: Partial<RateLimitView> = {}): RateLimitView {
  return {
    limits: {
      plan: "professional",
      key_id: "key_01HZX3",
      per_key: { limit: 20, window_seconds: 1, used: 7, remaining: 13, resets_at: later(1000) },
      per_org: { limit: 1200, window_seconds: 60, used: 314, remaining: 886, resets_at: later(42_000) },
    },
    plans: [
      { plan: "starter", per_key_per_second: 5, per_org_per_minute: 300 },
      { plan: "professional", per_key_per_second: 20, per_org_per_minute: 1200 },
      { plan: "enterprise", per_key_per_second: 50, per_org_per_minute: 5000 },
    ],
    recent_429s: [
      { time: ago(2 * MINUTE), key_id: "key_crm1", method: "POST", route: "/v1/messages/send", retry_after: 1 },
      { time: ago(9 * MINUTE), key_id: "key_ana2", method: "GET", route: "/v1/contacts", retry_after: null },
    ],
    ...overrides,
  };
}

/** A wait as the backend honours a Retry-After of `seconds`: a minute at most, with a note beyond. */
export function retryWait(seconds: number): Wait {
  const capped = seconds > 60;
  return {
    asked_seconds: seconds,
    wait_seconds: Math.min(seconds, 60),
    wait_ms: Math.min(seconds, 60) * 1000,
    note: capped ? `Retry-After says ${seconds} s; the console waits at most 60 s — retry later.` : null,
  };
}

/** `ok` successes, then 429s with Retry-After `retryAfter` s (1 unless given). */
export function burstResults(count: number, ok: number, retryAfter = 1): BurstResult[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    status: index < ok ? 200 : 429,
    retry_after: index < ok ? null : retryAfter,
    retry_wait: index < ok ? null : retryWait(retryAfter),
    elapsed_ms: 8 + index,
    request_id: `req_burst${String(index).padStart(4, "0")}`,
  }));
}

export function burstReport(results: BurstResult[]): BurstReport {
  const ok = results.filter((r) => r.status >= 200 && r.status < 300).length;
  const limited = results.filter((r) => r.status === 429).length;
  const retries = results.map((r) => r.retry_after).filter((r): r is number => r !== null);
  return {
    sent: results.length,
    ok,
    limited,
    other: results.length - ok - limited,
    max_retry_after: retries.length > 0 ? Math.max(...retries) : null,
    retry_wait: retries.length > 0 ? retryWait(Math.max(...retries)) : null,
    results,
  };
}

/** What the Rust side emits while a burst test runs. */
export function emitBurstProgress(result: BurstResult): Promise<void> {
  return emit("burst-progress", result);
}

/** A saved connection as the backend lists it. */
export function connection(overrides: Partial<Connection> & { id: string; label: string }): Connection {
  const platform = overrides.platform ?? "botbiz";
  return {
    platform,
    base_url: platform === "botbiz" ? "https://api.botbiz.io/v1" : "https://api.botmaker.com/v2.0",
    masked_credential: "bz_live_…9f3c",
    created_at: "2025-01-15T10:42:13Z",
    ...overrides,
  };
}

const HANDLES = ["Idiomatic methods for every REST endpoint", "Authentication with your API key", "Automatic retries"];

/** The SDKs section as the backend writes it: BotBat's SDKs, or none for a connection. */
export function quickStart(baseUrl: string, target: Connection | null = null): QuickStart {
  const platform = target?.platform ?? "botbat";
  const first = {
    botbat: { path: "/v1/me", variable: "BOTBAT_API_KEY", header: "Authorization: Bearer " },
    botbiz: { path: "/users", variable: "BOTBIZ_API_KEY", header: "Authorization: Bearer " },
    botmaker: { path: "/channels", variable: "BOTMAKER_ACCESS_TOKEN", header: "access-token: " },
  }[platform];
  const url = `${target?.base_url ?? baseUrl.replace(/\/v1$/, "")}${first.path}`;
  const sdk = (language: string, title: string, manager: string, pkg: string, install: string, types: string) => ({
    language,
    title,
    manager,
    package: pkg,
    install,
    handles: [...HANDLES, types],
    note: manager === "Maven" ? "The docs name no version: replace VERSION with the latest release of com.botbat:sdk." : null,
  });
  return {
    sdks:
      target === null
        ? [
            sdk("javascript", "Node.js", "npm", "@botbat/sdk", "npm install @botbat/sdk", "TypeScript definitions"),
            sdk("python", "Python", "pip", "botbat", "pip install botbat", "Type definitions"),
            sdk("php", "PHP", "Composer", "botbat/sdk", "composer require botbat/sdk", "Type definitions"),
            sdk(
              "java",
              "Java",
              "Maven",
              "com.botbat:sdk",
              "<dependency>\n  <groupId>com.botbat</groupId>\n  <artifactId>sdk</artifactId>\n  <version>VERSION</version>\n</dependency>",
              "Type definitions",
            ),
          ]
        : [],
    no_sdk: target === null ? null : `${target.platform === "botbiz" ? "Botbiz" : "Botmaker"}'s docs name no SDK; these quick-starts use plain HTTP.`,
    method: "GET",
    path: first.path,
    summary: target === null ? "Reads the key you call with and its organisation." : "Lists what the credential can see.",
    variable: first.variable,
    snippets: [
      { language: "javascript", label: "JavaScript (fetch)", code: `await fetch("${url}", { headers: { "${first.header}": process.env.${first.variable} } })` },
      { language: "python", label: "Python (requests)", code: `requests.get("${url}", os.environ['${first.variable}'])` },
      { language: "php", label: "PHP (curl)", code: `<?php curl_init('${url}'); getenv('${first.variable}');` },
      { language: "java", label: "Java (HttpClient)", code: `URI.create("${url}"); System.getenv("${first.variable}")` },
    ],
  };
}

/** A connection test that worked. */
export function connectionCheck(id: string, overrides: Partial<ConnectionCheck> = {}): ConnectionCheck {
  return {
    connection_id: id,
    ok: true,
    status: 200,
    latency_ms: 23.4,
    explanation: "Connected to Botbiz in 23.4 ms: the API key works.",
    ...overrides,
  };
}

export class FakeBackend {
  calls: Call[] = [];
  environment: Environment = "sandbox";
  keychain = { available: true, message: null as string | null };
  sandboxError: string | null = null;
  /** Whether the embedded sandbox is still starting; `settleSandbox` ends it. */
  sandboxStarting = false;
  preferences: Preferences = {
    active_environment: "sandbox",
    sandbox_base_url_override: null,
    production_base_url: PRODUCTION_URL,
    theme: "system",
    utc_times: false,
    active_connection: null,
  };
  /** Saved Botbiz and Botmaker connections, oldest first. */
  connections: Connection[] = [];
  keys: Record<Environment, string | null> = { sandbox: "bb_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaa9f3c", production: null };
  overrides = new Map<string, Handler>();
  apiKeys: Record<Environment, KeyRow[]> = { sandbox: sandboxKeys(), production: productionKeys() };
  /** Key ids whose just-issued secret the backend still holds (neither kept nor discarded). */
  held = new Set<string>();
  activity: KeyActivity | null = null;
  advice: ScopeAdvice | null = null;
  plan: RateLimitView["limits"]["plan"] = "professional";
  burstOk = 5;
  private sequence = 0;

  status(): AppStatus {
    return {
      environment: this.environment,
      base_url: this.baseUrl(this.environment),
      sandbox: {
        running: this.sandboxError === null && !this.sandboxStarting,
        base_url: this.sandboxError === null && !this.sandboxStarting ? SANDBOX_URL : null,
        data_dir: "/tmp/botbat/sandbox",
        error: this.sandboxError,
      },
      keychain: { ...this.keychain },
      version: "0.1.0",
      has_management_key: this.keys[this.environment] !== null,
    };
  }

  baseUrl(environment: Environment): string {
    return environment === "sandbox"
      ? (this.preferences.sandbox_base_url_override ?? SANDBOX_URL)
      : this.preferences.production_base_url;
  }

  info(environment: Environment): EnvironmentInfo {
    const key = this.keys[environment];
    return {
      environment,
      base_url: this.baseUrl(environment),
      base_url_is_default:
        environment === "sandbox"
          ? this.preferences.sandbox_base_url_override === null
          : this.preferences.production_base_url === PRODUCTION_URL,
      management_key: {
        stored: key !== null,
        masked: key === null ? null : `${key.slice(0, 8)}…${key.slice(-4)}`,
        location: key === null ? "none" : this.keychain.available ? "keychain" : "memory",
      },
    };
  }

  on(cmd: CommandName, handler: Handler): this {
    this.overrides.set(cmd, handler);
    return this;
  }

  callsTo(cmd: CommandName): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  row(id: string): KeyRow | undefined {
    return this.apiKeys[this.environment].find((r) => r.key.id === id);
  }

  private nextId(): string {
    this.sequence += 1;
    return `key_new${this.sequence}`;
  }

  private checkEnvironment(args: Args): void {
    if (args.environment !== this.environment) {
      throw commandError(
        "environment_changed",
        `The console now targets ${this.environment}, not ${String(args.environment)}.`,
      );
    }
  }

  private issue(name: string, scopes: Scope[], rotatedFrom: string | null = null): IssuedKey {
    const id = this.nextId();
    const prefix = this.environment === "sandbox" ? "bb_test_" : "bb_live_";
    const secret = secretFor(id, this.environment);
    const key = apiKey({
      id,
      name,
      prefix,
      last_four: secret.slice(-4),
      scopes,
      created_at: new Date().toISOString(),
      rotated_from: rotatedFrom,
    });
    this.apiKeys[this.environment] = [...this.apiKeys[this.environment], { key, secret_stored: false }];
    this.held.add(id);
    return { key, secret };
  }

  private replaceKey(key: ApiKey): void {
    this.apiKeys[this.environment] = this.apiKeys[this.environment].map((r) =>
      r.key.id === key.id ? { ...r, key } : r,
    );
  }

  /** The embedded sandbox finishes starting, and the backend says so as the app's does. */
  async settleSandbox(): Promise<void> {
    this.sandboxStarting = false;
    await emit("sandbox-settled", null);
  }

  install(): this {
    mockWindows("main");
    mockIPC((cmd, payload) => {
      const args = (payload ?? {}) as Args;
      this.calls.push({ cmd, args });
      const override = this.overrides.get(cmd);
      if (override) return override(args);
      // A name outside the list (a plugin's command) falls through to `default`.
      return this.handle(cmd as CommandName, args);
    }, { shouldMockEvents: true });
    return this;
  }

  /** The backend's checks, in short: each refusal names its field. */
  private addConnection(input: NewConnection): Connection {
    const invalid = (field: string, issue: string) =>
      commandError("invalid_input", issue, { details: [{ field, issue }] });
    const label = input.label.trim();
    if (label === "") throw invalid("label", "give the connection a name of 1 to 60 characters");
    if (this.connections.some((c) => c.label.toLowerCase() === label.toLowerCase())) {
      throw invalid("label", `a connection is already called "${label}": choose another name`);
    }
    const baseUrl = input.base_url?.trim() ?? "";
    if (baseUrl !== "" && !/^https?:\/\//.test(baseUrl)) throw invalid("base_url", "the base URL must start with https://");
    const credential = input.credential.trim();
    if (credential.length < 8) throw invalid("credential", "paste the key: at least 8 characters, without spaces");
    this.sequence += 1;
    const added = connection({
      id: `conn_${this.sequence}`,
      platform: input.platform,
      label,
      ...(baseUrl === "" ? {} : { base_url: baseUrl }),
      masked_credential: `${credential.slice(0, 3)}…${credential.slice(-4)}`,
    });
    this.connections = [...this.connections, added];
    return added;
  }

  private async burst(args: Args): Promise<BurstReport> {
    this.checkEnvironment(args);
    const results = burstResults(args.count as number, this.burstOk);
    for (const result of results) await emitBurstProgress(result);
    return burstReport(results);
  }

  private handle(cmd: CommandName, args: Args): unknown {
    switch (cmd) {
      case "app_status":
        return this.status();
      case "get_preferences":
        return { ...this.preferences, active_environment: this.environment };
      case "set_environment":
        this.environment = args.environment as Environment;
        return this.status();
      case "list_environments":
        return [this.info("sandbox"), this.info("production")];
      case "save_settings": {
        const input = args.input as SettingsInput;
        this.preferences = { ...this.preferences, ...input };
        return { ...this.preferences, active_environment: this.environment };
      }
      case "set_management_key": {
        const environment = args.environment as Environment;
        this.keys[environment] = args.key as string;
        return this.info(environment);
      }
      case "clear_management_key": {
        const environment = args.environment as Environment;
        this.keys[environment] = null;
        return this.info(environment);
      }
      case "test_connection":
        return connectionReport(args.environment as Environment);
      case "dashboard_summary":
        return summary(this.environment);
      case "list_api_keys":
        return this.apiKeys[this.environment].map((r) => ({ ...r, key: { ...r.key } }));
      case "list_scopes":
        return scopeCatalog();
      case "create_api_key": {
        this.checkEnvironment(args);
        const input = args.input as CreateKeyInput;
        return this.issue(input.name, input.scopes);
      }
      case "keep_issued_secret": {
        const id = args.keyId as string;
        if (!this.held.delete(id)) throw commandError("not_found", `No issued secret is held for ${id}.`);
        if (!this.keychain.available) {
          this.held.add(id);
          throw commandError("keychain_unavailable", "The OS keychain is unavailable.");
        }
        const row = this.row(id);
        if (!row) throw commandError("not_found", `No key ${id}.`);
        row.secret_stored = true;
        return { ...row };
      }
      case "discard_issued_secret":
        this.held.delete(args.keyId as string);
        return null;
      case "rotate_api_key": {
        this.checkEnvironment(args);
        const old = this.row(args.keyId as string);
        if (!old) throw commandError("not_found", "No such key.", { status: 404 });
        const grace = args.gracePeriodSeconds as number;
        const issued = this.issue((args.name as string | null) ?? old.key.name, old.key.scopes, old.key.id);
        const oldKey: ApiKey = {
          ...old.key,
          status: grace === 0 ? "expired" : "expiring",
          expires_at: new Date(Date.now() + grace * 1000).toISOString(),
          replaced_by: issued.key.id,
        };
        this.replaceKey(oldKey);
        return { new_key: issued, old_key: oldKey } satisfies RotationResult;
      }
      case "revoke_api_key": {
        this.checkEnvironment(args);
        const row = this.row(args.keyId as string);
        if (!row) throw commandError("not_found", "No such key.", { status: 404 });
        if (this.environment === "production" && args.confirmName !== row.key.name) {
          throw commandError("invalid_input", "The typed name does not match the key's name.");
        }
        const key: ApiKey = { ...row.key, status: "revoked", revoked_at: new Date().toISOString() };
        this.replaceKey(key);
        return key;
      }
      case "key_activity":
        return (
          this.activity ?? {
            key_id: args.keyId as string,
            last_used_at: ago(10 * MINUTE),
            requests_since: 0,
            last_request_at: null,
            quiet_seconds: null,
          }
        );
      case "scope_advice": {
        if (this.advice) return this.advice;
        const row = this.row(args.keyId as string);
        const granted = row?.key.scopes ?? [];
        const used = granted.slice(0, 1);
        return {
          key_id: args.keyId as string,
          granted,
          used,
          unused: granted.filter((s) => !used.includes(s)),
          routes: used.map((scope) => ({ method: "GET", route: `/v1/${scope.split(":")[0]}`, scope, count: 42 })),
          calls_examined: 42,
        } satisfies ScopeAdvice;
      }
      case "replace_with_narrower_key": {
        this.checkEnvironment(args);
        const row = this.row(args.keyId as string);
        if (!row) throw commandError("not_found", "No such key.", { status: 404 });
        return this.issue(`${row.key.name} (narrowed)`, row.key.scopes.slice(0, 1));
      }
      case "list_connections":
        return [...this.connections];
      case "add_connection":
        return this.addConnection(args.input as NewConnection);
      case "edit_connection": {
        const edit = args.edit as ConnectionEdit;
        const saved = this.connections.find((c) => c.id === args.id);
        if (!saved) throw commandError("not_found", `no connection ${String(args.id)}`, { status: 404 });
        const credential = edit.credential?.trim() ?? "";
        const edited: Connection = {
          ...saved,
          label: edit.label.trim(),
          base_url: edit.base_url?.trim() || saved.base_url,
          masked_credential: credential === "" ? saved.masked_credential : `${credential.slice(0, 3)}…${credential.slice(-4)}`,
        };
        this.connections = this.connections.map((c) => (c.id === saved.id ? edited : c));
        return edited;
      }
      case "remove_connection": {
        this.connections = this.connections.filter((c) => c.id !== args.id);
        if (this.preferences.active_connection === args.id) this.preferences.active_connection = null;
        return { ...this.preferences };
      }
      case "check_connection":
        return connectionCheck(args.id as string);
      case "use_connection": {
        const id = args.id as string | null;
        if (id !== null && !this.connections.some((c) => c.id === id)) {
          throw commandError("not_found", `no connection ${id}: it may have been removed in another window`);
        }
        this.preferences.active_connection = id;
        return { ...this.preferences };
      }
      case "tryit_quickstart":
        this.checkEnvironment(args);
        return quickStart(this.baseUrl(this.environment));
      case "tryit_connection_quickstart": {
        const target = this.connections.find((c) => c.id === args.connectionId);
        if (!target) throw commandError("not_found", `no connection ${String(args.connectionId)}`);
        return quickStart("", target);
      }
      case "rate_limits_view":
        return rateLimitView({ limits: { ...rateLimitView().limits, plan: this.plan } });
      case "burst_test":
        return this.burst(args);
      default:
        throw commandError("internal", `no fake for ${cmd}`);
    }
  }
}

/** A promise the test resolves when it chooses, to observe in-between states. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
