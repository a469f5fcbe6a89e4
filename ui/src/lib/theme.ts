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
