// A JSON tokenizer for highlighting: small, forgiving (a half-typed body still colours),
// and rendered as plain text spans, so nothing typed is ever interpreted as markup.

export type TokenKind = "key" | "string" | "number" | "literal" | "punct" | "plain";

export interface Token {
  kind: TokenKind;
  text: string;
}

const STRING = /"(?:[^"\\\n]|\\.)*"?/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /(?:true|false|null)\b/y;
const SPACE = /\s+/y;
const PUNCT = /[{}[\]:,]/y;

/** Beyond this many characters text is shown plain: colouring a huge body costs more than it helps. */
export const HIGHLIGHT_LIMIT = 200_000;

function match(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const found = re.exec(text);
  return found ? found[0] : null;
}

export function tokenizeJson(text: string): Token[] {
  if (text.length > HIGHLIGHT_LIMIT) return [{ kind: "plain", text }];
  const tokens: Token[] = [];
  const push = (kind: TokenKind, part: string) => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind === kind && (kind === "plain" || kind === "punct")) last.text += part;
    else tokens.push({ kind, text: part });
  };
  let at = 0;
  while (at < text.length) {
    const string = match(STRING, text, at);
    if (string !== null) {
      // A string followed by a colon is an object key.
      let next = at + string.length;
      while (next < text.length && /\s/.test(text[next])) next += 1;
      push(text[next] === ":" ? "key" : "string", string);
      at += string.length;
      continue;
    }
    for (const [re, kind] of [
      [SPACE, "plain"],
      [PUNCT, "punct"],
      [LITERAL, "literal"],
      [NUMBER, "number"],
    ] as const) {
      const part = match(re, text, at);
      if (part !== null) {
        push(kind, part);
        at += part.length;
        break;
      }
      if (re === NUMBER) {
        push("plain", text[at]);
        at += 1;
      }
    }
  }
  return tokens;
}

/** Pretty-prints JSON text with two-space indentation; `null` when it does not parse. */
export function formatJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}
