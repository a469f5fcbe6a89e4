// What the console knows of each platform a connection can target: its name and look, its
// default base URL and credential, and which panels it supports. For every panel a platform
// does not support, one sentence says why, and App shows that sentence instead of the panel.
// BotBat (no connection) supports every panel.

import type { Connection } from "./bindings/Connection";
import type { Platform } from "./bindings/Platform";
import type { PanelId } from "./panels";

export interface PlatformMeta {
  id: Platform;
  title: string;
  /** The production base URL a new connection starts from (editable, e.g. for a stand-in). */
  defaultBaseUrl: string;
  /** What the platform calls its credential, for labels. */
  credential: string;
  /** The panels that work against a connection of this platform. */
  supported: readonly PanelId[];
  /** Why each other panel does not, in one sentence. */
  unsupported: Partial<Record<PanelId, string>>;
}

export const PLATFORMS: readonly PlatformMeta[] = [
  {
    id: "botbiz",
    title: "Botbiz",
    defaultBaseUrl: "https://api.botbiz.io/v1",
    credential: "API key",
    supported: ["dashboard", "try-it", "rate-limits", "inspector", "sdks", "settings"],
    unsupported: {
      "api-keys":
        "Botbiz API keys are created and revoked in Botbiz's dashboard; the console uses the key saved with this connection in Settings.",
      webhooks:
        "Botbiz's API has no endpoints to manage webhooks: the webhook URL is set in Botbiz's dashboard, and the Inspector receives and verifies its signed deliveries.",
      usage:
        "Botbiz's API reports no usage history to chart; Rate Limits shows the per-minute budget live from the X-RateLimit headers of each answer.",
    },
  },
  {
    id: "botmaker",
    title: "Botmaker",
    defaultBaseUrl: "https://api.botmaker.com/v2.0",
    credential: "access token",
    supported: ["dashboard", "try-it", "webhooks", "inspector", "sdks", "settings"],
    unsupported: {
      "api-keys":
        "Botmaker access tokens are generated in Botmaker under Settings → Integrations → Botmaker API; the console uses the token saved with this connection in Settings.",
      "rate-limits":
        "Botmaker sends no rate-limit headers to draw a gauge from: it answers 429 when the per-second limit is exceeded, and Try It shows that answer.",
      usage:
        "Botmaker's API reports no usage history to chart; its conversation metrics are in Botmaker's own dashboard.",
    },
  },
];

export function platformMeta(platform: Platform): PlatformMeta {
  const meta = PLATFORMS.find((p) => p.id === platform);
  if (!meta) throw new Error(`unknown platform ${platform}`);
  return meta;
}

/** Why `panel` is not available for `connection`, or null when it is (always, for BotBat). */
export function unsupportedReason(connection: Connection | null, panel: PanelId): string | null {
  if (connection === null) return null;
  const meta = platformMeta(connection.platform);
  if (meta.supported.includes(panel)) return null;
  return meta.unsupported[panel] ?? `${meta.title} connections do not support this panel.`;
}

/** How a connection is named wherever the user picks or sees it: "Botbiz · Acme". */
export function connectionName(connection: Connection): string {
  return `${platformMeta(connection.platform).title} · ${connection.label}`;
}
