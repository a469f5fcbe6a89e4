import { describe, expect, it } from "vitest";
import { fuzzyScore, looksLikeId, rank, TIER, type Rankable } from "./rank";

interface Item extends Rankable {
  name: string;
}

const items: Item[] = [
  { name: "dashboard", title: "Dashboard", keywords: ["call volume error rate"] },
  { name: "keys", title: "API Keys", keywords: ["scopes rotate revoke"] },
  { name: "send", title: "Send a message", detail: "POST /v1/messages/send", ids: ["send_message"] },
  { name: "list-contacts", title: "List contacts", detail: "GET /v1/contacts", ids: ["list_contacts"] },
  { name: "crm", title: "CRM sync", detail: "bb_test_…a1b2", ids: ["key_8f2k"] },
  { name: "history", title: "GET /v1/me · 429", detail: "req_abc123", ids: ["req_abc123"] },
  { name: "history-2", title: "GET /v1/me · 200", detail: "req_abc1234", ids: ["req_abc1234"] },
];

const names = (query: string, from: readonly Item[] = items) => rank(from, query).map((r) => r.item.name);

describe("rank", () => {
  it("lists every item in the given order for an empty query", () => {
    expect(names("")).toEqual(items.map((i) => i.name));
    expect(names("   ")).toEqual(items.map((i) => i.name));
  });

  it("puts an exact id first, before items it is only a prefix of", () => {
    const ranked = rank(items, "req_abc123");
    expect(ranked.map((r) => r.item.name)).toEqual(["history", "history-2"]);
    expect(ranked.map((r) => r.tier)).toEqual([TIER.exact, TIER.prefix]);
  });

  it("matches ids case-insensitively and ignores surrounding spaces", () => {
    expect(names("  KEY_8F2K ")[0]).toBe("crm");
    expect(rank(items, "KEY_8F2K")[0].tier).toBe(TIER.exact);
  });

  it("ranks a title prefix above a fuzzy match elsewhere", () => {
    // "Se" starts "Send a message"; "List contacts" and others only contain s…e.
    const ranked = rank(items, "se");
    expect(ranked[0].item.name).toBe("send");
    expect(ranked[0].tier).toBe(TIER.prefix);
    expect(ranked.slice(1).every((r) => r.tier === TIER.fuzzy)).toBe(true);
  });

  it("finds fuzzy matches in order of their letters, and not out of order", () => {
    expect(names("apky")).toEqual(["keys"]);
    expect(names("ykpa")).toEqual([]);
  });

  it("requires every word of the query, each anywhere in the item", () => {
    expect(names("contacts get")).toEqual(["list-contacts"]);
    expect(names("contacts delete")).toEqual([]);
  });

  it("scores a match in the title above the same match only in the detail", () => {
    const pair: Item[] = [
      { name: "in-detail", title: "Something", detail: "webhooks" },
      { name: "in-title", title: "Webhooks" },
    ];
    expect(names("hooks", pair)).toEqual(["in-title", "in-detail"]);
  });

  it("keeps the given order between equal scores (stable)", () => {
    const twins: Item[] = [
      { name: "first", title: "Alpha one" },
      { name: "second", title: "Alpha two" },
      { name: "third", title: "Alpha three" },
    ];
    // All prefix matches of the same title length would tie; equal titles keep order.
    const same: Item[] = twins.map((t) => ({ ...t, title: "Alpha" }));
    expect(names("alp", same)).toEqual(["first", "second", "third"]);
    expect(names("zzz", twins)).toEqual([]);
  });

  it("prefers a contiguous match and one at a word start", () => {
    const contiguous = fuzzyScore("list contacts", "cont");
    const scattered = fuzzyScore("count of new tasks", "cont");
    expect(contiguous).not.toBeNull();
    expect(scattered).not.toBeNull();
    expect(contiguous!).toBeGreaterThan(scattered!);
    expect(fuzzyScore("list contacts", "contacts")!).toBeGreaterThan(fuzzyScore("listcontacts", "contacts")!);
    expect(fuzzyScore("abc", "abd")).toBeNull();
  });
});

describe("looksLikeId", () => {
  it("recognises request and event ids only", () => {
    expect(looksLikeId("req_9xY2kLmN")).toBe(true);
    expect(looksLikeId(" evt_01HZY ")).toBe(true);
    expect(looksLikeId("req_")).toBe(false);
    expect(looksLikeId("request")).toBe(false);
    expect(looksLikeId("req_abc; drop")).toBe(false);
  });
});
