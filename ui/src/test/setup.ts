import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";
import { drafts } from "../lib/drafts.svelte";

// `waitFor` and `findBy…` give up after this long: long enough for a loaded 2-core machine,
// short enough that a state that never comes fails the test.
configure({ asyncUtilTimeout: 10_000 });

// jsdom lays nothing out and leaves Range without its geometry; the code editor
// (CodeMirror) measures text ranges, so they measure as empty, as elements already do.
if (typeof Range.prototype.getClientRects !== "function") {
  Range.prototype.getClientRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList;
  Range.prototype.getBoundingClientRect = () => new DOMRect(0, 0, 0, 0);
}

afterEach(() => {
  // Unmount first: components unlisten from Tauri events on destroy, which needs the mocks.
  cleanup();
  clearMocks();
  // Drafts live for the process, as in the app; each test starts with none.
  drafts.clear();
});
