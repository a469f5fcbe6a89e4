// Driving the code editor (CodeMirror, lib/components/CodeEditor.svelte) in tests: wait for
// it to load, read its text, and replace its text the way typing over a selection does.
import { waitFor } from "@testing-library/svelte";
import { EditorView } from "@codemirror/view";

/** The editor view inside the element with `testid`, once CodeMirror has loaded. */
export async function editorView(testid: string, root: HTMLElement = document.body): Promise<EditorView> {
  let view: EditorView | null = null;
  await waitFor(() => {
    const host = root.querySelector<HTMLElement>(`[data-testid="${testid}"][data-ready="true"] .cm-editor`);
    view = host ? EditorView.findFromDOM(host) : null;
    if (view === null) throw new Error(`no loaded editor in [data-testid="${testid}"]`);
  });
  return view as unknown as EditorView;
}

/** The editor's whole text. */
export async function editorText(testid: string, root?: HTMLElement): Promise<string> {
  return (await editorView(testid, root)).state.doc.toString();
}

/** Selects all and types `text` over it, as one user input (undoable like typing). */
export async function typeInEditor(testid: string, text: string, root?: HTMLElement): Promise<void> {
  const view = await editorView(testid, root);
  view.focus();
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: text },
    selection: { anchor: text.length },
    userEvent: "input.type",
    scrollIntoView: true,
  });
}
