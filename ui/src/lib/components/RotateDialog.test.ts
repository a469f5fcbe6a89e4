import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState, appContext } from "../app.svelte";
import { BackendError } from "../backend";
import type { Environment } from "../bindings/Environment";
import { ProductionGate } from "../confirm.svelte";
import { FormDraft } from "../drafts.svelte";
import { DEFAULT_GRACE, GRACES, graceLabel, graceSeconds, type Grace } from "../grace";
import RotateDialog from "./RotateDialog.svelte";

const NOTES: Record<Grace, string> = {
  "0": "Stops at once.",
  "1h": "One redeploy.",
  "24h": "A working day.",
  "7d": "A week.",
};

function open(environment: Environment, optionTestid?: (grace: Grace) => string) {
  const gate = new ProductionGate();
  const rotate = vi.fn<(grace: Grace) => Promise<void>>().mockResolvedValue(undefined);
  const onenvchanged = vi.fn();
  render(RotateDialog, {
    context: appContext(new AppState()),
    props: {
      title: "Rotate “CRM sync”",
      testid: "rotate",
      environment,
      gate,
      draft: new FormDraft(environment, "rotate:test", { grace: DEFAULT_GRACE }),
      legend: "Keep the old key working for",
      name: "grace",
      notes: NOTES,
      optionTestid,
      action: "Rotate key",
      errorTitle: "The key was not rotated",
      confirmation: (grace: Grace) => ({ title: `Rotate with ${grace}`, message: "m", action: "Rotate in Production" }),
      rotate,
      onclose: vi.fn(),
      onenvchanged,
      children: createRawSnippet(() => ({ render: () => "<p>A new key is issued with the same scopes.</p>" })),
    },
  });
  return { gate, rotate, onenvchanged, user: userEvent.setup() };
}

describe("grace periods", () => {
  it("are the platform's four, in seconds as rotate_api_key takes them", () => {
    expect(GRACES.map((g) => g.value)).toEqual(["0", "1h", "24h", "7d"]);
    // The same figures as SecretOverlap::seconds in botbat-api.
    expect(GRACES.map((g) => graceSeconds(g.value))).toEqual([0, 3_600, 86_400, 604_800]);
    expect(graceLabel("1h")).toBe("1 hour");
    expect(DEFAULT_GRACE).toBe("24h");
    expect(() => graceSeconds("2h" as Grace)).toThrow("unknown grace period");
  });
});

describe("RotateDialog and its grace picker", () => {
  it("offers every period with the caller's test ids and notes, a day by default", async () => {
    const { user } = open("sandbox", (grace) => `grace-${graceSeconds(grace)}`);
    expect(screen.getByTestId("rotate-dialog")).toHaveTextContent("A new key is issued with the same scopes.");
    for (const seconds of [0, 3_600, 86_400, 604_800]) expect(screen.getByTestId(`grace-${seconds}`)).toBeInTheDocument();
    expect(screen.getByTestId("grace-86400")).toBeChecked();
    expect(screen.getByTestId("grace-note")).toHaveTextContent("A working day.");

    await user.click(screen.getByTestId("grace-0"));
    expect(screen.getByTestId("grace-0")).toBeChecked();
    expect(screen.getByTestId("grace-86400")).not.toBeChecked();
    expect(screen.getByTestId("grace-note")).toHaveTextContent("Stops at once.");
    expect(screen.getByTestId("grace-note")).toHaveClass("danger");
  });

  it("names options after the period itself when no test id is given", () => {
    open("sandbox");
    expect(screen.getByTestId("grace-7d")).toBeInTheDocument();
    expect(screen.getByTestId("grace-1h")).toBeInTheDocument();
  });

  it("hands the chosen period to the caller, with no gate in the sandbox", async () => {
    const { gate, rotate, user } = open("sandbox", (grace) => `grace-${graceSeconds(grace)}`);
    await user.click(screen.getByTestId("grace-3600"));
    await user.click(screen.getByTestId("rotate-submit"));
    await waitFor(() => expect(rotate).toHaveBeenCalledExactlyOnceWith("1h"));
    expect(graceSeconds(rotate.mock.calls[0][0])).toBe(3_600);
    expect(gate.pending).toBeNull();
  });

  it("asks the production gate first, naming the chosen period, and stops when it is refused", async () => {
    const { gate, rotate, user } = open("production");
    await user.click(screen.getByTestId("grace-7d"));
    await user.click(screen.getByTestId("rotate-submit"));
    await waitFor(() => expect(gate.pending?.title).toBe("Rotate with 7d"));
    gate.answer(false);
    await user.click(await screen.findByTestId("rotate-submit"));
    await waitFor(() => expect(gate.pending).not.toBeNull());
    expect(rotate).not.toHaveBeenCalled();
    gate.answer(true);
    await waitFor(() => expect(rotate).toHaveBeenCalledExactlyOnceWith("7d"));
  });

  it("shows a failure in place and hands an environment change to the panel", async () => {
    const { rotate, onenvchanged, user } = open("sandbox");
    rotate.mockRejectedValueOnce(new BackendError("not_found", "No such key.", 404));
    await user.click(screen.getByTestId("rotate-submit"));
    expect(await screen.findByTestId("rotate-error")).toHaveTextContent("No such key.");
    expect(screen.getByTestId("rotate-error")).toHaveTextContent("The key was not rotated");

    rotate.mockRejectedValueOnce(new BackendError("environment_changed", "Production is active now."));
    await user.click(screen.getByTestId("rotate-submit"));
    await waitFor(() => expect(onenvchanged).toHaveBeenCalledOnce());
    expect(screen.queryByTestId("rotate-error")).not.toBeInTheDocument();
  });
});
