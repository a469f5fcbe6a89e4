import { describe, expect, it } from "vitest";
import { PANELS } from "./panels";
import { connectionName, PLATFORMS, platformMeta, unsupportedReason } from "./platforms";
import { connection } from "../test/backend-fake";

describe("platforms", () => {
  it("gives every panel of every platform either support or one sentence saying why not", () => {
    for (const platform of PLATFORMS) {
      for (const panel of PANELS) {
        const supported = platform.supported.includes(panel.id);
        const reason = platform.unsupported[panel.id];
        expect(supported || reason !== undefined, `${platform.id} / ${panel.id}`).toBe(true);
        expect(supported && reason !== undefined, `${platform.id} / ${panel.id} is both`).toBe(false);
        if (reason !== undefined) {
          expect(reason).toMatch(/^[A-Z].*\.$/);
          expect(reason).toContain(platform.title);
        }
      }
    }
  });

  it("supports the panels each platform's docs describe", () => {
    expect(platformMeta("botbiz").supported).toEqual(["dashboard", "try-it", "rate-limits", "inspector", "sdks", "settings"]);
    expect(platformMeta("botmaker").supported).toEqual(["dashboard", "try-it", "webhooks", "inspector", "sdks", "settings"]);
  });

  it("says why a panel is missing for a connection, and never for BotBat", () => {
    const acme = connection({ id: "conn_1", label: "Acme", platform: "botbiz" });
    expect(unsupportedReason(acme, "api-keys")).toContain("Botbiz's dashboard");
    expect(unsupportedReason(acme, "rate-limits")).toBeNull();
    const maker = connection({ id: "conn_2", label: "Shop", platform: "botmaker" });
    expect(unsupportedReason(maker, "rate-limits")).toContain("Botmaker");
    expect(unsupportedReason(maker, "webhooks")).toBeNull();
    for (const panel of PANELS) expect(unsupportedReason(null, panel.id)).toBeNull();
    expect(connectionName(acme)).toBe("Botbiz · Acme");
  });
});
