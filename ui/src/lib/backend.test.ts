import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import {
  BackendError,
  dashboardSummary,
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

    const error = await dashboardSummary().catch((e: unknown) => e);

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

    const error = (await dashboardSummary().catch((e: unknown) => e)) as BackendError;

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
    await saveSettings({ sandbox_base_url_override: null, production_base_url: "https://p.example/v1", theme: "dark" });
    await testConnection("production");

    expect(seen).toEqual([
      ["set_environment", { environment: "production" }],
      ["set_management_key", { environment: "sandbox", key: "bb_test_x" }],
      [
        "save_settings",
        { input: { sandbox_base_url_override: null, production_base_url: "https://p.example/v1", theme: "dark" } },
      ],
      ["test_connection", { environment: "production" }],
    ]);
  });
});
