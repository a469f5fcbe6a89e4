import { describe, expect, it } from "vitest";
import { DraftStore, FormDraft } from "./drafts.svelte";

const BLANK = { name: "", scopes: [] as string[] };

describe("DraftStore", () => {
  it("keeps a half-filled form and gives it back, per environment", () => {
    const store = new DraftStore();
    store.keep("sandbox", "create-key", { name: "CRM", scopes: ["contacts:read"] }, BLANK);
    expect(store.get("sandbox", "create-key")).toEqual({ name: "CRM", scopes: ["contacts:read"] });
    expect(store.get("production", "create-key")).toBeNull();
    expect(store.get("sandbox", "endpoint:new")).toBeNull();
  });

  it("keeps nothing for an untouched form, and forgets on discard", () => {
    const store = new DraftStore();
    store.keep("sandbox", "create-key", { name: "CRM", scopes: [] }, BLANK);
    store.keep("sandbox", "create-key", { ...BLANK }, BLANK);
    expect(store.get("sandbox", "create-key")).toBeNull();
    store.keep("sandbox", "create-key", { name: "CRM", scopes: [] }, BLANK);
    store.discard("sandbox", "create-key");
    expect(store.get("sandbox", "create-key")).toBeNull();
  });

  it("never keeps a secret field", () => {
    const store = new DraftStore();
    const canary = "bb_live_CANARYcanaryCANARYcanary00zz";
    const blank = { headers: "", body: "" };
    store.keep("production", "replay:cap_1", { headers: `Authorization: Bearer ${canary}`, body: "{}" }, blank, ["headers"]);
    const kept = store.get<typeof blank>("production", "replay:cap_1");
    expect(kept).toEqual({ body: "{}" });
    expect(JSON.stringify(kept)).not.toContain("CANARY");
    // A form whose only change is in a secret field leaves no draft at all.
    store.keep("production", "replay:cap_2", { headers: canary, body: "" }, blank, ["headers"]);
    expect(store.get("production", "replay:cap_2")).toBeNull();
  });
});

describe("FormDraft", () => {
  it("starts blank, survives being closed, and opens again from the draft", () => {
    const store = new DraftStore();
    const first = new FormDraft("sandbox", "create-key", BLANK, { store });
    expect(first.restored).toBe(false);
    expect(first.dirty).toBe(false);
    first.fields.name = "CRM sync";
    first.fields.scopes = ["contacts:read"];
    expect(first.dirty).toBe(true);
    first.keep();

    const again = new FormDraft("sandbox", "create-key", BLANK, { store });
    expect(again.restored).toBe(true);
    expect(again.fields).toEqual({ name: "CRM sync", scopes: ["contacts:read"] });

    const elsewhere = new FormDraft("production", "create-key", BLANK, { store });
    expect(elsewhere.restored).toBe(false);
    expect(elsewhere.fields).toEqual(BLANK);
  });

  it("forgets the draft only when discarded or completed", () => {
    const store = new DraftStore();
    const form = new FormDraft("sandbox", "create-key", BLANK, { store });
    form.fields.name = "CRM sync";
    form.keep();
    const restored = new FormDraft("sandbox", "create-key", BLANK, { store });
    restored.discard();
    expect(restored.fields).toEqual(BLANK);
    expect(restored.restored).toBe(false);
    expect(store.get("sandbox", "create-key")).toBeNull();

    const submitted = new FormDraft("sandbox", "create-key", BLANK, { store });
    submitted.fields.name = "Orders";
    submitted.complete();
    submitted.keep();
    expect(store.get("sandbox", "create-key")).toBeNull();
  });

  it("restores the other fields but never a secret one", () => {
    const store = new DraftStore();
    const original = { headers: "Authorization: Bearer bb_test_…9f3c", body: "{}" };
    const form = new FormDraft("sandbox", "replay:cap_1", original, { store, secret: ["headers"] });
    form.fields.headers = "Authorization: Bearer bb_test_realSECRETrealSECRET9f3c";
    form.fields.body = '{"edited": true}';
    form.keep();
    const again = new FormDraft("sandbox", "replay:cap_1", original, { store, secret: ["headers"] });
    expect(again.fields).toEqual({ headers: original.headers, body: '{"edited": true}' });
  });
});
