// WhatsApp's message formatting, as the messaging seed describes it: _italic_, *bold*,
// ~strikethrough~ and ```monospace```. Markers work only at word edges and on one line
// (```…``` may span lines), styles nest, and monospace text is taken literally.

export interface Segment {
  text: string;
  bold: boolean;
  italic: boolean;
  strike: boolean;
  mono: boolean;
}

type Style = Omit<Segment, "text">;

const MARKERS: Record<string, keyof Style> = { "*": "bold", _: "italic", "~": "strike" };

function isEdge(ch: string | undefined): boolean {
  return ch === undefined || /[\s.,;:!?()"'[\]{}<>\-/]/.test(ch) || ch in MARKERS;
}

function push(out: Segment[], text: string, style: Style): void {
  if (text === "") return;
  const last = out[out.length - 1];
  if (
    last &&
    last.bold === style.bold &&
    last.italic === style.italic &&
    last.strike === style.strike &&
    last.mono === style.mono
  ) {
    last.text += text;
  } else {
    out.push({ text, ...style });
  }
}

/** Where the closing `marker` for an opening at `open` is, or -1. */
function closing(text: string, open: number, marker: string): number {
  for (let i = open + 2; i < text.length; i += 1) {
    if (text[i] === "\n") return -1;
    if (text[i] === marker && !/\s/.test(text[i - 1]) && isEdge(text[i + 1])) return i;
  }
  return -1;
}

function parse(text: string, style: Style, out: Segment[]): void {
  let plain = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("```", i)) {
      const end = text.indexOf("```", i + 3);
      if (end > i + 3) {
        push(out, plain, style);
        plain = "";
        push(out, text.slice(i + 3, end), { ...style, mono: true });
        i = end + 3;
        continue;
      }
    }
    const ch = text[i];
    const key = MARKERS[ch];
    if (key && !style[key] && isEdge(text[i - 1]) && text[i + 1] !== undefined && !/\s/.test(text[i + 1])) {
      const end = closing(text, i, ch);
      if (end > i + 1) {
        push(out, plain, style);
        plain = "";
        parse(text.slice(i + 1, end), { ...style, [key]: true }, out);
        i = end + 1;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  push(out, plain, style);
}

export function formatWhatsApp(text: string): Segment[] {
  const out: Segment[] = [];
  parse(text, { bold: false, italic: false, strike: false, mono: false }, out);
  return out;
}
