import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import type { KeyRow } from "../lib/bindings/KeyRow";
import { ALL_SCOPES } from "../lib/scopes";
import { rotatedName } from "./keys/naming";
import { commandError, deferred, FakeBackend, secretFor } from "../test/backend-fake";

async function openKeys(backend: FakeBackend = new FakeBackend()) {
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId(`env-${backend.environment}`)).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-api-keys"));
  await waitFor(() => expect(screen.queryByTestId("keys-loading")).not.toBeInTheDocument());
  return backend;
}

function production(): FakeBackend {
  const backend = new FakeBackend();
  backend.environment = "production";
  backend.keys.production = "bb_live_bbbbbbbbbbbbbbbbbbbbbbbbbbbba1b2";
  return backend;
}

/** The ticked scopes among those the dialog shows. */
function checkedScopes(): string[] {
  return ALL_SCOPES.filter((scope) => (screen.queryByTestId(`scope-${scope}`) as HTMLInputElement | null)?.checked);
}

function rowNames(): string[] {
  return within(screen.getByTestId("keys-table"))
    .getAllByRole("row")
    .slice(1)
    .map((row) => row.querySelector(".key-name")?.textContent ?? "");
}

describe("key table", () => {
  it("lists keys masked, with scopes, times, status and the keychain marker", async () => {
    await openKeys();

    const crm = screen.getByTestId("key-row-key_crm1");
    expect(crm).toHaveAttribute("data-status", "active");
    expect(crm).toHaveTextContent("CRM sync");
    expect(crm).toHaveTextContent("bb_test_…crm1");
    expect(crm).toHaveTextContent("3 min ago");
    expect(within(crm).getByText("3 min ago")).toHaveAttribute("title");
    expect(crm).toHaveTextContent("keychain");

    const analytics = screen.getByTestId("key-row-key_ana2");
    expect(analytics).toHaveTextContent("never");
    expect(analytics).not.toHaveTextContent("keychain");
    const chips = within(analytics).getAllByRole("listitem").map((li) => li.textContent?.trim());
    expect(chips).toEqual(["usage:read", "contacts:read", "campaigns:read", "+2"]);

    expect(screen.getByTestId("key-row-key_old3")).toHaveAttribute("data-status", "revoked");
    expect(screen.queryByTestId("key-rotate-key_old3")).not.toBeInTheDocument();
    expect(screen.queryByTestId("key-revoke-key_old3")).not.toBeInTheDocument();
  });

  it("sorts by a clicked header and filters by text and status", async () => {
    await openKeys();
    const user = userEvent.setup();

    // Newest first by default.
    expect(rowNames()).toEqual(["Analytics feed", "CRM sync", "Old webhook worker"]);
    await user.click(screen.getByTestId("sort-name"));
    expect(rowNames()).toEqual(["Analytics feed", "CRM sync", "Old webhook worker"]);
    await user.click(screen.getByTestId("sort-name"));
    expect(rowNames()).toEqual(["Old webhook worker", "CRM sync", "Analytics feed"]);
    await user.click(screen.getByTestId("sort-last-used"));
    expect(rowNames()).toEqual(["CRM sync", "Old webhook worker", "Analytics feed"]);

    await user.type(screen.getByTestId("keys-filter"), "webhooks:");
    expect(rowNames()).toEqual(["Old webhook worker"]);
    await user.clear(screen.getByTestId("keys-filter"));
    await user.type(screen.getByTestId("keys-filter"), "key_crm");
    expect(rowNames()).toEqual(["CRM sync"]);
    await user.clear(screen.getByTestId("keys-filter"));

    await user.selectOptions(screen.getByTestId("keys-status-filter"), "inactive");
    expect(rowNames()).toEqual(["Old webhook worker"]);
    await user.selectOptions(screen.getByTestId("keys-status-filter"), "active");
    expect(rowNames().sort()).toEqual(["Analytics feed", "CRM sync"]);
  });

  it("offers to create the first key when there is none", async () => {
    const backend = new FakeBackend();
    backend.apiKeys.sandbox = [];
    await openKeys(backend);

    expect(screen.getByTestId("keys-empty")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("keys-create-first"));
    expect(screen.getByTestId("create-dialog")).toBeInTheDocument();
  });

  it("clears the table at once when the environment switches", async () => {
    const backend = await openKeys();
    const later = deferred<KeyRow[]>();
    backend.on("list_api_keys", () => later.promise);

    await fireEvent.click(screen.getByTestId("env-production"));

    await waitFor(() => expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "production"));
    expect(screen.queryByTestId("key-row-key_crm1")).not.toBeInTheDocument();
    expect(screen.getByTestId("keys-loading")).toBeInTheDocument();

    later.resolve(backend.apiKeys.production);
    expect(await screen.findByTestId("key-row-key_live9")).toBeInTheDocument();
  });
});

