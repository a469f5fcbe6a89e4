// Botbiz's X-RateLimit-* headers (limit, remaining, reset as Unix seconds) as the window the
// gauge draws: a per-minute window, used = limit - remaining.

import type { LimitWindow } from "../../lib/bindings/LimitWindow";
import type { TryRateLimit } from "../../lib/bindings/TryRateLimit";

export function gaugeWindow(rate: TryRateLimit | null): LimitWindow | null {
  if (rate === null) return null;
  const remaining = Math.min(rate.remaining, rate.limit);
  return {
    limit: rate.limit,
    window_seconds: 60,
    used: rate.limit - remaining,
    remaining,
    resets_at: new Date(rate.reset * 1000).toISOString(),
  };
}
