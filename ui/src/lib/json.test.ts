import { describe, expect, it } from "vitest";
import { formatJson, prettyJson } from "./json";

describe("JSON formatting", () => {
  it("formats valid JSON and refuses the rest", () => {
    expect(formatJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatJson("{oops")).toBeNull();
  });

  it("leaves text that is not JSON as it is", () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson("plain <b>text</b>")).toBe("plain <b>text</b>");
  });
});