describe("create dialog", () => {
  it("selects the scopes of each preset", async () => {
    await openKeys();
    await fireEvent.click(screen.getByTestId("keys-create"));

    await fireEvent.click(screen.getByTestId("preset-messaging"));
    expect(checkedScopes()).toEqual(["contacts:read", "messages:read", "messages:send", "templates:read"]);

    await fireEvent.click(screen.getByTestId("preset-analytics"));
    expect(checkedScopes()).toEqual([
      "contacts:read",
      "messages:read",
      "campaigns:read",
      "conversations:read",
      "usage:read",
    ]);

    await fireEvent.click(screen.getByTestId("preset-contacts-sync"));
    expect(checkedScopes()).toEqual(["contacts:read", "contacts:write"]);
    expect(screen.getByTestId("preset-contacts-sync")).toHaveAttribute("aria-pressed", "true");
  });

  it("makes write imply read, and dropping read drops write", async () => {
    await openKeys();
    await fireEvent.click(screen.getByTestId("keys-create"));

    await fireEvent.click(screen.getByTestId("level-messages-write"));
    expect(checkedScopes()).toEqual(["messages:read", "messages:send"]);

    await fireEvent.click(screen.getByTestId("scope-webhooks:manage"));
    expect(checkedScopes()).toEqual(["messages:read", "messages:send", "webhooks:read", "webhooks:manage"]);

    await fireEvent.click(screen.getByTestId("scope-messages:read"));
    expect(checkedScopes()).toEqual(["webhooks:read", "webhooks:manage"]);

    await fireEvent.click(screen.getByTestId("level-webhooks-read"));
    expect(checkedScopes()).toEqual(["webhooks:read"]);
    await fireEvent.click(screen.getByTestId("level-keys-write"));
    expect(checkedScopes()).toEqual(["webhooks:read", "keys:manage"]);
  });

  it("lists the endpoints and description of each chosen scope", async () => {
    await openKeys();
    await fireEvent.click(screen.getByTestId("keys-create"));
    expect(screen.queryByTestId("endpoints-contacts:write")).not.toBeInTheDocument();

    await fireEvent.click(screen.getByTestId("scope-contacts:write"));

    const endpoints = await screen.findByTestId("endpoints-contacts:write");
    expect(endpoints).toHaveTextContent("POST /v1/contacts");
    expect(endpoints).toHaveTextContent("DELETE /v1/contacts/{id}");
    expect(screen.getByTestId("endpoints-contacts:read")).toHaveTextContent("GET /v1/contacts");
    expect(screen.getByTestId("create-dialog")).toHaveTextContent("Create, update, delete and import contacts.");
  });

  it("warns when every scope is chosen", async () => {
    await openKeys();
    await fireEvent.click(screen.getByTestId("keys-create"));
    expect(screen.queryByTestId("scopes-all-warning")).not.toBeInTheDocument();

    await fireEvent.click(screen.getByTestId("preset-full-access"));

    expect(checkedScopes()).toEqual([...ALL_SCOPES]);
    expect(screen.getByTestId("scopes-all-warning")).toHaveTextContent(
      "A key with every scope can do anything your account can; prefer one key per integration with only what it needs.",
    );
    await fireEvent.click(screen.getByTestId("scope-usage:read"));
    expect(screen.queryByTestId("scopes-all-warning")).not.toBeInTheDocument();
  });

  it("groups the sandbox controls on their own, and offers them only in the sandbox", async () => {
    await openKeys();
    await fireEvent.click(screen.getByTestId("keys-create"));
    const dialog = screen.getByTestId("create-dialog");
    const group = dialog.querySelector('[data-resource="sandbox"]');
    expect(group).toHaveTextContent("Sandbox controls");
    expect(screen.getByTestId("scope-sandbox:manage")).not.toBeChecked();
    await fireEvent.click(screen.getByTestId("level-sandbox-write"));
    expect(checkedScopes()).toEqual(["sandbox:manage"]);
    expect(dialog).toHaveTextContent("These change the sandbox for every key.");
    expect(screen.getByTestId("endpoints-sandbox:manage")).toHaveTextContent("POST /v1/sandbox");
    expect(dialog).toHaveTextContent(`1 of ${ALL_SCOPES.length} scopes chosen.`);
  });

  it("leaves the sandbox controls out of a production key, even with Full access", async () => {
    await openKeys(production());
    await fireEvent.click(screen.getByTestId("keys-create"));
    const dialog = screen.getByTestId("create-dialog");
    expect(dialog.querySelector('[data-resource="sandbox"]')).toBeNull();
    expect(screen.queryByTestId("scope-sandbox:manage")).not.toBeInTheDocument();

    await fireEvent.click(screen.getByTestId("preset-full-access"));

    expect(checkedScopes()).toEqual(ALL_SCOPES.filter((s) => s !== "sandbox:manage"));
    expect(screen.getByTestId("preset-full-access")).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("scopes-all-warning")).toBeInTheDocument();
    expect(dialog).toHaveTextContent(`${ALL_SCOPES.length - 1} of ${ALL_SCOPES.length - 1} scopes chosen.`);
  });

  it("requires a name and a scope before calling the backend", async () => {
    const backend = await openKeys();
    await fireEvent.click(screen.getByTestId("keys-create"));

    await fireEvent.click(screen.getByTestId("key-create-submit"));

    expect(await screen.findByTestId("key-name-error")).toBeInTheDocument();
    expect(screen.getByTestId("key-scopes-error")).toHaveTextContent("at least one scope");
    expect(screen.getByTestId("key-name")).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsTo("create_api_key")).toHaveLength(0);

    const user = userEvent.setup();
    await user.type(screen.getByTestId("key-name"), "x".repeat(101));
    await user.click(screen.getByTestId("preset-contacts-sync"));
    await user.click(screen.getByTestId("key-create-submit"));
    expect(screen.getByTestId("key-name-error")).toHaveTextContent("at most 100 characters");
    expect(backend.callsTo("create_api_key")).toHaveLength(0);
  });

  it("puts each 422 detail next to its field", async () => {
    const backend = new FakeBackend().on("create_api_key", () => {
      throw commandError("validation_error", "The request has invalid fields.", {
        status: 422,
        request_id: "req_422x",
        details: [
          { field: "name", issue: "is already used by another key" },
          { field: "scopes[0]", issue: "is not held by the calling key" },
        ],
      });
    });
    await openKeys(backend);
    const user = userEvent.setup();
    await user.click(screen.getByTestId("keys-create"));
    await user.type(screen.getByTestId("key-name"), "CRM sync");
    await user.click(screen.getByTestId("preset-contacts-sync"));

    await user.click(screen.getByTestId("key-create-submit"));

    expect(await screen.findByTestId("key-name-error")).toHaveTextContent("is already used by another key");
    expect(screen.getByTestId("key-scopes-error")).toHaveTextContent("is not held by the calling key");
    const notice = screen.getByTestId("create-error");
    expect(notice).toHaveTextContent("validation_error");
    expect(notice).toHaveTextContent("HTTP 422");
    expect(notice).toHaveTextContent("req_422x");
    expect(notice).toHaveTextContent("name is already used by another key");
    expect(notice).toHaveTextContent("scopes[0] is not held by the calling key");
  });
});

