import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import CopyButton from "./CopyButton.svelte";

describe("CopyButton", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("copies the value read at the click and says so on the button", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    let value = "first";
    const oncopied = vi.fn();
    render(CopyButton, { props: { text: () => value, testid: "copy", oncopied } });
    value = "whsec_read_at_click";

    await user.click(screen.getByTestId("copy"));

    expect(writeText).toHaveBeenCalledWith("whsec_read_at_click");
    expect(oncopied).toHaveBeenCalledWith(true);
    expect(screen.getByTestId("copy")).toHaveTextContent("Copied");
    expect(screen.getByTestId("copy")).toHaveAttribute("data-copy-state", "copied");
  });

  it("says the copy failed when the clipboard refuses", async () => {
    const user = userEvent.setup();
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new Error("denied")) } });
    render(CopyButton, { props: { text: "value", label: "Copy id", testid: "copy" } });
    expect(screen.getByTestId("copy")).toHaveTextContent("Copy id");

    await user.click(screen.getByTestId("copy"));

    expect(screen.getByTestId("copy")).toHaveTextContent("Copy failed");
  });

  it("waits for a value fetched at the click, and copies nothing when there is none", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    let answer: string | null = null;
    render(CopyButton, { props: { text: async () => answer, label: "cURL", iconOnly: true, testid: "copy" } });
    expect(screen.getByTestId("copy")).toHaveAccessibleName("cURL");

    await user.click(screen.getByTestId("copy"));
    expect(writeText).not.toHaveBeenCalled();
    expect(screen.getByTestId("copy")).toHaveAttribute("data-copy-state", "idle");

    answer = "curl -X POST http://127.0.0.1:8080/hook";
    await user.click(screen.getByTestId("copy"));
    expect(writeText).toHaveBeenCalledWith("curl -X POST http://127.0.0.1:8080/hook");
    expect(screen.getByTestId("copy")).toHaveAccessibleName("Copied");
  });
});
