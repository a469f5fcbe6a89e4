import { describe, expect, it, vi } from "vitest";
import { deferred } from "../test/backend-fake";
import { Action } from "./action.svelte";
import { BackendError } from "./backend";

describe("Action", () => {
  it("names the run under way, refuses a second one and clears both when it ends", async () => {
    const action = new Action<"edited" | "resigned">();
    const answer = deferred<void>();
    const first = action.runAs("edited", () => answer.promise);
    expect(action.busy).toBe(true);
    expect(action.running).toBe("edited");
    const second = vi.fn(() => Promise.resolve());
    await action.runAs("resigned", second);
    expect(second).not.toHaveBeenCalled();
    expect(action.running).toBe("edited");
    answer.resolve();
    expect(await first).toBeNull();
    expect(action.busy).toBe(false);
    expect(action.running).toBeNull();
  });

  it("keeps and returns a failure, and clears it on the next run", async () => {
    const action = new Action();
    const failure = await action.run(() => Promise.reject({ code: "conflict", message: "already revoked" }));
    expect(failure?.code).toBe("conflict");
    expect(action.failure).toBe(failure);
    expect(await action.run(() => Promise.resolve())).toBeNull();
    expect(action.failure).toBeNull();
  });

  it("hands an environment change to the panel instead of keeping it", async () => {
    const action = new Action();
    const onenvchanged = vi.fn();
    const kept = await action.run(
      () => Promise.reject(new BackendError("environment_changed", "Production is active now.")),
      onenvchanged,
    );
    expect(kept).toBeNull();
    expect(action.failure).toBeNull();
    expect(onenvchanged).toHaveBeenCalledOnce();
    expect(onenvchanged.mock.calls[0][0].code).toBe("environment_changed");
  });

  it("treats a code the UI does not know as internal", async () => {
    const action = new Action();
    const failure = await action.run(() => Promise.reject({ code: "no_such_code", message: "boom" }));
    expect(failure?.code).toBe("internal");
    expect(failure?.message).toBe("boom");
  });
});
