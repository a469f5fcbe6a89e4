// What a data panel shows, written once: the value, whether a load is under way, what went
// wrong, and the rules every panel follows around them. A resource forgets its value the
// moment the environment changes (through `onEnvironment`) and loads afresh once the switch
// has settled; an answer that comes back after a newer load started, or for an environment
// that is no longer active, is dropped, so a figure from one environment is never shown in
// another. Create it during component initialisation, like any `$effect`.

import { useApp } from "./app.svelte";
import { BackendError } from "./backend";
import { onEnvironment } from "./panel.svelte";

export interface ResourceOptions<T> {
  /** Whether an answer still fits what is on screen (for example, its environment). */
  accept?: (next: T) => boolean;
  /** Folds an answer into what is shown; the default replaces it. */
  merge?: (next: T, current: T | null) => T;
  /** Runs with the reset, for what the panel keeps beside the value. */
  onreset?: () => void;
  /** Runs after each accepted answer. */
  onload?: (value: T) => void;
  /** Further state whose change also resets and reloads (a filter, the open item). */
  key?: () => unknown;
}

export class Resource<T> {
  value = $state<T | null>(null);
  error = $state<BackendError | null>(null);
  loading = $state(false);

  readonly #app = useApp();
  readonly #fetch: () => Promise<T>;
  readonly #options: ResourceOptions<T>;
  #request = 0;

  constructor(fetch: () => Promise<T>, options: ResourceOptions<T> = {}) {
    this.#fetch = fetch;
    this.#options = options;
    onEnvironment(
      () => this.reset(),
      (generation) => void this.load({ generation }),
      options.key,
    );
  }

  /** Forgets the value and drops any answer still on its way. */
  reset(): void {
    this.#request += 1;
    this.value = null;
    this.error = null;
    this.loading = false;
    this.#options.onreset?.();
  }

  /**
   * Loads now. `quiet` keeps the spinner off (a poll, or a reload in place after a write).
   * Resolves once the answer is in, or dropped.
   */
  async load({ generation = this.#app.generation, quiet = false }: { generation?: number; quiet?: boolean } = {}): Promise<void> {
    const mine = ++this.#request;
    const current = () => mine === this.#request && generation === this.#app.generation;
    if (!quiet) this.loading = true;
    try {
      const next = await this.#fetch();
      if (!current() || (this.#options.accept && !this.#options.accept(next))) return;
      const value = this.#options.merge ? this.#options.merge(next, this.value) : next;
      this.value = value;
      this.error = null;
      this.#options.onload?.(value);
    } catch (raw) {
      if (!current()) return;
      this.error = BackendError.from(raw);
    } finally {
      if (mine === this.#request) this.loading = false;
    }
  }

  /** Reloads unless the environment is switching or a load is under way. */
  refresh(): void {
    if (!this.#app.ready || this.loading) return;
    void this.load();
  }

  /** A background reload: no spinner, and nothing while a switch or another load is under way. */
  poll(): void {
    if (!this.#app.ready || this.loading) return;
    void this.load({ quiet: true });
  }

  /** Changes what is shown in place, after a write the panel already knows the outcome of. */
  update(change: (value: T) => T): void {
    if (this.value !== null) this.value = change(this.value);
  }
}
