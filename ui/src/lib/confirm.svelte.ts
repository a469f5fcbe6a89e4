// Two rules guard writes, one per kind of write, and each is answered in ONE dialog.
//
// Every write in production passes one more, explicit confirmation that names the
// environment (`ProductionGate`); in the sandbox the gate opens at once. The question lives
// here as state so one place can answer it for whichever form asked: the footer of the open
// dialog that asked (a dialog hosts the gate while it is open, see Modal), or, for a write
// started from a panel itself, the one confirmation dialog (ProductionConfirm). Never a
// modal on top of a modal.
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
  /** How many open dialogs answer the gate in their footer; none leaves it to ProductionConfirm. */
  hosts = $state(0);

  /** An open dialog answers the gate in its footer until the returned release is called. */
  host(): () => void {
    this.hosts += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.hosts -= 1;
      this.answer(false);
    };
  }

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
