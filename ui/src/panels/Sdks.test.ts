import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import { connection, FakeBackend, PRODUCTION_URL, SANDBOX_URL } from "../test/backend-fake";

async function openSdks(setup: (backend: FakeBackend) => void = () => {}) {
  const backend = new FakeBackend();
  setup(backend);
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId("nav-sdks")).toBeInTheDocument());
  await fireEvent.click(screen.getByTestId("nav-sdks"));
  await screen.findByTestId("panel-sdks");
  return backend;
}

const LANGUAGES = ["javascript", "python", "php", "java"];

describe("SDKs", () => {
  it("lists the SDKs the docs name with their install commands, what they handle and a quick-start for the sandbox", async () => {
    const backend = await openSdks();
    await screen.findByTestId("sdk-java");
    expect(backend.callsTo("tryit_quickstart")[0].args).toEqual({ environment: "sandbox" });

    expect(screen.getByTestId("sdk-javascript-install")).toHaveTextContent("npm install @botbat/sdk");
    expect(screen.getByTestId("sdk-python-install")).toHaveTextContent("pip install botbat");
    expect(screen.getByTestId("sdk-php-install")).toHaveTextContent("composer require botbat/sdk");
    const maven = screen.getByTestId("sdk-java-install").textContent ?? "";
    expect(maven).toContain("<groupId>com.botbat</groupId>");
    expect(maven).toContain("<artifactId>sdk</artifactId>");
    expect(screen.getByTestId("sdk-java")).toHaveTextContent("Add to pom.xml");
    expect(screen.getByTestId("sdk-java")).toHaveTextContent("replace VERSION");

    for (const language of LANGUAGES) {
      const handles = screen.getByTestId(`sdk-${language}-handles`);
      expect(handles).toHaveTextContent("Authentication");
      expect(handles).toHaveTextContent("Automatic retries");
      expect(handles).toHaveTextContent(/definitions/);
      const code = screen.getByTestId(`sdk-${language}-code`);
      expect(code).toHaveTextContent(`${SANDBOX_URL}/me`);
      expect(code).toHaveTextContent("BOTBAT_API_KEY");
    }
    expect(screen.getByTestId("sdk-javascript-handles")).toHaveTextContent("TypeScript definitions");
    expect(screen.getByTestId("sdks-request")).toHaveTextContent("GET /v1/me");
    expect(screen.getByTestId("sdks-request")).toHaveTextContent("export BOTBAT_API_KEY=");
    expect(screen.getByTestId("panel-sdks")).toHaveTextContent("BotBat Sandbox");
    expect(screen.queryByTestId("sdks-no-sdk")).not.toBeInTheDocument();
  });

  it("copies an install command and a quick-start", async () => {
    await openSdks();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("sdk-javascript-install-copy"));
    expect(await navigator.clipboard.readText()).toBe("npm install @botbat/sdk");
    await user.click(screen.getByTestId("sdk-java-install-copy"));
    expect(await navigator.clipboard.readText()).toContain("<dependency>");
    await user.click(screen.getByTestId("sdk-python-copy"));
    expect(await navigator.clipboard.readText()).toContain("os.environ['BOTBAT_API_KEY']");
  });

  it("writes the quick-starts again for Production after a switch", async () => {
    const backend = await openSdks();
    await screen.findByTestId("sdk-php-code");
    await fireEvent.click(screen.getByTestId("env-production"));
    await waitFor(() => expect(screen.getByTestId("sdk-php-code")).toHaveTextContent(PRODUCTION_URL.replace(/\/v1$/, "")));
    const calls = backend.callsTo("tryit_quickstart");
    expect(calls[calls.length - 1].args).toEqual({ environment: "production" });
    expect(screen.getByTestId("panel-sdks")).toHaveTextContent("BotBat Production");
  });

  it("says in one sentence that Botbiz names no SDK and offers only its plain-HTTP quick-starts", async () => {
    const backend = await openSdks((b) => {
      b.connections = [connection({ id: "conn_acme", label: "Acme", platform: "botbiz" })];
      b.preferences.active_connection = "conn_acme";
    });
    const note = await screen.findByTestId("sdks-no-sdk");
    expect(note).toHaveTextContent("Botbiz's docs name no SDK; these quick-starts use plain HTTP.");
    expect(backend.callsTo("tryit_connection_quickstart")[0].args).toEqual({ connectionId: "conn_acme" });
    expect(backend.callsTo("tryit_quickstart")).toHaveLength(0);
    for (const language of LANGUAGES) {
      const card = screen.getByTestId(`sdk-${language}`);
      expect(within(card).queryByTestId(`sdk-${language}-install`)).not.toBeInTheDocument();
      expect(screen.getByTestId(`sdk-${language}-code`)).toHaveTextContent("https://api.botbiz.io/v1/users");
      expect(screen.getByTestId(`sdk-${language}-code`)).toHaveTextContent("BOTBIZ_API_KEY");
    }
    expect(screen.getByTestId("sdks-request")).toHaveTextContent("export BOTBIZ_API_KEY=");
    expect(screen.getByTestId("panel-sdks")).toHaveTextContent("Botbiz · Acme");
  });

  it("gives a Botmaker connection its access-token quick-starts", async () => {
    await openSdks((b) => {
      b.connections = [connection({ id: "conn_shop", label: "Shop", platform: "botmaker" })];
      b.preferences.active_connection = "conn_shop";
    });
    expect(await screen.findByTestId("sdks-no-sdk")).toHaveTextContent("Botmaker's docs name no SDK");
    expect(screen.getByTestId("sdk-java-code")).toHaveTextContent("https://api.botmaker.com/v2.0/channels");
    expect(screen.getByTestId("sdk-java-code")).toHaveTextContent("BOTMAKER_ACCESS_TOKEN");
  });
});
