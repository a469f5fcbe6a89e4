import { undo } from "@codemirror/commands";
import { json } from "@codemirror/lang-json";
import { forEachDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { runScopeHandlers } from "@codemirror/view";
import { render, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { editorView, typeInEditor } from "../../test/editor";
import { jsonDiagnostics } from "../editor/codemirror";
import CodeEditor from "./CodeEditor.svelte";

function lineColumn(state: EditorState, at: number): string {
  const line = state.doc.lineAt(at);
  return `${line.number}:${at - line.from + 1}`;
}

describe("jsonDiagnostics", () => {
  const markerOf = (text: string) => {
    const state = EditorState.create({ doc: text, extensions: [json()] });
    const found = jsonDiagnostics(state);
    return found.map((d) => `${lineColumn(state, d.from)} ${d.severity}`);
  };

  it("says nothing about valid JSON or an empty body", () => {
    expect(markerOf('{\n  "a": [1, 2]\n}')).toEqual([]);
    expect(markerOf("  \n")).toEqual([]);
  });

  it("marks the exact line and column where the JSON breaks", () => {
    expect(markerOf('{\n  "name": "Ada",\n  "tags": [1, 2,]\n}')).toEqual(["3:17 error"]);
    expect(markerOf('{\n  "name": \'Ada\'\n}')).toEqual(["2:11 error"]);
    expect(markerOf('{\n  "name": "Ada"\n  "phone": "+44"\n}')).toEqual(["3:3 error"]);
  });
});

describe("CodeEditor", () => {
  it("binds its text both ways, lints in place and undoes the way typing does", async () => {
    const props = $state({ value: '{"name": "Ada"}' });
    const { container } = render(CodeEditor, {
      props: {
        get value() {
          return props.value;
        },
        set value(v: string) {
          props.value = v;
        },
        label: "Body",
        testid: "editor",
      },
    });
    const view = await editorView("editor", container);
    expect(view.state.doc.toString()).toBe('{"name": "Ada"}');
    expect(view.contentDOM).toHaveAttribute("aria-label", "Body");
    expect(container.querySelector(".cm-lineNumbers")).not.toBeNull();
    expect(container.querySelector(".cm-foldGutter")).not.toBeNull();

    await typeInEditor("editor", '{"name": "Ada",}', container);
    expect(props.value).toBe('{"name": "Ada",}');
    await waitFor(() => {
      const found: string[] = [];
      forEachDiagnostic(view.state, (d, from) => found.push(`${lineColumn(view.state, from)} ${d.severity}`));
      expect(found).toEqual(["1:16 error"]);
    });

    undo(view);
    expect(view.state.doc.toString()).toBe('{"name": "Ada"}');
    expect(props.value).toBe('{"name": "Ada"}');

    props.value = '{\n  "formatted": true\n}';
    await waitFor(() => expect(view.state.doc.toString()).toBe('{\n  "formatted": true\n}'));
  });

  it("hands Ctrl+Enter to the form instead of adding a line, and adds the line without one", async () => {
    const ctrlEnter = () => new KeyboardEvent("keydown", { key: "Enter", code: "Enter", ctrlKey: true, bubbles: true });
    let sent = 0;
    const { container } = render(CodeEditor, {
      props: { value: '{"a": 1}', label: "Body", testid: "sending", onsubmit: () => (sent += 1) },
    });
    const view = await editorView("sending", container);
    view.dispatch({ selection: { anchor: 3 } });
    expect(runScopeHandlers(view, ctrlEnter(), "editor")).toBe(true);
    expect(sent).toBe(1);
    expect(view.state.doc.toString()).toBe('{"a": 1}');

    const plain = render(CodeEditor, { props: { value: '{"a": 1}', label: "Other", testid: "plain" } });
    const other = await editorView("plain", plain.container);
    runScopeHandlers(other, ctrlEnter(), "editor");
    expect(other.state.doc.toString()).not.toBe('{"a": 1}');
  });
});
