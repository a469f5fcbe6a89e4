// Applies the theme preference to the document. "system" follows the OS setting live,
// so the stylesheet only has to know two concrete themes: data-theme="light|dark".

import type { Theme } from "./bindings/Theme";

let stopFollowingSystem: (() => void) | null = null;

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia("(prefers-color-scheme: dark)").matches;
}

function setResolved(dark: boolean): void {
  const root = document.documentElement;
  root.dataset.theme = dark ? "dark" : "light";
  root.style.colorScheme = dark ? "dark" : "light";
}

export function applyTheme(theme: Theme): void {
  stopFollowingSystem?.();
  stopFollowingSystem = null;
  if (theme !== "system") {
    setResolved(theme === "dark");
    return;
  }
  setResolved(systemPrefersDark());
  if (typeof window.matchMedia !== "function") return;
  const query = window.matchMedia("(prefers-color-scheme: dark)");
  const onChange = (event: MediaQueryListEvent) => setResolved(event.matches);
  query.addEventListener("change", onChange);
  stopFollowingSystem = () => query.removeEventListener("change", onChange);
}

/**
 * Tells the stylesheet to use the generic font families (data-fonts="generic") on Linux,
 * where WebKitGTK resolves a named family through fontconfig, one family of the stack at a
 * time, for every size and weight on the page before its first paint. The named stack suits
 * macOS and Windows, whose system font comes first in it. Called before the first render.
 */
export function markGenericFonts(root: HTMLElement = document.documentElement, platform: string = navigator.platform): void {
  if (/Linux/.test(platform) && !/Android/.test(platform)) root.dataset.fonts = "generic";
}
