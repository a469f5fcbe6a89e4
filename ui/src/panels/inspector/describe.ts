// Plain words for what the inspector knows: a signature verdict, the tunnel's state, a
// forward result. The panel shows these; tests pin them, because "why does my signature
// fail" is the question the inspector exists to answer.

import type { CaptureSummary } from "../../lib/bindings/CaptureSummary";
import type { ForwardResult } from "../../lib/bindings/ForwardResult";
import type { Scheme } from "../../lib/bindings/Scheme";
import type { TunnelStatus } from "../../lib/bindings/TunnelStatus";
import type { Verdict } from "../../lib/bindings/Verdict";
import { secondsUntil } from "../../lib/format";
import { formatTime } from "../../lib/time.svelte";

export type Tone = "good" | "bad" | "neutral" | "busy";

export function schemeLabel(scheme: Scheme): string {
  switch (scheme) {
    case "standard":
      return "Standard Webhooks";
    case "stripe":
      return "Stripe-style";
    case "botbiz":
      return "Botbiz";
    case "botmaker":
      return "Botmaker token";
    case "meta":
      return "Meta X-Hub-Signature-256";
  }
}

export interface VerdictView {
  tone: Tone;
  /** One short line: "Valid signature", "Timestamp 3600 s in the past". */
  headline: string;
  /** The backend's diagnosis, one or two sentences. */
  detail: string;
  /** Which secret matched, when one did (also on some failures). */
  matched: string | null;
}

function seconds(value: number): string {
  return `${Math.abs(value).toLocaleString("en-US")} s`;
}

export function describeVerdict(verdict: Verdict | null): VerdictView {
  if (verdict === null) {
    return {
      tone: "neutral",
      headline: "Unsigned",
      detail:
        "No signature header of a known scheme (Standard Webhooks, Stripe-style, Botbiz, Botmaker, Meta): nothing to verify.",
      matched: null,
    };
  }
  const scheme = schemeLabel(verdict.scheme);
  const base = { detail: verdict.detail, matched: verdict.matched };
  if (verdict.valid || verdict.problem === null) {
    return { ...base, tone: "good", headline: `Valid ${scheme} signature` };
  }
  const problem = verdict.problem;
  switch (problem.kind) {
    case "missing_header":
      return { ...base, tone: "bad", headline: `Header ${problem.header} is missing` };
    case "malformed_header":
      return { ...base, tone: "bad", headline: `Header ${problem.header} is malformed` };
    case "no_secret":
      return { ...base, tone: "neutral", headline: "No secret to check against" };
    case "other_environment":
      return { ...base, tone: "bad", headline: `Signed with a ${problem.environment} secret` };
    case "reserialized_body":
      return { ...base, tone: "bad", headline: "Signed over a re-serialized body" };
    case "no_match":
      return { ...base, tone: "bad", headline: "Signature does not match" };
    case "timestamp_outside_tolerance":
      return {
        ...base,
        tone: "bad",
        headline: `Timestamp ${seconds(problem.offset_seconds)} in the ${problem.direction}, ${seconds(problem.beyond_seconds)} outside the ${seconds(problem.tolerance_seconds)} tolerance`,
      };
  }
}

/** The list's short verdict label. */
export function verdictBadge(summary: CaptureSummary): { tone: Tone; label: string } {
  if (summary.signature_valid === null) return { tone: "neutral", label: "unsigned" };
  return summary.signature_valid ? { tone: "good", label: "valid" } : { tone: "bad", label: "invalid" };
}

/** What the sender was answered / what the target said, for the list. */
export function forwardBadge(summary: CaptureSummary): { tone: Tone; label: string; title: string } {
  if (summary.forward_status !== null) {
    const ok = summary.forward_status >= 200 && summary.forward_status < 300;
    return {
      tone: ok ? "good" : "bad",
      label: `→ ${summary.forward_status}`,
      title: `Forwarded; your server answered ${summary.forward_status}`,
    };
  }
  if (summary.forward_error !== null) {
    return { tone: "bad", label: "→ error", title: `Forward failed: ${summary.forward_error}` };
  }
  if (summary.response_status !== null) {
    const ok = summary.response_status >= 200 && summary.response_status < 300;
    return {
      tone: ok ? "neutral" : "bad",
      label: `${summary.response_status}`,
      title: summary.note ?? `Not forwarded; the inspector answered ${summary.response_status} itself`,
    };
  }
  return { tone: "neutral", label: "—", title: "Not forwarded" };
}

export function forwardOk(result: ForwardResult | null): boolean {
  return result !== null && result.status !== null && result.status >= 200 && result.status < 300;
}

export function replayLabel(result: ForwardResult): string {
  switch (result.replay) {
    case "as_captured":
      return "Replay";
    case "edited":
      return "Edited replay";
    case "resigned":
      return "Re-signed replay";
    case null:
      return "Forward";
  }
}

export interface TunnelView {
  tone: Tone;
  /** "Connected", "Reconnecting", … */
  label: string;
  /** The always-visible line: since when, retry in N s and why, heartbeat age. */
  detail: string;
  /** Whether Disconnect (rather than Connect) applies. */
  active: boolean;
}

function age(iso: string, now: number): string {
  const elapsed = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (elapsed < 60) return `${elapsed} s ago`;
  if (elapsed < 3600) return `${Math.floor(elapsed / 60)} min ago`;
  return `${Math.floor(elapsed / 3600)} h ago`;
}

export function describeTunnel(status: TunnelStatus, now: number): TunnelView {
  const state = status.state;
  const heartbeat = status.last_heartbeat ? `last heartbeat ${age(status.last_heartbeat, now)}` : "no heartbeat yet";
  switch (state.state) {
    case "disconnected":
      return {
        tone: "neutral",
        label: "Disconnected",
        detail: status.last_event_id
          ? `Not listening. Reconnecting resumes after ${status.last_event_id}, so nothing is missed.`
          : "Not listening to the platform's events.",
        active: false,
      };
    case "connecting":
      return {
        tone: "busy",
        label: "Connecting",
        detail: state.attempt > 1 ? `Attempt ${state.attempt}…` : "Opening the listen connection…",
        active: true,
      };
    case "connected": {
      const resumed = state.resumed_after ? ` · resumed after ${state.resumed_after}` : "";
      const events = `${status.events_received.toLocaleString("en-US")} event${status.events_received === 1 ? "" : "s"}`;
      return {
        tone: "good",
        label: "Connected",
        detail: `since ${formatTime(state.since)} · ${heartbeat} · ${events}${resumed}`,
        active: true,
      };
    }
    case "reconnecting":
      return {
        tone: "bad",
        label: "Reconnecting",
        detail: `in ${secondsUntil(state.retry_at, now)} s (attempt ${state.attempt}): ${state.error}`,
        active: true,
      };
    case "stale":
      return {
        tone: "bad",
        label: "Stale",
        detail: `no event or heartbeat since ${formatTime(state.since)} (${age(state.since, now)}); reconnecting`,
        active: true,
      };
  }
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Parses "Name: value" lines (the edit-and-replay editor) into header pairs. */
export function parseHeaders(text: string): { ok: true; headers: [string, string][] } | { ok: false; error: string } {
  const headers: [string, string][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { ok: false, error: `Line ${i + 1} is not "Name: value": ${line}` };
    const name = line.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      return { ok: false, error: `Line ${i + 1}: "${name}" is not a valid header name` };
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { ok: true, headers };
}

export function formatHeaders(headers: readonly (readonly [string, string])[]): string {
  return headers.map(([name, value]) => `${name}: ${value}`).join("\n");
}
