import { describe, expect, it } from "vitest";
import { formatJson, tokenizeJson } from "./highlight";
import { formatWhatsApp } from "./whatsapp";

describe("JSON highlighting", () => {
  it("tells keys from string values and keeps every character", () => {
    const text = '{\n  "name": "Ada \\"A\\"",\n  "n": -1.5e3, "ok": true, "x": null\n}';
    const tokens = tokenizeJson(text);
    expect(tokens.map((t) => t.text).join("")).toBe(text);
    const kinds = (kind: string) => tokens.filter((t) => t.kind === kind).map((t) => t.text);
    expect(kinds("key")).toEqual(['"name"', '"n"', '"ok"', '"x"']);
    expect(kinds("string")).toEqual(['"Ada \\"A\\""']);
    expect(kinds("number")).toEqual(["-1.5e3"]);
    expect(kinds("literal")).toEqual(["true", "null"]);
  });

  it("colours a half-typed body and passes markup through as text", () => {
    const tokens = tokenizeJson('{"a": "<b>unfinished');
    expect(tokens.map((t) => t.text).join("")).toBe('{"a": "<b>unfinished');
    expect(tokens[tokens.length - 1]).toEqual({ kind: "string", text: '"<b>unfinished' });
  });

  it("formats valid JSON and refuses the rest", () => {
    expect(formatJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatJson("{oops")).toBeNull();
  });
});

describe("WhatsApp formatting", () => {
  const styled = (text: string) =>
    formatWhatsApp(text).map((s) => {
      const flags = [s.bold && "b", s.italic && "i", s.strike && "s", s.mono && "m"].filter(Boolean).join("");
      return flags ? `${flags}:${s.text}` : s.text;
    });

  it("applies each marker", () => {
    expect(styled("Hi *Ada*, your _order_ ~A-1~ is ```READY```")).toEqual([
      "Hi ",
      "b:Ada",
      ", your ",
      "i:order",
      " ",
      "s:A-1",
      " is ",
      "m:READY",
    ]);
  });

  it("nests styles and keeps monospace literal", () => {
    expect(styled("*bold _and italic_*")).toEqual(["b:bold ", "bi:and italic"]);
    expect(styled("```*not bold*```")).toEqual(["m:*not bold*"]);
  });

  it("ignores markers inside words, across lines or around spaces", () => {
    expect(styled("2*3*4 and snake_case_name")).toEqual(["2*3*4 and snake_case_name"]);
    expect(styled("*open\nclosed*")).toEqual(["*open\nclosed*"]);
    expect(styled("* not bold *")).toEqual(["* not bold *"]);
  });
});
