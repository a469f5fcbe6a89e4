// The CodeMirror 6 set-up behind `CodeEditor.svelte`: JSON with lint markers where the
// parser stops, completion from the request schema, bracket matching, folding, search,
// history and line numbers, coloured from the app's CSS variables so it follows the light
// and dark themes without a second theme.
// `CodeEditor` imports this module dynamically, so the first screen does not load it.

import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import {
  bracketMatching,
  ensureSyntaxTree,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { type Diagnostic, lintGutter, linter, lintKeymap } from "@codemirror/lint";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, type Extension, Prec } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import type { TryBodyField } from "../bindings/TryBodyField";
import { schemaCompletion } from "./schema";

export { EditorView };

/** How a `CodeEditor` is built; `language: "json"` adds the parser and its linter. */
export interface EditorOptions {
  doc: string;
  language: "json" | "text";
  label: string;
  describedby?: string;
  wrap: boolean;
  readonly: boolean;
  placeholder?: string;
  /** The request schema's fields, offered as completions (JSON only). */
  fields: readonly TryBodyField[];
  onchange: (text: string) => void;
  /** Mod-Enter (Ctrl+Enter, ⌘↵ on macOS): true when it was acted on, so the key is not
   * also a new line. */
  onsubmit?: () => boolean;
}

const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--code-key)" },
  { tag: tags.string, color: "var(--code-string)" },
  { tag: tags.number, color: "var(--code-number)" },
  { tag: [tags.bool, tags.null, tags.keyword], color: "var(--code-literal)" },
  { tag: [tags.punctuation, tags.separator, tags.brace, tags.squareBracket], color: "var(--code-punct)" },
  { tag: tags.invalid, color: "var(--danger)" },
]);

/** Where the document stops parsing as JSON, from the engine's message when it says (V8 and
 * SpiderMonkey give a position or a line and column; WebKit's JavaScriptCore gives neither). */
function positionInMessage(message: string, state: EditorState): number | null {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const lineColumn = /at line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const line = Number(lineColumn[1]);
    if (line < 1 || line > state.doc.lines) return null;
    return state.doc.line(line).from + Number(lineColumn[2]) - 1;
  }
  return null;
}

/**
 * The JSON linter: JSON.parse decides whether the text is valid and says why; the position
 * comes from the first error in the JSON syntax tree, which every engine agrees on, so the
 * marker sits at the exact line and column whatever the webview's message looks like.
 */
export function jsonDiagnostics(state: EditorState): Diagnostic[] {
  const text = state.doc.toString();
  if (text.trim() === "") return [];
  let message: string;
  try {
    JSON.parse(text);
    return [];
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
  }
  let at: number | null = null;
  const tree = ensureSyntaxTree(state, state.doc.length, 200);
  tree?.iterate({
    enter: (node) => {
      if (at !== null) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  at ??= positionInMessage(message, state) ?? state.doc.length;
  // The character where parsing stopped; at the very end, the last one.
  const from = Math.max(0, Math.min(at, state.doc.length - 1));
  return [{ from, to: Math.min(from + 1, state.doc.length), severity: "error", source: "JSON", message }];
}

/** One theme for both colour schemes: every colour is a CSS variable of app.css. */
const theme = EditorView.theme({
  "&": {
    color: "var(--text)",
    backgroundColor: "var(--surface)",
    fontSize: "12.5px",
  },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.55" },
  ".cm-content": { caretColor: "var(--text)", padding: "8px 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
    { backgroundColor: "var(--code-selection)" },
  ".cm-activeLine": { backgroundColor: "var(--code-active-line)" },
  ".cm-gutters": {
    backgroundColor: "var(--surface-2)",
    color: "var(--text-3)",
    borderRight: "1px solid var(--border)",
    userSelect: "none",
  },
  ".cm-activeLineGutter": { backgroundColor: "var(--hover)", color: "var(--text-2)" },
  ".cm-foldPlaceholder": {
    backgroundColor: "var(--surface-2)",
    border: "1px solid var(--border-strong)",
    color: "var(--text-2)",
  },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--accent-soft)", outline: "1px solid var(--accent)" },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--danger-soft)", outline: "1px solid var(--danger)" },
  ".cm-searchMatch": { backgroundColor: "var(--warning-soft)", outline: "1px solid var(--warning-border)" },
  ".cm-searchMatch.cm-searchMatch-selected": { backgroundColor: "var(--accent-soft)" },
  ".cm-selectionMatch": { backgroundColor: "var(--code-selection)" },
  ".cm-panels": { backgroundColor: "var(--surface-2)", color: "var(--text)" },
  ".cm-panels.cm-panels-bottom": { borderTop: "1px solid var(--border)" },
  ".cm-panel.cm-search": { fontFamily: "var(--font-sans)", fontSize: "12.5px" },
  ".cm-textfield": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border-strong)",
    borderRadius: "4px",
  },
  ".cm-button": {
    backgroundImage: "none",
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border-strong)",
    borderRadius: "4px",
  },
  ".cm-tooltip": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border-strong)",
    borderRadius: "6px",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent-soft)", color: "var(--accent-text)" },
  ".cm-completionDetail": { color: "var(--text-3)" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--danger)" },
  ".cm-lintRange-error": { textDecorationColor: "var(--danger)" },
  ".cm-placeholder": { color: "var(--text-3)" },
});

/** The parts that can change after the editor is built. */
export interface EditorHandle {
  view: EditorView;
  /** Replaces the text when it differs (a Format, a Reset, another request), as one undoable step. */
  setText(text: string): void;
  setDescribedBy(id: string | undefined): void;
  setFields(fields: readonly TryBodyField[]): void;
}

function contentAttributes(label: string, describedby: string | undefined): Extension {
  const attributes: Record<string, string> = { "aria-label": label, "aria-multiline": "true" };
  if (describedby) attributes["aria-describedby"] = describedby;
  return EditorView.contentAttributes.of(attributes);
}

export function createEditor(parent: HTMLElement, options: EditorOptions): EditorHandle {
  const attributes = new Compartment();
  const completion = new Compartment();
  const completeFrom = (fields: readonly TryBodyField[]): Extension =>
    fields.length > 0 && options.language === "json" && !options.readonly
      ? autocompletion({ override: [schemaCompletion(fields)] })
      : [];
  const extensions: Extension[] = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    indentOnInput(),
    syntaxHighlighting(highlight),
    bracketMatching(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: false }),
    completion.of(completeFrom(options.fields)),
    Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => options.onsubmit?.() ?? false }])),
    keymap.of([
      ...completionKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...lintKeymap,
      indentWithTab,
    ]),
    EditorState.tabSize.of(2),
    theme,
    attributes.of(contentAttributes(options.label, options.describedby)),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) options.onchange(update.state.doc.toString());
    }),
  ];
  if (options.language === "json") {
    extensions.push(json());
    if (!options.readonly) extensions.push(linter((view) => jsonDiagnostics(view.state), { delay: 300 }), lintGutter());
  }
  if (options.wrap) extensions.push(EditorView.lineWrapping);
  if (options.readonly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  if (options.placeholder) extensions.push(placeholderText(options.placeholder));

  const view = new EditorView({ parent, state: EditorState.create({ doc: options.doc, extensions }) });
  return {
    view,
    setText(text) {
      if (view.state.doc.toString() === text) return;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setDescribedBy(id) {
      view.dispatch({ effects: attributes.reconfigure(contentAttributes(options.label, id)) });
    },
    setFields(fields) {
      view.dispatch({ effects: completion.reconfigure(completeFrom(fields)) });
    },
  };
}
