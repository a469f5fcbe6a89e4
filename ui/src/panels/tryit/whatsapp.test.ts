import { describe, expect, it } from "vitest";
import { formatWhatsApp } from "./whatsapp";

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
