import { describe, expect, it } from "vitest";
import { catalog, webhook } from "../../test/webhooks-fake";
import { fromLocalInput, groupEventTypes, parsePayload, subscribes, toLocalInput } from "./events";

describe("event type catalog", () => {
  it("groups types in the docs' order, sorted within each group", () => {
    const groups = groupEventTypes(catalog());
    expect(groups.map((g) => g.label)).toEqual(["Messages", "Contacts", "Campaigns", "Rate limits"]);
    expect(groups[0].types.map((t) => t.type)).toEqual(["message.delivered", "message.failed", "message.sent"]);
  });

  it("knows which enabled endpoints receive a type", () => {
    const hook = webhook({ id: "we_1", url: "https://x", event_types: ["message.failed"] });
    expect(subscribes(hook, "message.failed")).toBe(true);
    expect(subscribes(hook, "message.delivered")).toBe(false);
    expect(subscribes({ ...hook, event_types: ["*"] }, "contact.created")).toBe(true);
    expect(subscribes({ ...hook, enabled: false }, "message.failed")).toBe(false);
  });
});

describe("simulator payload", () => {
  it("accepts a JSON object and explains anything else", () => {
    expect(parsePayload('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parsePayload("  ")).toEqual({ ok: true, value: {} });
    const notObject = parsePayload("[1]");
    expect(notObject.ok).toBe(false);
    expect(!notObject.ok && notObject.error).toContain("must be a JSON object");
    const broken = parsePayload('{"a": ');
    expect(!broken.ok && broken.error).toMatch(/^Not valid JSON/);
  });
});

describe("resend since", () => {
  it("round-trips a local date and time", () => {
    const date = new Date(2025, 0, 15, 8, 30);
    expect(toLocalInput(date)).toBe("2025-01-15T08:30");
    expect(fromLocalInput("2025-01-15T08:30")).toBe(date.toISOString());
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("yesterday")).toBeNull();
  });
});
