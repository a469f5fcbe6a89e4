import { describe, expect, it } from "vitest";
import type { Verdict } from "../../lib/bindings/Verdict";
import { summary } from "../../test/webhooks-fake";
import { describeTunnel, describeVerdict, forwardBadge, parseHeaders, verdictBadge } from "./describe";

function refused(problem: Verdict["problem"], matched: string | null = null): Verdict {
  return { scheme: "standard", valid: false, matched, problem, detail: "The backend's diagnosis.", skew_seconds: null };
}

describe("signature verdicts in plain words", () => {
  it("names the secret that matched", () => {
    const view = describeVerdict({
      scheme: "stripe",
      valid: true,
      matched: "we_1 (previous)",
      problem: null,
      detail: "Valid.",
      skew_seconds: 2,
    });
    expect(view).toEqual({ tone: "good", headline: "Valid Stripe-style signature", detail: "Valid.", matched: "we_1 (previous)" });
  });

  it("says exactly why a signature fails", () => {
    const headline = (v: Verdict) => describeVerdict(v).headline;
    expect(headline(refused({ kind: "missing_header", header: "webhook-signature" }))).toBe("Header webhook-signature is missing");
    expect(headline(refused({ kind: "malformed_header", header: "webhook-timestamp", reason: "not a number" }))).toBe(
      "Header webhook-timestamp is malformed",
    );
    expect(headline(refused({ kind: "other_environment", candidate: "we_9", environment: "production" }))).toBe(
      "Signed with a production secret",
    );
    expect(headline(refused({ kind: "reserialized_body", candidate: "we_9", form: "pretty" }))).toBe(
      "Signed over a re-serialized body",
    );
    expect(headline(refused({ kind: "no_match" }))).toBe("Signature does not match");
    expect(
      headline(
        refused({
          kind: "timestamp_outside_tolerance",
          direction: "future",
          offset_seconds: 420,
          beyond_seconds: 120,
          tolerance_seconds: 300,
        }),
      ),
    ).toBe("Timestamp 420 s in the future, 120 s outside the 300 s tolerance");
    expect(describeVerdict(refused({ kind: "no_secret" })).tone).toBe("neutral");
    expect(describeVerdict(null)).toMatchObject({ tone: "neutral", headline: "Unsigned" });
  });
});

describe("list badges", () => {
  it("reads the verdict and what the server answered", () => {
    expect(verdictBadge(summary(1))).toEqual({ tone: "good", label: "valid" });
    expect(verdictBadge(summary(1, { signature_valid: false }))).toEqual({ tone: "bad", label: "invalid" });
    expect(verdictBadge(summary(1, { signature_valid: null }))).toEqual({ tone: "neutral", label: "unsigned" });
    expect(forwardBadge(summary(1, { forward_status: 404 }))).toMatchObject({ tone: "bad", label: "→ 404" });
    expect(forwardBadge(summary(1, { forward_status: null, forward_error: "cannot connect" }))).toMatchObject({
      tone: "bad",
      label: "→ error",
    });
    expect(
      forwardBadge(summary(1, { forward_status: null, response_status: 413, note: "Body refused: more than 5 MiB." })),
    ).toEqual({ tone: "bad", label: "413", title: "Body refused: more than 5 MiB." });
  });
});

describe("tunnel state", () => {
  const now = Date.parse("2025-01-15T10:00:30Z");

  it("shows heartbeat age and events while connected", () => {
    const view = describeTunnel(
      {
        state: { state: "connected", since: "2025-01-15T09:58:00Z", last_heartbeat: "2025-01-15T10:00:25Z", resumed_after: null },
        last_event_id: null,
        events_received: 1,
        last_heartbeat: "2025-01-15T10:00:25Z",
      },
      now,
    );
    expect(view.tone).toBe("good");
    expect(view.detail).toMatch(/^since \d\d:\d\d:\d\d( [AP]M)? · last heartbeat 5 s ago · 1 event$/);
  });

  it("counts down to the next try and says why", () => {
    const view = describeTunnel(
      {
        state: { state: "reconnecting", attempt: 2, retry_at: "2025-01-15T10:00:34Z", error: "refused" },
        last_event_id: "evt_3",
        events_received: 3,
        last_heartbeat: null,
      },
      now,
    );
    expect(view).toMatchObject({ tone: "bad", label: "Reconnecting", detail: "in 4 s (attempt 2): refused", active: true });
  });

  it("promises a resume when disconnected after events", () => {
    const view = describeTunnel(
      { state: { state: "disconnected" }, last_event_id: "evt_3", events_received: 3, last_heartbeat: null },
      now,
    );
    expect(view.active).toBe(false);
    expect(view.detail).toContain("resumes after evt_3");
  });
});

describe("helpers", () => {
  it("parses edited headers and points at a bad line", () => {
    expect(parseHeaders("content-type: application/json\n\nx-a:  b ")).toEqual({
      ok: true,
      headers: [
        ["content-type", "application/json"],
        ["x-a", "b"],
      ],
    });
    expect(parseHeaders("ok: 1\nno colon here")).toEqual({ ok: false, error: 'Line 2 is not "Name: value": no colon here' });
    expect(parseHeaders("bad name: 1").ok).toBe(false);
  });
});
