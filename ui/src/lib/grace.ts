// How long the old credential keeps working after a rotation. The platform offers the same
// four periods for an API key's grace and a signing secret's overlap (none, 1 h, 24 h, 7 d),
// so the console picks them with one type, `SecretOverlap` from botbat-api. The two
// commands still take different wire forms (a key's grace in whole seconds, a secret's
// overlap as "1h"); a dialog converts at the call, with `graceSeconds`.

import type { SecretOverlap } from "./bindings/SecretOverlap";

export type Grace = SecretOverlap;

/** Every period in the order a picker offers them, with the label a user reads. */
export const GRACES: readonly { value: Grace; label: string; seconds: number }[] = [
  { value: "0", label: "None", seconds: 0 },
  { value: "1h", label: "1 hour", seconds: 3_600 },
  { value: "24h", label: "24 hours", seconds: 86_400 },
  { value: "7d", label: "7 days", seconds: 604_800 },
];

/** What a rotation dialog starts with: a working day. */
export const DEFAULT_GRACE: Grace = "24h";

function entry(grace: Grace): (typeof GRACES)[number] {
  const found = GRACES.find((g) => g.value === grace);
  if (found === undefined) throw new Error(`unknown grace period ${JSON.stringify(grace)}`);
  return found;
}

/** The period in whole seconds, as `rotate_api_key` takes it. */
export function graceSeconds(grace: Grace): number {
  return entry(grace).seconds;
}

/** "1 hour", "None", … */
export function graceLabel(grace: Grace): string {
  return entry(grace).label;
}
