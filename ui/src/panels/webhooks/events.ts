// Event types as people pick them: by group, in the order the platform's docs list them,
// with what each one means. The catalog comes from the platform (`event_types`); the
// order and labels here only arrange it.

import type { Delivery } from "../../lib/bindings/Delivery";
import type { DeliveryAttempt } from "../../lib/bindings/DeliveryAttempt";
import type { EventTypeInfo } from "../../lib/bindings/EventTypeInfo";
import type { Webhook } from "../../lib/bindings/Webhook";

/** The wildcard subscription: every event type, present and future. */
export const ALL_EVENTS = "*";

const GROUP_ORDER = [
  "messages",
  "contacts",
  "campaigns",
  "conversations",
  "templates",
  "imports",
  "rate limits",
  "webhooks",
];

export interface EventGroup {
  group: string;
  label: string;
  types: EventTypeInfo[];
}

export function groupLabel(group: string): string {
  return group.charAt(0).toUpperCase() + group.slice(1);
}

/** The catalog in groups, known groups first in the docs' order, types sorted within. */
export function groupEventTypes(types: readonly EventTypeInfo[]): EventGroup[] {
  const groups = new Map<string, EventTypeInfo[]>();
  for (const info of types) {
    const list = groups.get(info.group) ?? [];
    list.push(info);
    groups.set(info.group, list);
  }
  const rank = (group: string): number => {
    const index = GROUP_ORDER.indexOf(group);
    return index === -1 ? GROUP_ORDER.length : index;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([group, list]) => ({
      group,
      label: groupLabel(group),
      types: [...list].sort((a, b) => a.type.localeCompare(b.type)),
    }));
}

/** Whether an endpoint receives events of `type`. */
export function subscribes(webhook: Webhook, type: string): boolean {
  return webhook.enabled && (webhook.event_types.includes(ALL_EVENTS) || webhook.event_types.includes(type));
}

/** The example payload of a type, as the simulator's editor starts it. */
export function examplePayload(info: EventTypeInfo | undefined): string {
  return JSON.stringify(info?.example ?? {}, null, 2);
}

/** Parses the simulator's editor: an object, or a message saying what is wrong. */
export function parsePayload(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, error: "The payload must be a JSON object, like the example: { \"field\": value, … }." };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The last attempt of a delivery, if one was made. */
export function lastAttempt(delivery: Delivery): DeliveryAttempt | null {
  return delivery.attempts.length > 0 ? delivery.attempts[delivery.attempts.length - 1] : null;
}

export function triggerLabel(attempt: DeliveryAttempt): string {
  switch (attempt.trigger) {
    case "event":
      return "first attempt";
    case "retry":
      return "retry";
    case "resend":
      return "manual resend";
  }
}

/** `2xx` answers read as success; everything else (or no answer) as failure. */
export function attemptOk(attempt: DeliveryAttempt | null): boolean {
  const status = attempt?.response_status ?? null;
  return status !== null && status >= 200 && status < 300;
}

/** The value for an `<input type="datetime-local">`, in local time, minutes precision. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an RFC 3339 instant; null when it does not parse. */
export function fromLocalInput(value: string): string | null {
  if (value.trim() === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An endpoint's subscriptions as chips: the wildcard reads as "every event". */
export function subscriptionLabels(types: string[]): string[] {
  return types.includes(ALL_EVENTS) ? ["every event"] : types;
}
