// Completion from the operation's request schema: inside the body's top-level object, the
// field names (with their kind, whether required, and what they are for), and after a
// field's colon, its allowed values.

import type { CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";
import { syntaxTree } from "@codemirror/language";
import type { TryBodyField } from "../bindings/TryBodyField";

/** Whether `pos` is inside the body's own object: the top-level value, no object or array between. */
function inTopObject(context: CompletionContext): boolean {
  for (let node = syntaxTree(context.state).resolveInner(context.pos, -1); node.parent; node = node.parent) {
    if (node.name === "Array") return false;
    if (node.name === "Object") return node.parent.parent === null;
  }
  return false;
}

export function schemaCompletion(fields: readonly TryBodyField[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    if (fields.length === 0 || !inTopObject(context)) return null;
    const before = context.state.sliceDoc(Math.max(0, context.pos - 200), context.pos);

    const value = /"([^"\\]+)"\s*:\s*("?[\w.-]*)$/.exec(before);
    if (value) {
      const field = fields.find((f) => f.name === value[1]);
      if (!field || field.enum_values.length === 0) return null;
      return {
        from: context.pos - value[2].length,
        options: field.enum_values.map((v) => ({ label: JSON.stringify(v), type: "enum", detail: field.name })),
        validFor: /^"?[\w.-]*$/,
      };
    }

    const key = /([{,]\s*)("?[\w.-]*)$/.exec(before);
    if (!key || (key[2] === "" && !context.explicit)) return null;
    return {
      from: context.pos - key[2].length,
      options: fields.map((f) => ({
        label: JSON.stringify(f.name),
        apply: `${JSON.stringify(f.name)}: `,
        type: "property",
        detail: f.required ? `${f.kind}, required` : f.kind,
        info: f.description || undefined,
        boost: f.required ? 1 : 0,
      })),
      validFor: /^"?[\w.-]*$/,
    };
  };
}
