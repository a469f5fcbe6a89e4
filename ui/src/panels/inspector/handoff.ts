// What the Inspector should show when it opens next. Another panel can hand over an
// event (the Event Simulator's "Open in Inspector"), which the Inspector opens as soon as
// its capture arrives; taken once, then forgotten. And the Inspector remembers its own
// view (filters, the open capture) while the user looks at another panel. Both live as
// long as the window's AppState, not longer.

import type { AppState } from "../../lib/app.svelte";
import type { InspectorScope } from "../../lib/backend";

export interface InspectorFocus {
  scope: InspectorScope;
  eventId: string;
}

export interface InspectorView {
  scope: InspectorScope;
  selectedId: number | null;
  eventType: string;
  verdict: string;
  forward: string;
  search: string;
}

const focuses = new WeakMap<AppState, InspectorFocus>();
const views = new WeakMap<AppState, InspectorView>();

export function focusInspector(app: AppState, focus: InspectorFocus): void {
  focuses.set(app, focus);
}

/** The pending focus for `scope`, cleared as it is taken. */
export function takeInspectorFocus(app: AppState, scope: InspectorScope): InspectorFocus | null {
  const focus = focuses.get(app) ?? null;
  focuses.delete(app);
  return focus !== null && focus.scope === scope ? focus : null;
}

export function rememberInspectorView(app: AppState, view: InspectorView): void {
  views.set(app, view);
}

/** The view the Inspector left for `scope`, if it left one. */
export function recallInspectorView(app: AppState, scope: InspectorScope): InspectorView | null {
  const view = views.get(app) ?? null;
  return view !== null && view.scope === scope ? view : null;
}
