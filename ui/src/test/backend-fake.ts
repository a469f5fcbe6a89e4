// An in-memory stand-in for the Rust commands, installed through `mockIPC`. Tests
// override single commands to script failures or hold a response open.

import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppStatus } from "../lib/bindings/AppStatus";
import type { CommandError } from "../lib/bindings/CommandError";
import type { ConnectionReport } from "../lib/bindings/ConnectionReport";
import type { DashboardSummary } from "../lib/bindings/DashboardSummary";
import type { Environment } from "../lib/bindings/Environment";
import type { EnvironmentInfo } from "../lib/bindings/EnvironmentInfo";
import type { Preferences } from "../lib/bindings/Preferences";
import type { SettingsInput } from "../lib/bindings/SettingsInput";

export const SANDBOX_URL = "http://127.0.0.1:4010/v1";
export const PRODUCTION_URL = "https://api.botbat.com/v1";

export type Args = Record<string, unknown>;
export type Handler = (args: Args) => unknown;

export interface Call {
  cmd: string;
  args: Args;
}

export function commandError(code: string, message: string, extra: Partial<CommandError> = {}): CommandError {
  return { code, message, status: null, request_id: null, details: [], ...extra };
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

export class FakeBackend {
  calls: Call[] = [];
  environment: Environment = "sandbox";
  keychain = { available: true, message: null as string | null };
  sandboxError: string | null = null;
  sandboxStarting = false;
  preferences: Preferences = {
    active_environment: "sandbox",
    sandbox_base_url_override: null,
    production_base_url: PRODUCTION_URL,
    theme: "system",
  };
  keys: Record<Environment, string | null> = { sandbox: "bb_test_aaaaaaaaaaaaaaaaaaaaaaaaaaaa9f3c", production: null };
  overrides = new Map<string, Handler>();

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

  on(cmd: string, handler: Handler): this {
    this.overrides.set(cmd, handler);
    return this;
  }

  callsTo(cmd: string): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  install(): this {
    mockIPC((cmd, payload) => {
      const args = (payload ?? {}) as Args;
      this.calls.push({ cmd, args });
      const override = this.overrides.get(cmd);
      if (override) return override(args);
      return this.handle(cmd, args);
    });
    return this;
  }

  private handle(cmd: string, args: Args): unknown {
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
