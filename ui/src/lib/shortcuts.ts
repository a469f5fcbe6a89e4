// The window's keyboard shortcuts, decided here as data so they are tested without a
// window and listed once (the `?` list reads SHORTCUTS). While the user types in a field or
// an editor only the palette's shortcut acts (Escape belongs to whatever has focus), so
// typing `/` or `?` into a body never leaves the field.

import { PANELS, type PanelId } from "./panels";

export type ShortcutAction =
  | { kind: "palette" }
  | { kind: "panel"; panel: PanelId }
  | { kind: "search" }
  | { kind: "help" };

export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function isMac(): boolean {
  return typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);
}

/** Whether keys typed at `target` are text: a text field, a select, an editor. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest("[contenteditable=''], [contenteditable='true'], .cm-editor")) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color", "file"].includes(target.type);
  }
  return false;
}

/** The action a key press stands for, or null. `mac` makes ⌘ the modifier instead of Ctrl. */
export function shortcutFor(event: KeyLike, typing: boolean, mac: boolean): ShortcutAction | null {
  if (event.altKey) return null;
  const mod = mac ? event.metaKey : event.ctrlKey;
  const other = mac ? event.ctrlKey : event.metaKey;
  if (other) return null;
  if (mod && !event.shiftKey && (event.key.toLowerCase() === "k" || event.code === "KeyK")) return { kind: "palette" };
  if (typing) return null;
  if (mod) {
    // By code too, so layouts that need Shift for digits (AZERTY) work.
    const digit = /^[1-9]$/.test(event.key) ? event.key : /^Digit([1-9])$/.exec(event.code)?.[1];
    if (digit !== undefined) return { kind: "panel", panel: PANELS[Number(digit) - 1].id };
    if (event.key === "," || event.code === "Comma") return { kind: "panel", panel: "settings" };
    return null;
  }
  if (event.key === "/") return { kind: "search" };
  if (event.key === "?") return { kind: "help" };
  return null;
}

export interface ShortcutHelp {
  keys: string[];
  action: string;
}

/** Every shortcut, as the `?` list shows it. */
export function shortcutList(mac: boolean): ShortcutHelp[] {
  const mod = mac ? "⌘" : "Ctrl";
  return [
    { keys: [mod, "K"], action: "Open the command palette: panels, operations, keys, endpoints, captures, history, and any pasted request or event id" },
    { keys: [mod, "1…9"], action: `Open a panel, in sidebar order (${PANELS.map((p) => p.title).join(", ")})` },
    { keys: [mod, ","], action: "Open Settings" },
    { keys: ["/"], action: "Search or filter in the current panel" },
    { keys: [mod, "Enter"], action: "Send the request in Try It" },
    { keys: ["Esc"], action: "Close the palette, this list or a dialog" },
    { keys: ["?"], action: "Show these shortcuts" },
  ];
}

/** Focuses the open panel's search or filter field; false when it has none. */
export function focusPanelSearch(root: ParentNode = document): boolean {
  const fields = root.querySelectorAll<HTMLInputElement>("main input[type='search']");
  for (const field of fields) {
    const hidden = typeof field.checkVisibility === "function" && !field.checkVisibility();
    if (field.disabled || hidden || field.closest("[aria-modal='true']") !== null) continue;
    field.focus();
    field.select();
    return true;
  }
  return false;
}