async function createKey(name: string) {
  const user = userEvent.setup();
  await user.click(screen.getByTestId("keys-create"));
  await user.type(screen.getByTestId("key-name"), name);
  await user.click(screen.getByTestId("preset-messaging"));
  await user.click(screen.getByTestId("key-create-submit"));
  return user;
}

describe("a half-filled create form", () => {
  async function halfFill(user: ReturnType<typeof userEvent.setup>, name: string) {
    await user.click(screen.getByTestId("keys-create"));
    await user.type(screen.getByTestId("key-name"), name);
    await user.click(screen.getByTestId("preset-messaging"));
  }

  async function reopen(user: ReturnType<typeof userEvent.setup>) {
    await waitFor(() => expect(screen.queryByTestId("create-dialog")).not.toBeInTheDocument());
    await user.click(screen.getByTestId("keys-create"));
    return screen.findByTestId("create-dialog");
  }

  it("survives Escape, a backdrop click and Cancel, and is restored each time", async () => {
    await openKeys();
    const user = userEvent.setup();
    await halfFill(user, "Order notifications");
    const chosen = checkedScopes();
    expect(chosen.length).toBeGreaterThan(0);

    await user.keyboard("{Escape}");
    expect(await reopen(user)).toHaveTextContent("Restored the draft");
    expect(screen.getByTestId("key-name")).toHaveValue("Order notifications");
    expect(checkedScopes()).toEqual(chosen);

    await user.click(screen.getByTestId("create-dialog-backdrop"));
    await reopen(user);
    expect(screen.getByTestId("key-name")).toHaveValue("Order notifications");

    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await reopen(user);
    expect(screen.getByTestId("key-name")).toHaveValue("Order notifications");
    expect(checkedScopes()).toEqual(chosen);
  });

  it("is forgotten only by an explicit discard, or by creating the key", async () => {
    const backend = await openKeys();
    const user = userEvent.setup();
    await halfFill(user, "Order notifications");
    await user.click(screen.getByTestId("create-dialog-discard"));
    expect(screen.getByTestId("key-name")).toHaveValue("");
    expect(checkedScopes()).toEqual([]);
    expect(screen.queryByTestId("create-dialog-discard")).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(await reopen(user)).not.toHaveTextContent("Restored the draft");
    expect(screen.getByTestId("key-name")).toHaveValue("");

    await user.type(screen.getByTestId("key-name"), "Orders");
    await user.click(screen.getByTestId("preset-messaging"));
    await user.click(screen.getByTestId("key-create-submit"));
    await screen.findByTestId("secret-dialog");
    expect(backend.callsTo("create_api_key")).toHaveLength(1);
    await user.click(screen.getByTestId("secret-confirm"));
    await user.click(screen.getByTestId("secret-done"));
    await waitFor(() => expect(screen.queryByTestId("secret-dialog")).not.toBeInTheDocument());
    await user.click(screen.getByTestId("keys-create"));
    expect(await screen.findByTestId("key-name")).toHaveValue("");
  });

  it("belongs to its environment: a Sandbox draft never shows in Production", async () => {
    const backend = new FakeBackend();
    backend.keys.production = "bb_live_bbbbbbbbbbbbbbbbbbbbbbbbbbbba1b2";
    await openKeys(backend);
    const user = userEvent.setup();
    await halfFill(user, "Sandbox only");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("create-dialog")).not.toBeInTheDocument());

    await user.click(screen.getByTestId("env-production"));
    await waitFor(() => expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "production"));
    await waitFor(() => expect(screen.getByTestId("keys-create")).toBeEnabled());
    await user.click(screen.getByTestId("keys-create"));
    expect(await screen.findByTestId("key-name")).toHaveValue("");
    expect(screen.getByTestId("create-dialog")).not.toHaveTextContent("Restored the draft");
  });
});

