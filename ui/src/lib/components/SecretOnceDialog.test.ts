import { emit } from "@tauri-apps/api/event";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";
import { FakeBackend } from "../../test/backend-fake";
import { AppState, appContext } from "../app.svelte";
import SecretOnceDialog from "./SecretOnceDialog.svelte";

const SECRET = "whsec_c2VjcmV0LXNob3duLW9uY2UtMDEyMzQ1Njc4OQ";

/** Renders the dialog and waits until it guards the window's close button. */
async function open({ keychain = true, extra = false } = {}) {
  const backend = new FakeBackend();
  backend.keychain = { available: keychain, message: keychain ? null : "no D-Bus session" };
  backend.install();
  const app = new AppState();
  app.status = backend.status();
  const keep = vi.fn().mockResolvedValue({ id: "we_1", kept: true });
  const ondone = vi.fn();
  render(SecretOnceDialog, {
    context: appContext(app),
    props: {
      title: "The new endpoint's signing secret",
      testid: "webhook-secret",
      environment: "production",
      secret: SECRET,
      secretId: "we_1",
      masked: "whsec_…OTg5",
      noun: "secret",
      keepFor: "the Inspector",
      keepHelp: "The Inspector then verifies this endpoint's deliveries.",
      confirmLabel: "I have stored this secret where my receiver reads it",
      keep,
      ondone,
      subject: createRawSnippet(() => ({ render: () => "<code>https://orders.example.com/hooks</code>" })),
      once: createRawSnippet(() => ({ render: () => "<span>This is the only time the signing secret is shown.</span>" })),
      extra: extra
        ? createRawSnippet(() => ({ render: () => "<p data-testid='extra-note'>The previous secret keeps signing.</p>" }))
        : undefined,
    },
  });
  // The window's close button is refused, with the reason, once the guard is in place.
  await waitFor(async () => {
    await emit("tauri://close-requested");
    expect(screen.getByTestId("webhook-secret-close-blocked")).toHaveTextContent(
      "until you confirm the secret is stored",
    );
  });
  return { backend, keep, ondone, user: userEvent.setup() };
}

describe("SecretOnceDialog", () => {
  it("shows the secret with what it belongs to, in the caller's words and test ids", async () => {
    await open({ extra: true });
    const dialog = screen.getByTestId("webhook-secret-dialog");
    expect(screen.getByTestId("webhook-secret-value")).toHaveTextContent(SECRET);
    expect(dialog).toHaveTextContent("https://orders.example.com/hooks · Production · whsec_…OTg5");
    expect(dialog).toHaveTextContent("This is the only time the signing secret is shown.");
    expect(dialog).toHaveTextContent("Keep it in this machine's keychain for the Inspector");
    expect(dialog).toHaveTextContent("I have stored this secret where my receiver reads it");
    expect(screen.getByTestId("extra-note")).toHaveTextContent("The previous secret keeps signing.");
    expect(screen.getByTestId("webhook-secret-copy")).toHaveFocus();
  });

  it("closes only through Done, after the user confirms, keeping the secret when ticked", async () => {
    const { keep, ondone, user } = await open();
    const dialog = screen.getByTestId("webhook-secret-dialog");
    await fireEvent.keyDown(dialog, { key: "Escape" });
    await fireEvent.click(screen.getByTestId("webhook-secret-dialog-backdrop"));
    expect(ondone).not.toHaveBeenCalled();
    expect(screen.getByTestId("webhook-secret-keep")).toBeChecked();
    expect(screen.getByTestId("webhook-secret-done")).toBeDisabled();

    await user.click(screen.getByTestId("webhook-secret-confirm"));
    await user.click(screen.getByTestId("webhook-secret-done"));
    await waitFor(() => expect(ondone).toHaveBeenCalledExactlyOnceWith({ id: "we_1", kept: true }));
    expect(keep).toHaveBeenCalledOnce();
  });

  it("discards the backend's copy when not kept", async () => {
    const { backend, keep, ondone, user } = await open();
    await user.click(screen.getByTestId("webhook-secret-keep"));
    await user.click(screen.getByTestId("webhook-secret-confirm"));
    await user.click(screen.getByTestId("webhook-secret-done"));
    await waitFor(() => expect(ondone).toHaveBeenCalledExactlyOnceWith(null));
    expect(backend.callsTo("discard_issued_secret")[0]?.args).toEqual({ keyId: "we_1" });
    expect(keep).not.toHaveBeenCalled();
  });

  it("says why the keychain cannot keep it, naming the secret by the caller's noun", async () => {
    const { keep, ondone, user } = await open({ keychain: false });
    expect(screen.getByTestId("webhook-secret-keep")).toBeDisabled();
    expect(screen.getByTestId("webhook-secret-keep")).not.toBeChecked();
    expect(screen.getByTestId("webhook-secret-keep-reason")).toHaveTextContent("no D-Bus session");
    await user.click(screen.getByTestId("webhook-secret-confirm"));
    await user.click(screen.getByTestId("webhook-secret-done"));
    await waitFor(() => expect(ondone).toHaveBeenCalledExactlyOnceWith(null));
    expect(keep).not.toHaveBeenCalled();
  });

  it("names the secret by the caller's noun when keeping fails", async () => {
    const { keep, ondone, user } = await open();
    keep.mockRejectedValueOnce({ code: "keychain_unavailable", message: "The keychain is locked." });
    await user.click(screen.getByTestId("webhook-secret-confirm"));
    await user.click(screen.getByTestId("webhook-secret-done"));
    expect(await screen.findByTestId("webhook-secret-error")).toHaveTextContent(
      "The secret could not be kept in the keychain",
    );
    expect(ondone).not.toHaveBeenCalled();
  });
});
