// A documented schema (already resolved by the catalog, no `$ref`s) read as a tree of fields
// for the response documentation: each field's name, type, whether it is required, its
// allowed values and description. Pure, so it is tested without a window.

export interface SchemaNode {
  /** `string`, `string | null`, `array of object`, `integer (int64)`, `any`. */
  type: string;
  description: string;
  /** The allowed values of an `enum` (or the one of a `const`). */
  values: string[];
  /** An object's fields, or those of an array's items. */
  fields: SchemaField[];
  /** The forms of a `oneOf` / `anyOf`, each a tree of its own. */
  variants: SchemaNode[];
}

export interface SchemaField {
  name: string;
  required: boolean;
  node: SchemaNode;
}

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

function asSchema(value: unknown): Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Schema) : {};
}

function typesOf(schema: Schema): string[] {
  const raw = schema.type;
  const types = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw.filter((t) => typeof t === "string") : [];
  if (types.length === 0) {
    if (schema.properties !== undefined) types.push("object");
    else if (schema.items !== undefined) types.push("array");
  }
  // `null` last: `string | null`.
  return [...types.filter((t) => t !== "null"), ...types.filter((t) => t === "null")];
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** An `allOf`'s parts folded into one schema: their fields and required lists together. */
function mergeAll(schema: Schema): Schema {
  if (!Array.isArray(schema.allOf)) return schema;
  const merged: Schema = { ...schema, properties: { ...asSchema(schema.properties) } };
  const required = Array.isArray(schema.required) ? [...schema.required] : [];
  for (const part of schema.allOf.map((p) => mergeAll(asSchema(p)))) {
    for (const [key, v] of Object.entries(part)) if (!(key in merged)) merged[key] = v;
    Object.assign(merged.properties as Schema, asSchema(part.properties));
    if (Array.isArray(part.required)) required.push(...part.required);
  }
  merged.required = required;
  return merged;
}

/** The tree of `schema`'s fields. */
export function describeSchema(value: unknown, depth = 0): SchemaNode {
  const schema = asSchema(value);
  const description = typeof schema.description === "string" ? schema.description.trim() : "";
  const values = Array.isArray(schema.enum)
    ? schema.enum.filter((v) => v !== null).map(show)
    : "const" in schema
      ? [show(schema.const)]
      : [];
  const node: SchemaNode = { type: "any", description, values, fields: [], variants: [] };
  if (depth > MAX_DEPTH) return node;

  const forms = [schema.oneOf, schema.anyOf].find(Array.isArray) as unknown[] | undefined;
  const merged = mergeAll(schema);
  const types = typesOf(merged);
  const format = typeof merged.format === "string" ? ` (${merged.format})` : "";
  let shape = merged;
  node.type =
    types.length === 0
      ? forms
        ? "one of"
        : "any"
      : types
          .map((t) => {
            if (t !== "array") return t === "null" ? t : `${t}${format}`;
            shape = asSchema(merged.items);
            const inner = typesOf(shape)[0] ?? "any";
            return `array of ${inner}`;
          })
          .join(" | ");

  const required = Array.isArray(shape.required) ? shape.required.filter((r) => typeof r === "string") : [];
  node.fields = Object.entries(asSchema(shape.properties)).map(([name, property]) => ({
    name,
    required: required.includes(name),
    node: describeSchema(property, depth + 1),
  }));
  const itemForms = shape === merged ? undefined : ([shape.oneOf, shape.anyOf].find(Array.isArray) as unknown[] | undefined);
  const variants = forms ?? itemForms;
  if (variants) {
    node.variants = variants
      .map((v) => describeSchema(v, depth + 1))
      .filter((v) => v.type !== "null" || v.fields.length > 0);
  }
  return node;
}
