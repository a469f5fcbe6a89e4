import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import {
  BackendError,
  burstTest,
  createApiKey,
  dashboardSummary,
  discardIssuedSecret,
  keepIssuedSecret,
  keyActivity,
  listApiKeys,
  listScopes,
  onBurstProgress,
  rateLimitsView,
  replaceWithNarrowerKey,
  revokeApiKey,
  rotateApiKey,
  scopeAdvice,
  saveSettings,
  setEnvironment,
  setManagementKey,
  testConnection,
} from "./backend";

describe("backend", () => {
  it("wraps a rejected CommandError into a BackendError with its code", async () => {
    mockIPC(() => {
      throw {
        code: "forbidden",
        message: "this key lacks the webhooks:read scope",
        status: 403,
        request_id: "req_7Yh2",
        details: [{ field: "scope", issue: "missing" }],
      };
    });

    const error = await dashboardSummary(false).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BackendError);
    const e = error as BackendError;
    expect(e.code).toBe("forbidden");
    expect(e.message).toBe("this key lacks the webhooks:read scope");
    expect(e.status).toBe(403);
    expect(e.requestId).toBe("req_7Yh2");
    expect(e.details).toEqual([{ field: "scope", issue: "missing" }]);
  });

  it("treats a plain string rejection as an internal error", async () => {
    mockIPC(() => {
      throw "state not managed";
    });

    const error = (await testConnection("sandbox").catch((e: unknown) => e)) as BackendError;

    expect(error).toBeInstanceOf(BackendError);
    expect(error.code).toBe("internal");
    expect(error.message).toBe("state not managed");
    expect(error.status).toBeNull();
    expect(error.requestId).toBeNull();
  });

  it("treats a shapeless rejection as an internal error", async () => {
    mockIPC(() => {
      throw { unexpected: true };
    });

    const error = (await dashboardSummary(false).catch((e: unknown) => e)) as BackendError;

    expect(error.code).toBe("internal");
    expect(error.message).not.toBe("");
  });

  it("sends the argument names the Rust commands expect", async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });

    await setEnvironment("production");
    await setManagementKey("sandbox", "bb_test_x");
    await saveSettings({ sandbox_base_url_override: null, production_base_url: "https://p.example/v1", theme: "dark", utc_times: false });
    await testConnection("production");

    expect(seen).toEqual([
      ["set_environment", { environment: "production" }],
      ["set_management_key", { environment: "sandbox", key: "bb_test_x" }],
      [
        "save_settings",
        { input: { sandbox_base_url_override: null, production_base_url: "https://p.example/v1", theme: "dark", utc_times: false } },
      ],
      ["test_connection", { environment: "production" }],
    ]);
  });

  it("names the key commands and their arguments as the Rust side expects", async () => {
    const seen: Array<[string, unknown]> = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });

    await listApiKeys();
    await listScopes();
    await createApiKey("sandbox", { name: "CRM", scopes: ["contacts:read"] });
    await keepIssuedSecret("key_1");
    await discardIssuedSecret("key_2");
    await rotateApiKey("production", "key_1", 86400, "CRM (rotated 29 Nov)");
    await revokeApiKey("production", "key_1", "CRM");
    await revokeApiKey("sandbox", "key_1", null);
    await keyActivity("key_1", "2025-01-15T10:00:00Z");
    await scopeAdvice("key_1");
    await replaceWithNarrowerKey("sandbox", "key_1");
    await rateLimitsView(false);
    await burstTest("sandbox", null, 20);

    expect(seen).toEqual([
      ["list_api_keys", {}],
      ["list_scopes", {}],
      ["create_api_key", { environment: "sandbox", input: { name: "CRM", scopes: ["contacts:read"] } }],
      ["keep_issued_secret", { keyId: "key_1" }],
      ["discard_issued_secret", { keyId: "key_2" }],
      ["rotate_api_key", { environment: "production", keyId: "key_1", gracePeriodSeconds: 86400, name: "CRM (rotated 29 Nov)" }],
      ["revoke_api_key", { environment: "production", keyId: "key_1", confirmName: "CRM" }],
      ["revoke_api_key", { environment: "sandbox", keyId: "key_1", confirmName: null }],
      ["key_activity", { keyId: "key_1", since: "2025-01-15T10:00:00Z" }],
      ["scope_advice", { keyId: "key_1" }],
      ["replace_with_narrower_key", { environment: "sandbox", keyId: "key_1" }],
      ["rate_limits_view", { includeConsole: false }],
      ["burst_test", { environment: "sandbox", keyId: null, count: 20 }],
    ]);
  });

  it("delivers burst-progress payloads until unlistened", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const { emit } = await import("@tauri-apps/api/event");
    const got: number[] = [];

    const stop = await onBurstProgress((result) => got.push(result.index));
    await emit("burst-progress", { index: 0, status: 200, retry_after: null, elapsed_ms: 5 });
    await emit("burst-progress", { index: 1, status: 429, retry_after: 1, elapsed_ms: 6 });
    stop();
    await emit("burst-progress", { index: 2, status: 429, retry_after: 1, elapsed_ms: 7 });

    expect(got).toEqual([0, 1]);
  });
});
