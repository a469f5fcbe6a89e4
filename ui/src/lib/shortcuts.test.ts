import { describe, expect, it } from "vitest";
import { isTyping, shortcutFor, shortcutList, type KeyLike } from "./shortcuts";

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  const code = /^[0-9]$/.test(k) ? `Digit${k}` : k.length === 1 ? `Key${k.toUpperCase()}` : k;
  return { key: k, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe("shortcutFor", () => {
  it("opens the palette with Ctrl+K, and with ⌘K on macOS only", () => {
    expect(shortcutFor(key("k", { ctrlKey: true }), false, false)).toEqual({ kind: "palette" });
    expect(shortcutFor(key("k", { metaKey: true }), false, true)).toEqual({ kind: "palette" });
    expect(shortcutFor(key("k", { ctrlKey: true }), false, true)).toBeNull();
    expect(shortcutFor(key("k"), false, false)).toBeNull();
  });

  it("opens the palette even while typing, and nothing else does", () => {
    expect(shortcutFor(key("k", { ctrlKey: true }), true, false)).toEqual({ kind: "palette" });
    expect(shortcutFor(key("1", { ctrlKey: true }), true, false)).toBeNull();
    expect(shortcutFor(key("/"), true, false)).toBeNull();
    expect(shortcutFor(key("?", { shiftKey: true }), true, false)).toBeNull();
    expect(shortcutFor(key(",", { ctrlKey: true, code: "Comma" }), true, false)).toBeNull();
  });

  it("maps Ctrl+1…9 to the panels in sidebar order, by key or by code", () => {
    expect(shortcutFor(key("1", { ctrlKey: true }), false, false)).toEqual({ kind: "panel", panel: "dashboard" });
    expect(shortcutFor(key("6", { ctrlKey: true }), false, false)).toEqual({ kind: "panel", panel: "try-it" });
    expect(shortcutFor(key("8", { ctrlKey: true }), false, false)).toEqual({ kind: "panel", panel: "sdks" });
    expect(shortcutFor(key("9", { ctrlKey: true }), false, false)).toEqual({ kind: "panel", panel: "settings" });
    // AZERTY: Shift+& is the 1 key.
    expect(shortcutFor({ ...key("&", { ctrlKey: true, shiftKey: true }), code: "Digit1" }, false, false)).toEqual({
      kind: "panel",
      panel: "dashboard",
    });
    expect(shortcutFor(key("0", { ctrlKey: true }), false, false)).toBeNull();
    expect(shortcutFor(key("1"), false, false)).toBeNull();
  });

  it("opens Settings with Ctrl+, and answers / and ? without a modifier", () => {
    expect(shortcutFor(key(",", { ctrlKey: true, code: "Comma" }), false, false)).toEqual({ kind: "panel", panel: "settings" });
    expect(shortcutFor(key("/"), false, false)).toEqual({ kind: "search" });
    expect(shortcutFor(key("?", { shiftKey: true }), false, false)).toEqual({ kind: "help" });
    expect(shortcutFor(key("/", { altKey: true }), false, false)).toBeNull();
  });

  it("lists Ctrl+Enter and every shortcut it acts on", () => {
    const actions = shortcutList(false).map((s) => s.keys.join("+"));
    expect(actions).toEqual(["Ctrl+K", "Ctrl+1…9", "Ctrl+,", "/", "Ctrl+Enter", "Esc", "?"]);
    expect(shortcutList(true)[0].keys).toEqual(["⌘", "K"]);
  });
});

describe("isTyping", () => {
  it("is true in text fields, selects, textareas and editors, not on buttons or checkboxes", () => {
    const text = document.createElement("input");
    const box = document.createElement("input");
    box.type = "checkbox";
    const editor = document.createElement("div");
    editor.className = "cm-editor";
    const inside = document.createElement("span");
    editor.append(inside);
    expect(isTyping(text)).toBe(true);
    expect(isTyping(document.createElement("textarea"))).toBe(true);
    expect(isTyping(document.createElement("select"))).toBe(true);
    expect(isTyping(inside)).toBe(true);
    expect(isTyping(box)).toBe(false);
    expect(isTyping(document.createElement("button"))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
