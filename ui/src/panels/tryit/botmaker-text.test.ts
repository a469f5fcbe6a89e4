import { describe, expect, it } from "vitest";
import { botmakerText } from "./request";
import { formatWhatsApp } from "./whatsapp";

describe("Botmaker send-messages preview", () => {
  it("takes every text message's text, one per line", () => {
    const body = JSON.stringify({
      chat: { channelId: "c", contactId: "5491155551234" },
      messages: [{ text: "Hello *there*" }, { media: { url: "https://x/y.png", mimeType: "image/png" } }, { text: "_bye_" }],
    });
    expect(botmakerText(body)).toBe("Hello *there*\n_bye_");
  });

  it("has nothing to preview without a text, or with broken JSON", () => {
    expect(botmakerText(JSON.stringify({ messages: [{ location: { latitude: 1, longitude: 2 } }] }))).toBeNull();
    expect(botmakerText("{not json")).toBeNull();
    expect(botmakerText(JSON.stringify({ messages: "text" }))).toBeNull();
  });

  it("the formatting reads as WhatsApp shows it, markup kept as text", () => {
    const text = botmakerText(JSON.stringify({ messages: [{ text: "*bold* <b>x</b>" }] })) ?? "";
    const segments = formatWhatsApp(text);
    expect(segments[0]).toMatchObject({ text: "bold", bold: true });
    expect(segments.map((s) => s.text).join("")).toBe("bold <b>x</b>");
  });
});
