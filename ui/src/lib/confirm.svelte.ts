// Two rules guard writes, one per kind of write, and each is answered in ONE dialog.
//
// Every write in production passes one more, explicit confirmation that names the
// environment (`ProductionGate`); in the sandbox the gate opens at once. The question lives
// here as state so one dialog (ProductionConfirm) can answer it for whichever form asked.
//
// A destructive write (revoking a key, deleting an endpoint) asks in both environments, in
// its own confirmation dialog: a plain confirm in the sandbox; in production the user also
// types the resource's name (`requiredTyping`). Typing the name is the production
// confirmation, so the gate is not asked again on top of it.

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

/** What a destructive action asks the user to type first: the resource's name in production, nothing in the sandbox. */
export function requiredTyping(environment: Environment, name: string): string | null {
  return environment === "production" ? name : null;
}

/** Whether the typed text unlocks the action: exactly the required text (case and spaces count), or anything when none is required. */
export function typingMatches(typed: string, required: string | null): boolean {
  return required === null || typed === required;
}
