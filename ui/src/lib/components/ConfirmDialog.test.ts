import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";
import { AppState, appContext } from "../app.svelte";
import { BackendError } from "../backend";
import { requiredTyping, typingMatches } from "../confirm.svelte";
import ConfirmDialog from "./ConfirmDialog.svelte";

const message = createRawSnippet(() => ({ render: () => "<p>Every request made with it is answered 401.</p>" }));

function open(props: Record<string, unknown> = {}) {
  const onconfirm = vi.fn<(typed: string | null) => void | Promise<void>>();
  const oncancel = vi.fn();
  const onenvchanged = vi.fn();
  render(ConfirmDialog, {
    context: appContext(new AppState()),
    props: {
      title: "Revoke “Live CRM sync”?",
      testid: "revoke",
      tone: "production",
      destructive: true,
      requireTyping: "Live CRM sync",
      action: "Revoke key",
      onconfirm,
      oncancel,
      onenvchanged,
      children: message,
      ...props,
    },
  });
  return { onconfirm, oncancel, onenvchanged, user: userEvent.setup() };
}

describe("the destructive rule", () => {
  it("asks for the name in production only, and matches it exactly", () => {
    expect(requiredTyping("production", "Live CRM sync")).toBe("Live CRM sync");
    expect(requiredTyping("sandbox", "Live CRM sync")).toBeNull();
    expect(typingMatches("Live CRM sync", "Live CRM sync")).toBe(true);
    expect(typingMatches("live crm sync", "Live CRM sync")).toBe(false);
    expect(typingMatches(" Live CRM sync", "Live CRM sync")).toBe(false);
    expect(typingMatches("", null)).toBe(true);
  });
});

describe("ConfirmDialog", () => {
  it("unlocks the action only when the typed text matches exactly", async () => {
    const { onconfirm, user } = open();
    const dialog = screen.getByTestId("revoke-dialog");
    expect(dialog).toHaveTextContent("Every request made with it is answered 401.");
    expect(dialog).toHaveTextContent("Type Live CRM sync to confirm");
    const field = screen.getByTestId("revoke-confirm-name");
    const submit = screen.getByTestId("revoke-submit");
    expect(field).toHaveFocus();
    expect(submit).toBeDisabled();

    for (const near of ["live crm sync", "Live CRM sync ", "Live CRM syn"]) {
      await user.clear(field);
      await user.type(field, near);
      expect(submit).toBeDisabled();
      expect(field).toHaveAttribute("aria-invalid", "true");
      expect(dialog).toHaveTextContent("Does not match");
    }
    await user.type(field, "{Enter}");
    expect(onconfirm).not.toHaveBeenCalled();

    await user.clear(field);
    await user.type(field, "Live CRM sync");
    expect(field).toHaveAttribute("aria-invalid", "false");
    expect(submit).toBeEnabled();
    await user.click(submit);
    expect(onconfirm).toHaveBeenCalledExactlyOnceWith("Live CRM sync");
  });

  it("submits with Enter once the name matches", async () => {
    const { onconfirm, user } = open();
    await user.type(screen.getByTestId("revoke-confirm-name"), "Live CRM sync{Enter}");
    expect(onconfirm).toHaveBeenCalledExactlyOnceWith("Live CRM sync");
  });

  it("is a plain confirm when nothing must be typed, with Cancel focused", async () => {
    const { onconfirm, oncancel, user } = open({ tone: "normal", requireTyping: null });
    expect(screen.queryByTestId("revoke-confirm-name")).not.toBeInTheDocument();
    expect(screen.getByTestId("revoke-cancel")).toHaveFocus();
    expect(screen.getByTestId("revoke-submit")).toHaveClass("btn-danger");
    await user.click(screen.getByTestId("revoke-cancel"));
    expect(oncancel).toHaveBeenCalledOnce();
    await user.click(screen.getByTestId("revoke-submit"));
    expect(onconfirm).toHaveBeenCalledExactlyOnceWith(null);
  });

  it("keeps a failure in the dialog and hands an environment change to the panel", async () => {
    const { onconfirm, onenvchanged, user } = open({ requireTyping: null });
    onconfirm.mockRejectedValueOnce(new BackendError("conflict", "The key is already revoked.", 409));
    await user.click(screen.getByTestId("revoke-submit"));
    expect(await screen.findByTestId("revoke-error")).toHaveTextContent("The key is already revoked.");
    expect(screen.getByTestId("revoke-dialog")).toBeInTheDocument();
    expect(screen.getByTestId("revoke-submit")).toBeEnabled();

    onconfirm.mockRejectedValueOnce(new BackendError("environment_changed", "Production is active now."));
    await user.click(screen.getByTestId("revoke-submit"));
    await waitFor(() => expect(onenvchanged).toHaveBeenCalledOnce());
    expect(onenvchanged.mock.calls[0][0].code).toBe("environment_changed");
    expect(screen.queryByTestId("revoke-error")).not.toBeInTheDocument();
  });

  it("shows a spinner and holds a second press while the action runs", async () => {
    const { onconfirm, user } = open({ requireTyping: null });
    let finish!: () => void;
    onconfirm.mockReturnValueOnce(new Promise<void>((resolve) => (finish = resolve)));
    await user.click(screen.getByTestId("revoke-submit"));
    expect(screen.getByTestId("revoke-submit")).toBeDisabled();
    expect(screen.getByTestId("revoke-cancel")).toBeDisabled();
    await user.click(screen.getByTestId("revoke-submit"));
    expect(onconfirm).toHaveBeenCalledOnce();
    finish();
    await waitFor(() => expect(screen.getByTestId("revoke-submit")).toBeEnabled());
  });
});
