import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { copyText } from "./clipboard";

describe("copyText", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    clearMocks();
  });

  it("uses the web clipboard when the page has one", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
    });

    expect(await copyText("bb_test_web")).toBe(true);
    expect(writeText).toHaveBeenCalledWith("bb_test_web");
    expect(calls).toEqual([]);
  });

  it("writes through the clipboard plugin when the web clipboard is missing or refuses", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
    });
    vi.stubGlobal("navigator", { ...navigator, clipboard: undefined });
    expect(await copyText("bb_test_missing")).toBe(true);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new Error("denied")) } });
    expect(await copyText("bb_test_refused")).toBe(true);

    expect(calls.map((c) => c.cmd)).toEqual(["plugin:clipboard-manager|write_text", "plugin:clipboard-manager|write_text"]);
    expect(calls.map((c) => (c.args as { text: string }).text)).toEqual(["bb_test_missing", "bb_test_refused"]);
  });

  it("says false when neither clipboard takes the text", async () => {
    mockIPC(() => {
      throw new Error("clipboard-manager.write_text not allowed");
    });
    vi.stubGlobal("navigator", { ...navigator, clipboard: undefined });

    expect(await copyText("bb_test_nowhere")).toBe(false);
  });
});
