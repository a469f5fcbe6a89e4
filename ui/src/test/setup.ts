import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

afterEach(() => {
  // Unmount first: components unlisten from Tauri events on destroy, which needs the mocks.
  cleanup();
  clearMocks();
});
