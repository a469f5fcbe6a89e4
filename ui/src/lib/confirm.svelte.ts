// Every write in production passes one more, explicit confirmation that names the
// environment. In the sandbox the gate opens at once. The question lives here as state so
// one dialog (ProductionConfirm) can answer it for whichever form asked.

import type { Environment } from "./bindings/Environment";

export interface GateRequest {
  /** "This creates a key in PRODUCTION." */
  title: string;
  /** What happens, in a sentence or two. */
  message: string;
  /** The confirm button's label, e.g. "Create in Production". */
  action: string;
}

interface Pending extends GateRequest {
  resolve: (confirmed: boolean) => void;
}

export class ProductionGate {
  pending = $state<Pending | null>(null);

  /** Resolves true when the write may go ahead. */
  confirm(environment: Environment, request: GateRequest): Promise<boolean> {
    if (environment !== "production") return Promise.resolve(true);
    this.pending?.resolve(false);
    return new Promise((resolve) => {
      this.pending = { ...request, resolve };
    });
  }

  answer(confirmed: boolean): void {
    const pending = this.pending;
    this.pending = null;
    pending?.resolve(confirmed);
  }
}
