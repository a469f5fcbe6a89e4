// Display formatting shared by the panels. Figures use one fixed grouping style so a
// number reads the same on every machine and in screenshots.

import type { Environment } from "./bindings/Environment";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return integer.format(value);
}

/** `0.0251` -> `2.5%`: a ratio in 0..1 shown as a percentage with one decimal. */
export function formatPercent(ratio: number): string {
  const clamped = Number.isFinite(ratio) ? Math.min(Math.max(ratio, 0), 1) : 0;
  return `${(clamped * 100).toFixed(1)}%`;
}

export function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** Local wall-clock time of an RFC 3339 instant; the raw string if it does not parse. */
export function formatTime(rfc3339: string): string {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function environmentLabel(environment: Environment): string {
  return environment === "production" ? "Production" : "Sandbox";
}

export function planLabel(plan: string): string {
  if (plan === "") return "Unknown plan";
  return plan.charAt(0).toUpperCase() + plan.slice(1);
}
