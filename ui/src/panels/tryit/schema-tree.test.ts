import { describe, expect, it } from "vitest";
import { describeSchema } from "./schema-tree";

// The sandbox's documented list of contacts (GET /v1/contacts, 200), as the catalog hands it
// over with its `$ref`s resolved.
const CONTACT_PAGE = {
  description: "Every list endpoint answers with this envelope.",
  type: "object",
  required: ["data", "total"],
  properties: {
    cursor: { description: "Pass as `?cursor=` to get the next page; `null` on the last page.", type: ["string", "null"] },
    data: {
      type: "array",
      items: {
        description: "A person the organisation messages.",
        type: "object",
        required: ["id", "name", "tags", "created_at", "updated_at"],
        properties: {
          created_at: { format: "date-time", type: "string" },
          id: { description: "`ct_…`", type: "string" },
          name: { type: "string" },
          tags: { items: { type: "string" }, type: "array" },
        },
      },
    },
    total: { format: "int64", minimum: 0, type: "integer" },
  },
};

describe("describeSchema", () => {
  it("reads a list envelope as fields with types, required marks and the items' fields", () => {
    const tree = describeSchema(CONTACT_PAGE);
    expect(tree.type).toBe("object");
    expect(tree.fields.map((f) => [f.name, f.node.type, f.required])).toEqual([
      ["cursor", "string | null", false],
      ["data", "array of object", true],
      ["total", "integer (int64)", true],
    ]);
    const data = tree.fields[1].node;
    expect(data.fields.map((f) => `${f.name}${f.required ? "*" : ""}: ${f.node.type}`)).toEqual([
      "created_at*: string (date-time)",
      "id*: string",
      "name*: string",
      "tags*: array of string",
    ]);
    expect(data.fields[1].node.description).toBe("`ct_…`");
  });

  it("lists enum values, folds allOf and keeps the forms of a oneOf", () => {
    const tree = describeSchema({
      allOf: [
        { type: "object", required: ["code"], properties: { code: { type: "string", enum: ["not_found", "conflict", null] } } },
        { properties: { detail: { oneOf: [{ type: "string" }, { type: "object", properties: { at: { type: "integer" } } }] } } },
      ],
    });
    expect(tree.type).toBe("object");
    expect(tree.fields.map((f) => [f.name, f.required])).toEqual([
      ["code", true],
      ["detail", false],
    ]);
    expect(tree.fields[0].node.values).toEqual(["not_found", "conflict"]);
    const detail = tree.fields[1].node;
    expect(detail.type).toBe("one of");
    expect(detail.variants.map((v) => v.type)).toEqual(["string", "object"]);
    expect(detail.variants[1].fields[0].name).toBe("at");
  });

  it("stops at a depth limit on a self-similar schema and reads nonsense as any", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 30; i += 1) schema = { type: "object", properties: { child: schema } };
    let node = describeSchema(schema);
    let depth = 0;
    while (node.fields.length > 0) {
      node = node.fields[0].node;
      depth += 1;
    }
    expect(depth).toBeLessThan(12);
    expect(describeSchema(null).type).toBe("any");
    expect(describeSchema([1, 2]).fields).toEqual([]);
  });
});
