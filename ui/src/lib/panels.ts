// The console's panels in sidebar order. The id doubles as the data-testid suffix
// (`nav-<id>`, `panel-<id>`) that the end-to-end tests drive.

import type { IconName } from "./icons";

export type PanelId =
  | "dashboard"
  | "api-keys"
  | "rate-limits"
  | "webhooks"
  | "inspector"
  | "try-it"
  | "usage"
  | "sdks"
  | "settings";

export interface PanelMeta {
  id: PanelId;
  title: string;
  icon: IconName;
  /** One sentence on what the panel is for; planned panels show it as their whole body. */
  summary: string;
}

export const PANELS: readonly PanelMeta[] = [
  {
    id: "dashboard",
    title: "Dashboard",
    icon: "dashboard",
    summary: "Keys, webhook endpoints, call volume and error rate for the active environment.",
  },
  {
    id: "api-keys",
    title: "API Keys",
    icon: "key",
    summary:
      "Create least-privilege keys with scopes, see each secret exactly once, rotate with zero downtime and revoke.",
  },
  {
    id: "rate-limits",
    title: "Rate Limits",
    icon: "gauge",
    summary:
      "See your plan's per-key and per-organisation limits, live consumption against them and the most recent 429 responses.",
  },
  {
    id: "webhooks",
    title: "Webhooks",
    icon: "webhook",
    summary:
      "Manage endpoints, event types and signing secrets, follow every delivery attempt, resend failures and simulate events.",
  },
  {
    id: "inspector",
    title: "Inspector",
    icon: "inspector",
    summary:
      "Receive webhook deliveries through a local tunnel, verify their signatures, forward them to localhost and replay any of them.",
  },
  {
    id: "try-it",
    title: "Try It",
    icon: "terminal",
    summary:
      "Build any v1 request from the OpenAPI catalog, send it, read the full response and copy it as ready-to-run code.",
  },
  {
    id: "usage",
    title: "Usage",
    icon: "chart",
    summary:
      "Chart call volume by endpoint and key, errors, latency and rate-limit hits from a local cache that works offline.",
  },
  {
    id: "sdks",
    title: "SDKs",
    icon: "download",
    summary:
      "Install BotBat's SDK for Node.js, Python, PHP or Java, and copy a first request in each language for the active target.",
  },
  {
    id: "settings",
    title: "Settings",
    icon: "settings",
    summary: "Base URLs and management keys for each environment, and display preferences.",
  },
];

export function panelMeta(id: PanelId): PanelMeta {
  const meta = PANELS.find((p) => p.id === id);
  if (!meta) throw new Error(`unknown panel ${id}`);
  return meta;
}
