// What a key may do, grouped the way people think about it: per resource, none / read /
// write. A write scope is useless without reading what it writes, so choosing it brings the
// read scope along, and dropping the read scope drops the write one with it. Selections are
// kept in the platform's canonical order so two equal selections compare equal. The sandbox
// controls are a group of their own, offered only where they exist: in the sandbox.

import type { Environment } from "./bindings/Environment";
import type { Scope } from "./bindings/Scope";

export type Level = "none" | "read" | "write";

export interface Resource {
  id: string;
  label: string;
  /** The read scope, if the resource has one. */
  read: Scope | null;
  /** The write-like scope (write, send or manage), if the resource has one. */
  write: Scope | null;
  /** What the write level is called for this resource. */
  writeLabel: string;
  /** Only the sandbox has it: its controls act on every key's sandbox, not on data. */
  sandboxOnly?: boolean;
}

export const RESOURCES: readonly Resource[] = [
  { id: "contacts", label: "Contacts", read: "contacts:read", write: "contacts:write", writeLabel: "write" },
  { id: "messages", label: "Messages", read: "messages:read", write: "messages:send", writeLabel: "send" },
  { id: "campaigns", label: "Campaigns", read: "campaigns:read", write: "campaigns:write", writeLabel: "write" },
  {
    id: "conversations",
    label: "Conversations",
    read: "conversations:read",
    write: "conversations:write",
    writeLabel: "write",
  },
  { id: "templates", label: "Templates", read: "templates:read", write: "templates:write", writeLabel: "write" },
  { id: "webhooks", label: "Webhooks", read: "webhooks:read", write: "webhooks:manage", writeLabel: "manage" },
  { id: "usage", label: "Usage", read: "usage:read", write: null, writeLabel: "write" },
  { id: "keys", label: "Keys", read: null, write: "keys:manage", writeLabel: "manage" },
  {
    id: "sandbox",
    label: "Sandbox controls",
    read: null,
    write: "sandbox:manage",
    writeLabel: "manage",
    sandboxOnly: true,
  },
];

/** Every scope, in the order the platform lists them. */
export const ALL_SCOPES: readonly Scope[] = [
  "contacts:read",
  "contacts:write",
  "messages:read",
  "messages:send",
  "campaigns:read",
  "campaigns:write",
  "conversations:read",
  "conversations:write",
  "templates:read",
  "templates:write",
  "webhooks:read",
  "webhooks:manage",
  "usage:read",
  "keys:manage",
  "sandbox:manage",
];

/** Used until `list_scopes()` answers, or if it cannot. */
export const FALLBACK_DESCRIPTIONS: Record<Scope, string> = {
  "contacts:read": "List, fetch and search contacts.",
  "contacts:write": "Create, update, delete and import contacts.",
  "messages:read": "List messages and follow their delivery status.",
  "messages:send": "Send WhatsApp and SMS messages.",
  "campaigns:read": "List campaigns and read their results.",
  "campaigns:write": "Create, update, schedule and send campaigns.",
  "conversations:read": "List and read conversations.",
  "conversations:write": "Assign and resolve conversations.",
  "templates:read": "List message templates and their approval status.",
  "templates:write": "Create, edit and submit templates for approval.",
  "webhooks:read": "List webhook endpoints, deliveries and events.",
  "webhooks:manage": "Create, change and delete webhook endpoints, rotate signing secrets, resend deliveries.",
  "usage:read": "Read the metered request log and rate-limit consumption.",
  "keys:manage": "Create, rotate and revoke API keys.",
  "sandbox:manage":
    "Sandbox only: move the clock, inject faults, simulate events and inbound messages, generate usage history. These change the sandbox for every key.",
};

export interface Preset {
  id: string;
  label: string;
  scopes: readonly Scope[];
}

export const PRESETS: readonly Preset[] = [
  {
    id: "analytics",
    label: "Read-only analytics",
    scopes: ["usage:read", "contacts:read", "campaigns:read", "messages:read", "conversations:read"],
  },
  {
    id: "messaging",
    label: "Messaging",
    scopes: ["messages:send", "messages:read", "templates:read", "contacts:read"],
  },
  { id: "contacts-sync", label: "Contacts sync", scopes: ["contacts:read", "contacts:write"] },
  { id: "full-access", label: "Full access", scopes: ALL_SCOPES },
];

/** The resources a key can have in `environment`: the sandbox controls only in the sandbox. */
export function resourcesFor(environment: Environment): Resource[] {
  return RESOURCES.filter((r) => environment === "sandbox" || !r.sandboxOnly);
}

/** The scopes a key can have in `environment`, in canonical order. */
export function scopesFor(environment: Environment): Scope[] {
  const offered = new Set(resourcesFor(environment).flatMap((r) => [r.read, r.write]));
  return ALL_SCOPES.filter((s) => offered.has(s));
}

function rank(scope: Scope): number {
  return ALL_SCOPES.indexOf(scope);
}

/** Deduplicated, with every implied read scope added, in canonical order. */
export function normalize(scopes: Iterable<Scope>): Scope[] {
  const set = new Set<Scope>();
  for (const scope of scopes) {
    if (!ALL_SCOPES.includes(scope)) continue;
    set.add(scope);
    const implied = impliedRead(scope);
    if (implied) set.add(implied);
  }
  return [...set].sort((a, b) => rank(a) - rank(b));
}

export function resourceOf(scope: Scope): Resource | null {
  return RESOURCES.find((r) => r.read === scope || r.write === scope) ?? null;
}

/** The read scope a write scope brings along, if any. */
export function impliedRead(scope: Scope): Scope | null {
  const resource = resourceOf(scope);
  return resource && resource.write === scope ? resource.read : null;
}

export function levelOf(resource: Resource, scopes: readonly Scope[]): Level {
  if (resource.write !== null && scopes.includes(resource.write)) return "write";
  if (resource.read !== null && scopes.includes(resource.read)) return "read";
  return "none";
}

/** The levels a resource offers: Usage has no write, Keys has no read. */
export function levelsOf(resource: Resource): Level[] {
  const levels: Level[] = ["none"];
  if (resource.read !== null) levels.push("read");
  if (resource.write !== null) levels.push("write");
  return levels;
}

export function levelLabel(resource: Resource, level: Level): string {
  if (level === "write") return resource.writeLabel;
  return level;
}

/** The selection with `resource` set to `level`; write includes read. */
export function withLevel(scopes: readonly Scope[], resource: Resource, level: Level): Scope[] {
  const rest = scopes.filter((s) => s !== resource.read && s !== resource.write);
  if (level === "read" && resource.read !== null) rest.push(resource.read);
  if (level === "write" && resource.write !== null) rest.push(resource.write);
  return normalize(rest);
}

/** One checkbox: on adds the scope (and the read it implies); off on a read drops its write too. */
export function toggleScope(scopes: readonly Scope[], scope: Scope, on: boolean): Scope[] {
  if (on) return normalize([...scopes, scope]);
  const resource = resourceOf(scope);
  const dropWrite = resource !== null && resource.read === scope ? resource.write : null;
  return normalize(scopes.filter((s) => s !== scope && s !== dropWrite));
}

/** Whether `scopes` holds every scope of `offered` (by default, every scope there is). */
export function isAllScopes(scopes: readonly Scope[], offered: readonly Scope[] = ALL_SCOPES): boolean {
  return offered.every((s) => scopes.includes(s));
}

export function sameScopes(a: readonly Scope[], b: readonly Scope[]): boolean {
  const x = normalize(a);
  const y = normalize(b);
  return x.length === y.length && x.every((s, i) => s === y[i]);
}
