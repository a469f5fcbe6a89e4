import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import { setUtcTimes, timeDisplay } from "../lib/time.svelte";
import { commandError, FakeBackend, SANDBOX_URL } from "../test/backend-fake";

async function openSettings(backend: FakeBackend = new FakeBackend()) {
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId("env-sandbox")).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-settings"));
  await waitFor(() => expect(screen.getByTestId("settings-key-state-production")).toHaveTextContent("No key set"));
  return backend;
}

const SECRET = "bb_live_Zq8TnW3xYp6RkL2mVc9BdF4hJs7Ga1b2";

describe("settings", () => {
  it("saves a pasted key, clears the input and never shows the secret", async () => {
    const backend = await openSettings();
    const user = userEvent.setup();
    const input = screen.getByTestId("settings-key-input-production");
    expect(input).toHaveAttribute("type", "password");

    await user.type(input, SECRET);
    await user.click(screen.getByTestId("settings-save-key-production"));

    await waitFor(() => expect(screen.getByTestId("settings-key-state-production")).toHaveTextContent("bb_live_…a1b2"));
    expect(backend.callsTo("set_management_key")).toEqual([
      { cmd: "set_management_key", args: { environment: "production", key: SECRET } },
    ]);
    expect(input).toHaveValue("");
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.getByTestId("settings-key-state-production")).toHaveTextContent("Stored in the OS keychain");
  });

  it("says a key lives in memory only when the keychain is unavailable", async () => {
    const backend = new FakeBackend();
    backend.keychain = { available: false, message: "no D-Bus session" };
    await openSettings(backend);
    const user = userEvent.setup();

    await user.type(screen.getByTestId("settings-key-input-production"), SECRET);
    await user.click(screen.getByTestId("settings-save-key-production"));

    await waitFor(() =>
      expect(screen.getByTestId("settings-key-state-production")).toHaveTextContent("In memory for this run only"),
    );
    expect(screen.getByTestId("panel-settings")).toHaveTextContent("Held in memory for this run only");
  });

  it("removes a key", async () => {
    const backend = await openSettings();
    expect(screen.getByTestId("settings-key-state-sandbox")).toHaveTextContent("bb_test_…9f3c");

    await fireEvent.click(screen.getByTestId("settings-remove-key-sandbox"));

    await waitFor(() => expect(screen.getByTestId("settings-key-state-sandbox")).toHaveTextContent("No key set"));
    expect(backend.callsTo("clear_management_key")).toEqual([
      { cmd: "clear_management_key", args: { environment: "sandbox" } },
    ]);
  });

  it("shows the connection report with latency, key and scopes", async () => {
    await openSettings();

    await fireEvent.click(screen.getByTestId("settings-test-connection-sandbox"));

    const result = await screen.findByTestId("settings-connection-result");
    expect(result).toHaveTextContent("42 ms");
    expect(result).toHaveTextContent("Console management");
    expect(result).toHaveTextContent("bb_test_…9f3c");
    expect(result).toHaveTextContent("Professional");
    const chips = within(result).getAllByRole("listitem").map((li) => li.textContent);
    expect(chips).toEqual(["keys:manage", "webhooks:read", "usage:read"]);
  });

  it("explains an unreachable server", async () => {
    const backend = new FakeBackend().on("test_connection", () => {
      throw commandError("unreachable", "error sending request: connection refused");
    });
    await openSettings(backend);

    await fireEvent.click(screen.getByTestId("settings-test-connection-production"));

    const result = await screen.findByTestId("settings-connection-result");
    expect(result).toHaveTextContent("unreachable");
    expect(result).toHaveTextContent("connection refused");
    expect(result).toHaveTextContent("Check the base URL in Settings");
  });

  it("rejects a URL without a scheme before calling the backend", async () => {
    const backend = await openSettings();
    const user = userEvent.setup();
    const input = screen.getByTestId("settings-base-url-production");

    await user.clear(input);
    await user.type(input, "api.example.com/v1{Enter}");

    expect(await screen.findByText(/must start with http:\/\/ or https:\/\//)).toBeInTheDocument();
    expect(backend.callsTo("save_settings")).toHaveLength(0);
  });

  it("shows the backend's refusal of a plain http production URL once, under the field", async () => {
    const refusal =
      "Production's base URL must start with https://: over http:// its bb_live_ key would travel in cleartext. Use https://api.example.com/v1.";
    const backend = new FakeBackend().on("save_settings", () => {
      throw commandError("invalid_input", refusal, {
        details: [
          { field: "production_base_url", issue: refusal },
          { field: "theme", issue: "a second, different issue" },
        ],
      });
    });
    await openSettings(backend);
    const user = userEvent.setup();
    const input = screen.getByTestId("settings-base-url-production");

    await user.clear(input);
    await user.type(input, "http://api.example.com/v1{Enter}");

    const notice = await screen.findByTestId("settings-url-error-production");
    expect(notice).toHaveTextContent("The base URL was not saved");
    expect(notice.textContent?.split("must start with https://").length).toBe(2);
    expect(within(notice).getByRole("listitem")).toHaveTextContent("a second, different issue");
    expect(backend.preferences.production_base_url).toBe("https://api.botbat.com/v1");
  });

  it("saves a sandbox override and resets it to the embedded sandbox", async () => {
    const backend = await openSettings();
    const user = userEvent.setup();

    await user.type(screen.getByTestId("settings-base-url-sandbox"), "http://10.0.0.5:4010/v1{Enter}");
    await waitFor(() => expect(screen.getByTestId("base-url")).toHaveTextContent("http://10.0.0.5:4010/v1"));
    const saves = backend.callsTo("save_settings");
    expect(saves[saves.length - 1]?.args).toEqual({
      input: { sandbox_base_url_override: "http://10.0.0.5:4010/v1", production_base_url: "https://api.botbat.com/v1", theme: "system", utc_times: false },
    });

    await user.click(screen.getByRole("button", { name: "Use embedded" }));
    await waitFor(() => expect(screen.getByTestId("base-url")).toHaveTextContent(SANDBOX_URL));
    expect(backend.preferences.sandbox_base_url_override).toBeNull();
  });

  it("applies and saves the theme", async () => {
    const backend = await openSettings();

    await fireEvent.click(screen.getByTestId("settings-theme-dark"));

    expect(document.documentElement.dataset.theme).toBe("dark");
    await waitFor(() => expect(backend.preferences.theme).toBe("dark"));
  });

  describe("times in UTC", () => {
    afterEach(() => setUtcTimes(false));

    it("switches every displayed time to UTC and saves the choice", async () => {
      const backend = await openSettings();
      const toggle = screen.getByTestId("settings-utc-times");
      expect(toggle).not.toBeChecked();

      await fireEvent.click(toggle);

      expect(timeDisplay.utc).toBe(true);
      await waitFor(() => expect(backend.preferences.utc_times).toBe(true));
      expect(backend.preferences.theme).toBe("system");
    });

    it("starts in UTC when the saved preferences say so", async () => {
      const backend = new FakeBackend();
      backend.preferences.utc_times = true;
      await openSettings(backend);
      expect(timeDisplay.utc).toBe(true);
      expect(screen.getByTestId("settings-utc-times")).toBeChecked();
    });
  });
});
