import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The Tauri window loads `ui/dist` through its own protocol, so assets must be
// addressed relatively, and the bundle must run on the WebKitGTK the distro ships.
export default defineConfig({
  base: "./",
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: "127.0.0.1",
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    // A test waits on conditions (10 s each at most, see setup.ts); on a loaded machine a
    // few of them in a row can take longer than vitest's default 5 s.
    testTimeout: 30_000,
  },
});
