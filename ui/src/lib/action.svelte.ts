// A dialog's submit: one request at a time, a spinner while it runs, and the failure shown
// in the dialog so the user can fix it and try again. `environment_changed` is not such a
// failure: the form was opened for an environment that is no longer active, so the panel
// closes it and reloads instead.

import { BackendError } from "./backend";
import type { Environment } from "./bindings/Environment";

/** What a panel hands each of its form dialogs. */
export interface DialogProps {
  /** The environment the dialog was opened for; it writes there or nowhere. */
  environment: Environment;
  onclose: () => void;
  /** The panel closes the dialog, says why and reloads. */
  onenvchanged: (error: BackendError) => void;
}

export class Action {
  busy = $state(false);
  failure = $state<BackendError | null>(null);

  /**
   * Runs `work` unless a run is under way. A failure is kept in `failure`; an
   * `environment_changed` answer goes to `onenvchanged` instead.
   */
  async run(work: () => Promise<void>, onenvchanged?: (error: BackendError) => void): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.failure = null;
    try {
      await work();
    } catch (raw) {
      const error = BackendError.from(raw);
      if (error.code === "environment_changed" && onenvchanged) onenvchanged(error);
      else this.failure = error;
    } finally {
      this.busy = false;
    }
  }
}
