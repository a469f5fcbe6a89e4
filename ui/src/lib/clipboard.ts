// Copying text: the web clipboard where the page may use it (a browser, the tests), else
// the Tauri clipboard plugin, which writes through the OS when the WebKitGTK webview does
// not treat the app's custom scheme as a secure context. The window may write the
// clipboard, never read it (capabilities/main-window.json).
import { writeText } from "@tauri-apps/plugin-clipboard-manager";

/** Resolves true when the text reached the clipboard. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused: the plugin below writes through the OS instead.
  }
  try {
    await writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** What to say when the copy failed, naming the text to select and copy by hand. */
export function clipboardHint(what: string): string {
  return `The clipboard is not available here; select the ${what} and copy it by hand.`;
}
