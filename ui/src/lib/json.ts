// JSON text made readable: two-space indentation, as every body view and Format button shows it.

/** Pretty-prints JSON text with two-space indentation; `null` when it does not parse. */
export function formatJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** The text pretty-printed when it is JSON, else as it is. */
export function prettyJson(text: string): string {
  return formatJson(text) ?? text;
}
