import { render, screen, waitFor } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { describe, expect, it, vi } from "vitest";
import ResourceProbe from "../test/ResourceProbe.svelte";
import { deferred } from "../test/backend-fake";
import { AppState, appContext } from "./app.svelte";
import type { AppStatus } from "./bindings/AppStatus";
import type { ResourceOptions, Resource } from "./resource.svelte";

/** An app that is ready (a status is known, no switch under way). */
function readyApp(): AppState {
  const app = new AppState();
  app.status = { environment: "sandbox" } as unknown as AppStatus;
  return app;
}

function mount(fetch: () => Promise<string[]>, options: ResourceOptions<string[]> = {}, app = readyApp()) {
  let resource!: Resource<string[]>;
  render(ResourceProbe, {
    context: appContext(app),
    props: { fetch, options, onresource: (r: Resource<string[]>) => (resource = r) },
  });
  return { app, resource };
}

function shown(): string[] {
  return [...screen.getByTestId("probe-rows").querySelectorAll("li")].map((li) => li.textContent ?? "");
}

describe("Resource in an AsyncView", () => {
  it("shows the loading line, then the value", async () => {
    const answer = deferred<string[]>();
    mount(() => answer.promise);
    expect(await screen.findByTestId("probe-loading")).toHaveTextContent("Loading rows…");
    answer.resolve(["a", "b"]);
    await waitFor(() => expect(shown()).toEqual(["a", "b"]));
    expect(screen.queryByTestId("probe-loading")).not.toBeInTheDocument();
  });

  it("waits for the app to be ready before loading", async () => {
    const fetch = vi.fn(() => Promise.resolve(["a"]));
    const app = new AppState();
    mount(fetch, {}, app);
    await Promise.resolve();
    expect(fetch).not.toHaveBeenCalled();
    app.status = { environment: "sandbox" } as unknown as AppStatus;
    await waitFor(() => expect(shown()).toEqual(["a"]));
  });

  it("shows the empty state for an empty value", async () => {
    mount(() => Promise.resolve([]));
    expect(await screen.findByTestId("probe-empty")).toHaveTextContent("Nothing yet");
  });

  it("drops an answer that arrives after the environment changed, and loads afresh", async () => {
    const answers = [deferred<string[]>(), deferred<string[]>()];
    let call = 0;
    const { app, resource } = mount(() => answers[call++].promise);
    await screen.findByTestId("probe-loading");
    app.invalidate();
    await waitFor(() => expect(call).toBe(2));
    answers[1].resolve(["new"]);
    await waitFor(() => expect(shown()).toEqual(["new"]));
    answers[0].resolve(["old"]);
    // The stale answer's handling is all microtasks: one macrotask later it is done.
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
    expect(resource.value).toEqual(["new"]);
    expect(shown()).toEqual(["new"]);
  });

  it("polls in place: no loading state while the answer is on its way", async () => {
    const answers = [deferred<string[]>(), deferred<string[]>()];
    let call = 0;
    const { resource } = mount(() => answers[call++].promise);
    answers[0].resolve(["a"]);
    await waitFor(() => expect(shown()).toEqual(["a"]));
    resource.poll();
    expect(call).toBe(2);
    flushSync();
    expect(resource.loading).toBe(false);
    expect(screen.queryByTestId("probe-loading")).not.toBeInTheDocument();
    expect(shown()).toEqual(["a"]);
    answers[1].resolve(["a", "b"]);
    await waitFor(() => expect(shown()).toEqual(["a", "b"]));
  });

  it("keeps what is shown when a refresh fails, and says why", async () => {
    let fail = false;
    const { resource } = mount(() => (fail ? Promise.reject({ code: "network", message: "offline" }) : Promise.resolve(["a"])));
    await waitFor(() => expect(shown()).toEqual(["a"]));
    fail = true;
    resource.refresh();
    expect(await screen.findByTestId("probe-error")).toHaveTextContent("offline");
    expect(shown()).toEqual(["a"]);
  });

  it("drops an answer `accept` refuses, and folds an accepted one with `merge`", async () => {
    const answers = [["a"], ["skip"], ["b"]];
    let call = 0;
    const { resource } = mount(() => Promise.resolve(answers[call++]), {
      accept: (next) => next[0] !== "skip",
      merge: (next, current) => [...(current ?? []), ...next],
    });
    await waitFor(() => expect(shown()).toEqual(["a"]));
    await resource.load();
    expect(shown()).toEqual(["a"]);
    await resource.load({ quiet: true });
    await waitFor(() => expect(shown()).toEqual(["a", "b"]));
  });
});
