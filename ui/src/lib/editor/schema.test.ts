import { CompletionContext } from "@codemirror/autocomplete";
import { json } from "@codemirror/lang-json";
import { EditorState } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import type { TryBodyField } from "../bindings/TryBodyField";
import { schemaCompletion } from "./schema";

const FIELDS: TryBodyField[] = [
  { name: "contact_id", kind: "string", required: true, description: "Who gets it.", enum_values: [] },
  { name: "channel", kind: "string", required: true, description: "", enum_values: ["whatsapp", "sms"] },
  { name: "body", kind: "string", required: false, description: "The text.", enum_values: [] },
];

function complete(doc: string, explicit = false) {
  const state = EditorState.create({ doc, extensions: [json()] });
  const result = schemaCompletion(FIELDS)(new CompletionContext(state, doc.length, explicit));
  if (result instanceof Promise) throw new Error("the schema source answers at once");
  if (result === null) return null;
  return { from: result.from, labels: result.options.map((o) => o.label), details: result.options.map((o) => o.detail) };
}

describe("schema completion", () => {
  it("offers the field names where a key starts in the top-level object", () => {
    expect(complete('{"ch')).toEqual({
      from: 1,
      labels: ['"contact_id"', '"channel"', '"body"'],
      details: ["string, required", "string, required", "string"],
    });
    expect(complete('{"contact_id": "ct_1", ')).toBeNull();
    expect(complete('{"contact_id": "ct_1", ', true)?.from).toBe(23);
  });

  it("offers a field's allowed values after its colon, and nothing for a free field", () => {
    expect(complete('{"channel": "wh')).toMatchObject({ from: 12, labels: ['"whatsapp"', '"sms"'] });
    expect(complete('{"body": "Hi')).toBeNull();
  });

  it("stays quiet inside nested values", () => {
    expect(complete('{"body": {"ch')).toBeNull();
    expect(complete('[{"ch')).toBeNull();
  });
});
