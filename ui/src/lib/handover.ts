// What a panel should open when it next loads, handed over by the command palette: an
// endpoint's deliveries, a Try It operation or history entry, a key. Taken once by the
// panel it names, then forgotten; a hand-over for another environment is dropped. The
// Inspector has its own hand-over (panels/inspector/handoff.ts), which this reuses.

import type { AppState } from "./app.svelte";
import type { Environment } from "./bindings/Environment";
import type { PanelId } from "./panels";

export type Reveal =
  | { panel: "webhooks"; webhookId: string; eventId: string | null }
  | { panel: "try-it"; operationId: string }
  | { panel: "try-it"; historyId: number }
  | { panel: "api-keys"; keyId: string };

interface Pending {
  environment: Environment;
  reveal: Reveal;
}

const pending = new WeakMap<AppState, Pending>();

/** Opens `panel`, so that it loads afresh and takes what was handed to it. */
export function openPanelAfresh(app: AppState, panel: PanelId): void {
  if (app.panel === panel) app.invalidate();
  else app.navigate(panel);
}

export function reveal(app: AppState, what: Reveal): void {
  pending.set(app, { environment: app.environment, reveal: what });
  openPanelAfresh(app, what.panel);
}

/** The hand-over for `panel` in `environment`, cleared as it is taken. */
export function takeReveal<P extends Reveal["panel"]>(
  app: AppState,
  panel: P,
  environment: Environment,
): Extract<Reveal, { panel: P }> | null {
  const found = pending.get(app);
  if (found === undefined || found.reveal.panel !== panel) return null;
  pending.delete(app);
  return found.environment === environment ? (found.reveal as Extract<Reveal, { panel: P }>) : null;
}
