// Inline stroke icons (24x24 grid). Drawn here rather than fetched: the CSP allows
// nothing from the network, and a handful of paths is lighter than an icon font.

export type IconName =
  | "dashboard"
  | "key"
  | "gauge"
  | "webhook"
  | "inspector"
  | "terminal"
  | "chart"
  | "settings"
  | "refresh"
  | "rotate"
  | "alert"
  | "check"
  | "lock"
  | "plug"
  | "plus"
  | "copy"
  | "shield"
  | "ban"
  | "zap"
  | "send"
  | "trash"
  | "edit"
  | "download"
  | "play"
  | "stop"
  | "chevron"
  | "info"
  | "back";

export const ICON_PATHS: Record<IconName, string[]> = {
  dashboard: ["M4 4h7v7H4z", "M13 4h7v4h-7z", "M13 10h7v10h-7z", "M4 13h7v7H4z"],
  key: ["M14.5 9.5a4.5 4.5 0 1 1-9 0 4.5 4.5 0 0 1 9 0z", "M13.2 12.7 20 19.5", "M17 16.5l2-2", "M15 14.5l1.5-1.5"],
  gauge: ["M4.5 17a8.5 8.5 0 1 1 15 0", "M12 13l4-4", "M12 13.01V13"],
  webhook: [
    "M9 16.5a3.5 3.5 0 1 1-3-5.9",
    "M10.2 7.3a3.5 3.5 0 1 1 5.4 3.7",
    "M15 16.5h-6",
    "M8.5 10.6 12 4.6",
    "M18 20a3.5 3.5 0 0 0 0-7l-3 3.5",
  ],
  inspector: ["M16.5 10.5a6 6 0 1 1-12 0 6 6 0 0 1 12 0z", "M15 15l5 5", "M8 10.5h5", "M10.5 8v5"],
  terminal: ["M3.5 5h17v14h-17z", "M7 10l3 2.5L7 15", "M12.5 15H17"],
  chart: ["M4 20h16", "M7 16v-5", "M11 16V7", "M15 16v-3", "M19 16V9"],
  settings: ["M4 7h9", "M17 7h3", "M15 5v4", "M4 17h3", "M11 17h9", "M9 15v4", "M4 12h11", "M19 12h1", "M17 10v4"],
  refresh: ["M19.5 12a7.5 7.5 0 1 1-2.2-5.3", "M19.5 4.5v4h-4"],
  rotate: ["M4.5 11a7.5 7.5 0 0 1 13.3-3.8", "M18.5 3.5v4h-4", "M19.5 13a7.5 7.5 0 0 1-13.3 3.8", "M5.5 20.5v-4h4"],
  alert: ["M12 4 2.8 19.5h18.4z", "M12 10v4.5", "M12 17.2v.1"],
  check: ["M5 12.5l4.5 4.5L19 7.5"],
  lock: ["M6 11h12v9H6z", "M8.5 11V8a3.5 3.5 0 0 1 7 0v3"],
  plug: ["M9 3v5", "M15 3v5", "M6.5 8h11v3.5a5.5 5.5 0 0 1-11 0z", "M12 17v4"],
  plus: ["M12 5v14", "M5 12h14"],
  copy: ["M9 9h11v11H9z", "M5 15H4V4h11v1"],
  shield: ["M12 3.5 19 6v5.5c0 4.3-3 7.7-7 9-4-1.3-7-4.7-7-9V6z", "M9 12l2.2 2.2L15.5 10"],
  ban: ["M19 12a7 7 0 1 1-14 0 7 7 0 0 1 14 0z", "M7 17 17 7"],
  zap: ["M13 3 5 13.5h6L10 21l8-10.5h-6z"],
  send: ["M4 12 20 4l-5 16-3.5-6.5z", "M11.5 13.5 20 4"],
  trash: ["M4.5 7h15", "M9.5 7V4.5h5V7", "M6.5 7l1 13h9l1-13", "M10.5 11v5.5", "M13.5 11v5.5"],
  edit: ["M4 20h4L19 9l-4-4L4 16z", "M13.5 6.5l4 4"],
  download: ["M12 4v11", "M7.5 10.5 12 15l4.5-4.5", "M5 19.5h14"],
  play: ["M7 5v14l11-7z"],
  stop: ["M6.5 6.5h11v11h-11z"],
  chevron: ["M9 6l6 6-6 6"],
  info: ["M20 12a8 8 0 1 1-16 0 8 8 0 0 1 16 0z", "M12 11v5", "M12 8v.01"],
  back: ["M15 6l-6 6 6 6"],
};