describe("without a management key", () => {
  it("disables Create and says why", async () => {
    const backend = new FakeBackend();
    backend.keys.sandbox = null;
    backend.install();
    render(App);
    await waitFor(() => expect(screen.getByTestId("env-sandbox")).toBeEnabled());
    await fireEvent.click(screen.getByTestId("nav-api-keys"));
    const create = await screen.findByTestId("keys-create");
    expect(create).toBeDisabled();
    const why = screen.getByTestId("keys-needs-key");
    expect(why).toHaveTextContent("Creating a key needs a management key for Sandbox");
    expect(create).toHaveAttribute("aria-describedby", why.id);
  });
});

describe("secret shown once", () => {
  it("cannot be dismissed by accident, and keeps the secret in the keychain on Done", async () => {
    const backend = await openKeys();
    const user = await createKey("Order notifications");

    const dialog = await screen.findByTestId("secret-dialog");
    const secret = secretFor("key_new1");
    expect(screen.getByTestId("secret-value")).toHaveTextContent(secret);
    expect(backend.callsTo("create_api_key")[0]?.args).toEqual({
      environment: "sandbox",
      input: { name: "Order notifications", scopes: ["contacts:read", "messages:read", "messages:send", "templates:read"] },
    });
    expect(screen.queryByTestId("create-dialog")).not.toBeInTheDocument();

    await user.keyboard("{Escape}");
    await fireEvent.keyDown(dialog, { key: "Escape" });
    await fireEvent.click(screen.getByTestId("secret-dialog-backdrop"));
    await emit("tauri://close-requested");
    expect(screen.getByTestId("secret-dialog")).toBeInTheDocument();
    expect(await screen.findByTestId("secret-close-blocked")).toBeInTheDocument();

    expect(screen.getByTestId("secret-keep")).toBeChecked();
    expect(screen.getByTestId("secret-done")).toBeDisabled();
    await user.click(screen.getByTestId("secret-confirm"));
    expect(screen.getByTestId("secret-done")).toBeEnabled();
    await user.click(screen.getByTestId("secret-done"));

    await waitFor(() => expect(screen.queryByTestId("secret-dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("keep_issued_secret")).toEqual([{ cmd: "keep_issued_secret", args: { keyId: "key_new1" } }]);
    expect(backend.callsTo("discard_issued_secret")).toHaveLength(0);
    expect(document.body.innerHTML).not.toContain(secret);
    const row = await screen.findByTestId("key-row-key_new1");
    await waitFor(() => expect(row).toHaveTextContent("keychain"));
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
  });

  it("copies the secret to the clipboard", async () => {
    await openKeys();
    const user = await createKey("Copy me");
    await screen.findByTestId("secret-dialog");

    await user.click(screen.getByTestId("secret-copy"));

    expect(await navigator.clipboard.readText()).toBe(secretFor("key_new1"));
    expect(screen.getByTestId("secret-copy")).toHaveTextContent("Copied");
  });

  it("discards the secret when the user does not keep it", async () => {
    const backend = await openKeys();
    const user = await createKey("Throwaway");
    await screen.findByTestId("secret-dialog");

    await user.click(screen.getByTestId("secret-keep"));
    await user.click(screen.getByTestId("secret-confirm"));
    await user.click(screen.getByTestId("secret-done"));

    await waitFor(() => expect(screen.queryByTestId("secret-dialog")).not.toBeInTheDocument());
    expect(backend.callsTo("discard_issued_secret")).toEqual([
      { cmd: "discard_issued_secret", args: { keyId: "key_new1" } },
    ]);
    expect(backend.callsTo("keep_issued_secret")).toHaveLength(0);
    expect(document.body.textContent).not.toContain(secretFor("key_new1"));
  });

  it("cannot keep the secret without a keychain and says why", async () => {
    const backend = new FakeBackend();
    backend.keychain = { available: false, message: "no D-Bus session" };
    await openKeys(backend);
    const user = await createKey("No keychain");
    await screen.findByTestId("secret-dialog");

    expect(screen.getByTestId("secret-keep")).not.toBeChecked();
    expect(screen.getByTestId("secret-keep")).toBeDisabled();
    expect(screen.getByTestId("secret-keep-reason")).toHaveTextContent("no D-Bus session");
    await user.click(screen.getByTestId("secret-confirm"));
    await user.click(screen.getByTestId("secret-done"));

    await waitFor(() => expect(backend.callsTo("discard_issued_secret")).toHaveLength(1));
  });
});

describe("production writes", () => {
  it("asks for confirmation naming production before creating", async () => {
    const backend = await openKeys(production());
    await createKey("Live orders");

    // The confirmation takes the create dialog's footer: no second modal on top of it.
    const confirm = await screen.findByTestId("confirm-production-step");
    expect(confirm).toHaveTextContent("This creates a key in PRODUCTION");
    expect(screen.getByTestId("create-dialog")).toContainElement(confirm);
    expect(screen.queryByTestId("confirm-production-dialog")).not.toBeInTheDocument();
    expect(screen.getAllByRole("dialog")).toHaveLength(1);
    expect(screen.queryByTestId("key-create-submit")).not.toBeInTheDocument();
    expect(backend.callsTo("create_api_key")).toHaveLength(0);

    await fireEvent.click(screen.getByTestId("confirm-production"));

    await screen.findByTestId("secret-dialog");
    expect(backend.callsTo("create_api_key")[0]?.args).toMatchObject({ environment: "production" });
    expect(screen.getByTestId("secret-value")).toHaveTextContent(/^bb_live_/);
  });

  it("does nothing when the production confirmation is cancelled", async () => {
    const backend = await openKeys(production());
    await createKey("Live orders");

    await fireEvent.click(await screen.findByTestId("confirm-production-cancel"));

    // Back to the form as it was, its own footer in place again.
    await waitFor(() => expect(screen.queryByTestId("confirm-production-step")).not.toBeInTheDocument());
    expect(screen.getByTestId("create-dialog")).toBeInTheDocument();
    expect(screen.getByTestId("key-name")).toHaveValue("Live orders");
    expect(screen.getByTestId("key-create-submit")).toBeEnabled();
    expect(backend.callsTo("create_api_key")).toHaveLength(0);
  });

  it("revokes in production only after the exact name is typed, in one dialog", async () => {
    const backend = await openKeys(production());
    const user = userEvent.setup();
    await user.click(screen.getByTestId("key-revoke-key_live9"));

    // The typed name is the production confirmation: the dialog itself names Production.
    const dialog = screen.getByTestId("revoke-dialog");
    expect(dialog).toHaveTextContent("This revokes “Billing bridge” in PRODUCTION");
    expect(dialog).toHaveTextContent("Production");
    expect(dialog).toHaveTextContent("Billing bridge");
    const submit = screen.getByTestId("revoke-submit");
    expect(submit).toBeDisabled();
    await user.type(screen.getByTestId("revoke-confirm-name"), "billing bridge");
    expect(submit).toBeDisabled();
    expect(backend.callsTo("revoke_api_key")).toHaveLength(0);
    await user.clear(screen.getByTestId("revoke-confirm-name"));
    await user.type(screen.getByTestId("revoke-confirm-name"), "Billing bridge");
    expect(submit).toBeEnabled();

    await user.click(submit);
    expect(screen.queryByTestId("confirm-production-dialog")).not.toBeInTheDocument();

    await waitFor(() =>
      expect(screen.getByTestId("key-row-key_live9")).toHaveAttribute("data-status", "revoked"),
    );
    expect(backend.callsTo("revoke_api_key")).toEqual([
      {
        cmd: "revoke_api_key",
        args: { environment: "production", keyId: "key_live9", confirmName: "Billing bridge" },
      },
    ]);
    expect(screen.queryByTestId("revoke-dialog")).not.toBeInTheDocument();
  });

  it("revokes in the sandbox without typing the name or a production confirmation", async () => {
    const backend = await openKeys();
    await fireEvent.click(screen.getByTestId("key-revoke-key_ana2"));

    expect(screen.queryByTestId("revoke-confirm-name")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("revoke-submit"));

    await waitFor(() => expect(screen.getByTestId("key-row-key_ana2")).toHaveAttribute("data-status", "revoked"));
    expect(screen.queryByTestId("confirm-production-dialog")).not.toBeInTheDocument();
    expect(backend.callsTo("revoke_api_key")[0]?.args).toEqual({
      environment: "sandbox",
      keyId: "key_ana2",
      confirmName: null,
    });
  });
});

describe("rotation", () => {
  it("passes the grace period, shows the new secret once, then watches the old key", async () => {
    const backend = await openKeys();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("key-rotate-key_crm1"));

    expect(screen.getByTestId("rotate-dialog")).toHaveTextContent("same scopes");
    expect(screen.getByTestId("grace-86400")).toBeChecked();
    const replacement = rotatedName("CRM sync", new Date());
    expect(screen.getByTestId("rotate-name")).toHaveValue(replacement);
    await user.click(screen.getByTestId("grace-3600"));
    await user.click(screen.getByTestId("rotate-submit"));

    await screen.findByTestId("secret-dialog");
    expect(backend.callsTo("rotate_api_key")).toEqual([
      {
        cmd: "rotate_api_key",
        args: { environment: "sandbox", keyId: "key_crm1", gracePeriodSeconds: 3600, name: replacement },
      },
    ]);
    expect(screen.getByTestId("secret-value")).toHaveTextContent(secretFor("key_new1"));
    expect(screen.getByTestId("secret-dialog")).toHaveTextContent("Step 2 of 3");

    await user.click(screen.getByTestId("secret-confirm"));
    await user.click(screen.getByTestId("secret-done"));

    const watch = await screen.findByTestId("rotate-watch");
    expect(document.body.textContent).not.toContain(secretFor("key_new1"));
    await waitFor(() => expect(screen.getByTestId("rotate-requests-since")).toHaveTextContent("0 requests since rotation"));
    const since = backend.apiKeys.sandbox.find((r) => r.key.id === "key_new1")?.key.created_at;
    expect(backend.callsTo("key_activity")[0]?.args).toEqual({ keyId: "key_crm1", since });
    expect(watch).toHaveTextContent("expiring");

    await user.click(screen.getByTestId("rotate-revoke-old"));

    await screen.findByTestId("rotate-old-revoked");
    expect(backend.callsTo("revoke_api_key")[0]?.args).toEqual({
      environment: "sandbox",
      keyId: "key_crm1",
      confirmName: null,
    });
    await waitFor(() => expect(screen.getByTestId("key-row-key_crm1")).toHaveAttribute("data-status", "revoked"));
    // The two keys had told apart names; the message names the old one by name and mask.
    expect(screen.getByTestId("keys-notice")).toHaveTextContent(
      `The old key “CRM sync” (bb_test_…crm1) is revoked; its replacement “${replacement}”`,
    );
  });

  it("holds back the revoke offer while the old key is still in use", async () => {
    const backend = new FakeBackend();
    backend.activity = {
      key_id: "key_crm1",
      last_used_at: new Date(Date.now() - 5_000).toISOString(),
      requests_since: 5,
      last_request_at: new Date(Date.now() - 5_000).toISOString(),
      quiet_seconds: 5,
    };
    await openKeys(backend);
    const user = userEvent.setup();
    await user.click(screen.getByTestId("key-rotate-key_crm1"));
    await user.click(screen.getByTestId("rotate-submit"));
    await user.click(await screen.findByTestId("secret-confirm"));
    await user.click(screen.getByTestId("secret-done"));

    await waitFor(() => expect(screen.getByTestId("rotate-requests-since")).toHaveTextContent("5 requests since rotation"));
    expect(screen.getByTestId("rotate-busy")).toBeInTheDocument();
    expect(screen.queryByTestId("rotate-revoke-old")).not.toBeInTheDocument();
    expect(backend.callsTo("rotate_api_key")[0]?.args).toMatchObject({ gracePeriodSeconds: 86400 });
  });
});

describe("least privilege", () => {
  it("shows unused scopes and creates a narrower replacement", async () => {
    const backend = new FakeBackend();
    backend.advice = {
      key_id: "key_ana2",
      granted: ["contacts:read", "messages:read", "campaigns:read", "conversations:read", "usage:read"],
      used: ["usage:read", "contacts:read"],
      unused: ["messages:read", "campaigns:read", "conversations:read"],
      routes: [
        { method: "GET", route: "/v1/usage/requests", scope: "usage:read", count: 180 },
        { method: "GET", route: "/v1/contacts", scope: "contacts:read", count: 20 },
      ],
      calls_examined: 200,
    };
    await openKeys(backend);
    const user = userEvent.setup();

    await user.click(screen.getByTestId("key-advice-key_ana2"));

    const basis = await screen.findByTestId("advice-basis");
    expect(basis).toHaveTextContent("Based on the last 200 calls");
    const granted = screen.getByTestId("advice-granted");
    expect(granted.querySelector('[data-scope="messages:read"]')).toHaveClass("unused");
    expect(granted.querySelector('[data-scope="usage:read"]')).not.toHaveClass("unused");
    const routes = screen.getByTestId("advice-routes");
    expect(routes).toHaveTextContent("GET /v1/usage/requests");
    expect(routes).toHaveTextContent("180");
    expect(backend.callsTo("scope_advice")).toEqual([{ cmd: "scope_advice", args: { keyId: "key_ana2" } }]);

    await user.click(screen.getByTestId("advice-narrow"));

    await screen.findByTestId("secret-dialog");
    expect(backend.callsTo("replace_with_narrower_key")).toEqual([
      { cmd: "replace_with_narrower_key", args: { environment: "sandbox", keyId: "key_ana2" } },
    ]);
    expect(screen.getByTestId("secret-value")).toHaveTextContent(secretFor("key_new1"));
    expect(screen.queryByTestId("advice-dialog")).not.toBeInTheDocument();
  });

  it("offers no narrowing when every granted scope is used", async () => {
    const backend = new FakeBackend();
    backend.advice = {
      key_id: "key_crm1",
      granted: ["contacts:read", "contacts:write"],
      used: ["contacts:read", "contacts:write"],
      unused: [],
      routes: [],
      calls_examined: 12,
    };
    await openKeys(backend);

    await fireEvent.click(screen.getByTestId("key-advice-key_crm1"));

    expect(await screen.findByTestId("advice-dialog")).toHaveTextContent("already has only what it needs");
    expect(screen.queryByTestId("advice-narrow")).not.toBeInTheDocument();
  });
});

describe("environment changed under a write", () => {
  it("tells the user and reloads for the environment now active", async () => {
    const backend = new FakeBackend();
    backend.on("create_api_key", () => {
      backend.environment = "production";
      throw commandError("environment_changed", "The console now targets production.");
    });
    await openKeys(backend);
    await createKey("Wrong place");

    const notice = await screen.findByTestId("keys-env-changed");
    expect(notice).toHaveTextContent("switched to Production");
    expect(screen.queryByTestId("create-dialog")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId("app-root")).toHaveAttribute("data-environment", "production"));
    expect(await screen.findByTestId("key-row-key_live9")).toBeInTheDocument();
    expect(screen.queryByTestId("key-row-key_crm1")).not.toBeInTheDocument();
  });
});
