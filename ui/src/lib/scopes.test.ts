import { describe, expect, it } from "vitest";
import {
  ALL_SCOPES,
  impliedRead,
  isAllScopes,
  levelOf,
  levelsOf,
  normalize,
  PRESETS,
  RESOURCES,
  resourcesFor,
  sameScopes,
  scopesFor,
  toggleScope,
  withLevel,
} from "./scopes";

const resource = (id: string) => {
  const found = RESOURCES.find((r) => r.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe("scopes", () => {
  it("covers every scope exactly once across the resources", () => {
    const covered = RESOURCES.flatMap((r) => [r.read, r.write]).filter((s) => s !== null);
    expect([...covered].sort()).toEqual([...ALL_SCOPES].sort());
  });

  it("knows which read each write implies", () => {
    expect(impliedRead("messages:send")).toBe("messages:read");
    expect(impliedRead("webhooks:manage")).toBe("webhooks:read");
    expect(impliedRead("contacts:read")).toBeNull();
    expect(impliedRead("keys:manage")).toBeNull();
  });

  it("normalizes to canonical order with implied reads", () => {
    expect(normalize(["templates:write", "contacts:write", "contacts:write"])).toEqual([
      "contacts:read",
      "contacts:write",
      "templates:read",
      "templates:write",
    ]);
  });

  it("sets a resource's level", () => {
    const messages = resource("messages");
    expect(withLevel([], messages, "write")).toEqual(["messages:read", "messages:send"]);
    expect(withLevel(["messages:read", "messages:send", "usage:read"], messages, "read")).toEqual([
      "messages:read",
      "usage:read",
    ]);
    expect(withLevel(["messages:read", "usage:read"], messages, "none")).toEqual(["usage:read"]);
    expect(levelOf(messages, ["messages:read", "messages:send"])).toBe("write");
    expect(levelOf(messages, ["messages:read"])).toBe("read");
    expect(levelOf(messages, [])).toBe("none");
  });

  it("offers only the levels a resource has", () => {
    expect(levelsOf(resource("usage"))).toEqual(["none", "read"]);
    expect(levelsOf(resource("keys"))).toEqual(["none", "write"]);
    expect(levelsOf(resource("webhooks"))).toEqual(["none", "read", "write"]);
    expect(levelsOf(resource("sandbox"))).toEqual(["none", "write"]);
  });

  it("offers the sandbox controls only in the sandbox", () => {
    expect(scopesFor("sandbox")).toEqual([...ALL_SCOPES]);
    expect(scopesFor("sandbox")).toContain("sandbox:manage");
    expect(scopesFor("production")).toEqual(ALL_SCOPES.filter((s) => s !== "sandbox:manage"));
    expect(resourcesFor("production").map((r) => r.id)).not.toContain("sandbox");
    const sandbox = resourcesFor("sandbox");
    expect(sandbox[sandbox.length - 1].label).toBe("Sandbox controls");
    expect(impliedRead("sandbox:manage")).toBeNull();
    expect(isAllScopes(scopesFor("production"), scopesFor("production"))).toBe(true);
    expect(isAllScopes(scopesFor("production"))).toBe(false);
  });

  it("toggles single scopes keeping write => read", () => {
    expect(toggleScope([], "campaigns:write", true)).toEqual(["campaigns:read", "campaigns:write"]);
    expect(toggleScope(["campaigns:read", "campaigns:write"], "campaigns:read", false)).toEqual([]);
    expect(toggleScope(["campaigns:read", "campaigns:write"], "campaigns:write", false)).toEqual(["campaigns:read"]);
  });

  it("defines the presets the docs describe", () => {
    const preset = (id: string) => normalize(PRESETS.find((p) => p.id === id)?.scopes ?? []);
    expect(preset("analytics")).toEqual([
      "contacts:read",
      "messages:read",
      "campaigns:read",
      "conversations:read",
      "usage:read",
    ]);
    expect(preset("messaging")).toEqual(["contacts:read", "messages:read", "messages:send", "templates:read"]);
    expect(preset("contacts-sync")).toEqual(["contacts:read", "contacts:write"]);
    expect(isAllScopes(preset("full-access"))).toBe(true);
    expect(isAllScopes(preset("messaging"))).toBe(false);
    expect(sameScopes(["messages:send"], ["messages:read", "messages:send"])).toBe(true);
  });
});
