// Display formatting shared by the panels. Figures use one fixed grouping style so a
// number reads the same on every machine and in screenshots. Instants are formatted by
// time.svelte.ts, the one place that knows the displayed zone.

import type { Environment } from "./bindings/Environment";
import { formatDate } from "./time.svelte";

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

export function environmentLabel(environment: Environment): string {
  return environment === "production" ? "Production" : "Sandbox";
}

export function planLabel(plan: string): string {
  if (plan === "") return "Unknown plan";
  return plan.charAt(0).toUpperCase() + plan.slice(1);
}

/**
 * "3 min ago", "in 2 h", "just now": how far an instant is from `now` (ms since the epoch),
 * rounded down to one unit. Beyond 30 days the date itself reads better.
 */
export function relativeTime(rfc3339: string, now: number): string {
  const then = new Date(rfc3339).getTime();
  if (Number.isNaN(then)) return rfc3339;
  const seconds = Math.round((then - now) / 1000);
  const future = seconds > 0;
  const abs = Math.abs(seconds);
  if (abs < 45) return future ? "in a few seconds" : "just now";
  const units: Array<[number, string]> = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "min"],
  ];
  for (const [size, unit] of units) {
    if (abs >= size || unit === "min") {
      const amount = Math.max(1, Math.floor(abs / size));
      if (unit === "d" && amount > 30) break;
      return future ? `in ${amount} ${unit}` : `${amount} ${unit} ago`;
    }
  }
  return formatDate(new Date(then));
}

/** Whole seconds from `now` until an instant, never negative. */
export function secondsUntil(rfc3339: string, now: number): number {
  const then = new Date(rfc3339).getTime();
  if (Number.isNaN(then)) return 0;
  return Math.max(0, Math.ceil((then - now) / 1000));
}

/** 3600 -> "1 hour", 604800 -> "7 days", 0 -> "none". */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "none";
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, "day", "days");
  if (seconds % 3_600 === 0) return plural(seconds / 3_600, "hour", "hours");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute", "minutes");
  return plural(seconds, "second", "seconds");
}
