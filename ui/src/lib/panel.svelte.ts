// Lifecycle rules every data panel follows, written once.
//
// `onEnvironment`: when the environment (or its server or key) changes, the panel forgets
// what it shows at once, then loads afresh once the switch has settled, so a figure from
// one environment is never on screen while the other's loads. Call it during component
// initialisation, like any `$effect`.

import { untrack } from "svelte";
import { useApp } from "./app.svelte";

export function onEnvironment(reset: () => void, load: (generation: number) => void): void {
  const app = useApp();
  $effect(() => {
    const generation = app.generation;
    const ready = app.ready;
    untrack(() => {
      reset();
      if (ready) load(generation);
    });
  });
}
