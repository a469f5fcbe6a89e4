import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppState, appContext } from "../../lib/app.svelte";
import type { BotbizAccount } from "../../lib/bindings/BotbizAccount";
import type { Connection } from "../../lib/bindings/Connection";
import { FakeBackend } from "../../test/backend-fake";
import BotbizAccounts from "./BotbizAccounts.svelte";

function connection(base_url = "http://127.0.0.1:8788/v1"): Connection {
  return {
    id: "conn_biz1",
    platform: "botbiz",
    label: "Acme Botbiz",
    base_url,
    masked_credential: "bz_…a1b2",
    created_at: "2026-11-30T10:00:00Z",
  };
}

// An image whose text would run script if it were ever put into the page as markup.
const SVG = `<svg xmlns="http://www.w3.org/2000/svg"><script>window.ran = true</script><rect width="10" height="10"/></svg>`;
const DATA_URL = `data:image/svg+xml;base64,${btoa(SVG)}`;

async function mount(component: typeof BotbizAccounts, conn: Connection, backend: FakeBackend, props = {}) {
  backend.install();
  const app = new AppState();
  await app.init();
  app.connection = conn;
  render(component, { context: appContext(app), props: { connection: conn, ...props } });
  return userEvent.setup();
}

describe("Botbiz WhatsApp accounts", () => {
  it("adds an account, shows its QR code as an image and follows it to connected after the stand-in's scan", async () => {
    const accounts: BotbizAccount[] = [];
    let scanned = false;
    const backend = new FakeBackend()
      .on("list_botbiz_accounts", () => accounts.map((a) => ({ ...a, status: scanned ? "connected" : a.status })))
      .on("create_botbiz_account", (args) => {
        const account = {
          id: "wha_12345",
          phone_number: args.phoneNumber as string,
          name: args.name as string,
          status: "pending",
          created_at: "2026-11-30T10:01:00Z",
        };
        accounts.push(account);
        return account;
      })
      .on("botbiz_account_qr", () => ({ account: accounts[0], image: DATA_URL }))
      .on("get_botbiz_account", () => ({ ...accounts[0], status: scanned ? "connected" : "pending" }))
      .on("play_botbiz_scan", () => {
        scanned = true;
        return { ...accounts[0], status: "connected" };
      });
    const user = await mount(BotbizAccounts, connection(), backend, { pollMs: 20 });
    expect(await screen.findByTestId("botbiz-accounts-empty")).toBeInTheDocument();

    await user.click(screen.getByTestId("botbiz-accounts-add"));
    await user.type(screen.getByTestId("botbiz-account-phone"), "4155550123");
    await user.type(screen.getByTestId("botbiz-account-name"), "Support");
    await user.click(screen.getByTestId("botbiz-account-submit"));
    expect(screen.getByTestId("botbiz-account-phone-error")).toHaveTextContent("International form");
    expect(backend.callsTo("create_botbiz_account")).toHaveLength(0);
    await user.clear(screen.getByTestId("botbiz-account-phone"));
    await user.type(screen.getByTestId("botbiz-account-phone"), "+14155550123");
    await user.click(screen.getByTestId("botbiz-account-submit"));

    const image = await screen.findByTestId("botbiz-qr-image");
    expect(image.tagName).toBe("IMG");
    expect(image).toHaveAttribute("src", DATA_URL);
    expect(document.querySelector("script, svg rect")).toBeNull();
    expect(screen.getByTestId("botbiz-qr-status")).toHaveTextContent("pending");
    // The account is asked again while the code is shown.
    await waitFor(() => expect(backend.callsTo("get_botbiz_account").length).toBeGreaterThan(1));

    await user.click(screen.getByTestId("botbiz-play-scan"));
    await waitFor(() => expect(screen.getByTestId("botbiz-qr-status")).toHaveTextContent("connected"));
    await waitFor(() => expect(screen.getByTestId("botbiz-account-wha_12345")).toHaveTextContent("connected"));
  });

  it("offers the stand-in's scan only for a connection on this machine", async () => {
    const pending = { id: "wha_1", phone_number: "+14155550123", name: "Support", status: "pending", created_at: "2026-11-30T10:01:00Z" };
    const backend = new FakeBackend()
      .on("list_botbiz_accounts", () => [pending])
      .on("botbiz_account_qr", () => ({ account: pending, image: DATA_URL }))
      .on("get_botbiz_account", () => pending);
    const user = await mount(BotbizAccounts, connection("https://api.botbiz.io/v1"), backend);
    await user.click(await screen.findByTestId("botbiz-account-qr-wha_1"));
    expect(await screen.findByTestId("botbiz-qr-image")).toBeInTheDocument();
    expect(screen.queryByTestId("botbiz-play-scan")).not.toBeInTheDocument();
  });
});
