// Lifecycle rules every data panel follows, written once.
//
// `onEnvironment`: when the environment (or its server or key) changes, the panel forgets
// what it shows at once, then loads afresh once the switch has settled, so a figure from
// one environment is never on screen while the other's loads. `key` adds state of the
// panel's own (the endpoint it shows, a filter) whose change does the same. Call it during
// component initialisation, like any `$effect`. `Resource` (resource.svelte.ts) builds on it.

import { untrack } from "svelte";
import { useApp } from "./app.svelte";
import type { Environment } from "./bindings/Environment";
import type { ProductionGate } from "./confirm.svelte";

export function onEnvironment(reset: () => void, load: (generation: number) => void, key?: () => unknown): void {
  const app = useApp();
  $effect(() => {
    const generation = app.generation;
    const ready = app.ready;
    key?.();
    untrack(() => {
      reset();
      if (ready) load(generation);
    });
  });
}

/**
 * The form dialog a panel has open, tied to the environment it was opened for. A switch
 * closes it, and the production confirmation it may be waiting on, so a form never submits
 * into another environment. A write answered `environment_changed` closes it too, reloads,
 * and leaves `moved` set so the panel can say why nothing was changed.
 */
export class PanelDialog<D extends { environment: Environment }> {
  current = $state<D | null>(null);
  moved = $state<{ environment: Environment } | null>(null);

  readonly #app = useApp();
  readonly #gate: ProductionGate;

  constructor(gate: ProductionGate) {
    this.#gate = gate;
    $effect(() => {
      const environment = this.#app.environment;
      untrack(() => {
        if (this.current !== null && this.current.environment !== environment) this.#drop();
        if (this.moved !== null && this.moved.environment !== environment) this.moved = null;
      });
    });
  }

  close = (): void => {
    this.current = null;
  };

  environmentChanged = async (): Promise<void> => {
    this.#drop();
    await this.#app.refreshStatus();
    this.#app.invalidate();
    this.moved = { environment: this.#app.environment };
  };

  #drop(): void {
    this.current = null;
    this.#gate.answer(false);
  }
}
