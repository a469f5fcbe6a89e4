// Pure helpers of the Try It panel: building a request from an operation, searching the
// catalog, and naming statuses and sizes. No state, so they are easy to test.

import type { FieldIssue } from "../../lib/bindings/FieldIssue";
import type { TryCatalog } from "../../lib/bindings/TryCatalog";
import type { TryCredential } from "../../lib/bindings/TryCredential";
import type { TryModule } from "../../lib/bindings/TryModule";
import type { TryOperation } from "../../lib/bindings/TryOperation";
import type { TryRequest } from "../../lib/bindings/TryRequest";

export const MANAGEMENT = "management";

/** A fresh request for `operation`: every documented parameter present (empty means "not
 *  sent"), the JSON body started from the schema's example. */
export function newRequest(operation: TryOperation, credential: string): TryRequest {
  const params = (location: string) =>
    operation.parameters.filter((p) => p.location === location).map((p) => ({ name: p.name, value: "" }));
  const json = operation.body !== null && !operation.body.content_type.startsWith("multipart/");
  return {
    operation_id: operation.id,
    method: operation.method,
    path: operation.path,
    path_params: params("path"),
    query: params("query"),
    headers: [],
    body: json ? (operation.body?.example ?? "") : null,
    form: [],
    credential,
  };
}

/** Fills `request` with a previous one's values (history, a pasted cURL), keeping the
 *  documented parameters listed. */
export function mergeRequest(operation: TryOperation | null, loaded: TryRequest): TryRequest {
  if (operation === null) return { ...loaded };
  const base = newRequest(operation, loaded.credential);
  const fill = (documented: { name: string; value: string }[], given: { name: string; value: string }[]) => {
    const out = documented.map((p) => ({ ...p, value: given.find((g) => g.name === p.name)?.value ?? "" }));
    for (const extra of given) if (!out.some((p) => p.name === extra.name)) out.push({ ...extra });
    return out;
  };
  return {
    ...loaded,
    path_params: fill(base.path_params, loaded.path_params),
    query: fill(base.query, loaded.query),
  };
}

export function allOperations(catalog: TryCatalog | null): TryOperation[] {
  return catalog === null ? [] : catalog.modules.flatMap((m) => m.operations);
}

/** Modules with only the operations matching every word of `query` (path, summary, scope,
 *  method, id). */
export function searchCatalog(catalog: TryCatalog | null, query: string): TryModule[] {
  if (catalog === null) return [];
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return catalog.modules;
  return catalog.modules
    .map((module) => ({
      ...module,
      operations: module.operations.filter((op) => {
        const hay = `${op.method} ${op.path} ${op.summary} ${op.scope ?? "public"} ${op.id} ${module.name}`.toLowerCase();
        return words.every((w) => hay.includes(w));
      }),
    }))
    .filter((m) => m.operations.length > 0);
}

/** The scope `operation` needs that `credential` lacks, if any. */
export function missingScope(operation: TryOperation | null, credential: TryCredential | null): string | null {
  if (operation === null || credential === null || operation.scope === null) return null;
  return credential.scopes.includes(operation.scope as TryCredential["scopes"][number]) ? null : operation.scope;
}

export function issuesFor(issues: FieldIssue[], field: string): FieldIssue[] {
  return issues.filter((i) => i.field === field || i.field.startsWith(`${field}.`) || i.field.startsWith(`${field}[`));
}

/** Issues about the JSON body's fields (not path, query or header). */
export function bodyIssues(issues: FieldIssue[]): FieldIssue[] {
  return issues.filter((i) => !/^(path|query|header)\./.test(i.field));
}

export type Tone = "ok" | "redirect" | "client" | "limited" | "server" | "none";

export function statusTone(status: number): Tone {
  if (status >= 200 && status < 300) return "ok";
  if (status >= 300 && status < 400) return "redirect";
  if (status === 429) return "limited";
  if (status >= 400 && status < 500) return "client";
  if (status >= 500) return "server";
  return "none";
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The rate-limit and request-id headers, which the response view picks out. */
export const NOTABLE_HEADERS = [
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-scope",
  "retry-after",
];

/** The string fields of a JSON body that WhatsApp formats: a message's `body`. */
export function messageText(operation: TryOperation | null, body: string | null): string | null {
  if (operation === null || body === null || operation.body === null) return null;
  if (operation.id === "send_messages") return botmakerText(body);
  if (!operation.body.fields.some((f) => f.name === "body")) return null;
  try {
    const value = JSON.parse(body) as unknown;
    if (typeof value === "object" && value !== null && "body" in value) {
      const text = (value as { body: unknown }).body;
      return typeof text === "string" ? text : null;
    }
  } catch {
    return null;
  }
  return null;
}

/** The texts of a Botmaker send-messages body (`messages[].text`), one per line, or null. */
export function botmakerText(body: string): string | null {
  try {
    const value = JSON.parse(body) as { messages?: unknown };
    if (!Array.isArray(value.messages)) return null;
    const texts = value.messages
      .map((m: unknown) => (typeof m === "object" && m !== null ? (m as { text?: unknown }).text : undefined))
      .filter((t): t is string => typeof t === "string");
    return texts.length > 0 ? texts.join("\n") : null;
  } catch {
    return null;
  }
}
