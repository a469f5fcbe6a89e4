// A dialog's submit: one request at a time, a spinner while it runs, and the failure shown
// in the dialog so the user can fix it and try again. `environment_changed` is not such a
// failure: the form was opened for an environment that is no longer active, so the panel
// closes it and reloads instead. A form with several submits (send as edited, re-sign and
// send) names each one, so its button shows the spinner while the others only wait.

import { BackendError } from "./backend";
import type { Environment } from "./bindings/Environment";
import { adviceFor } from "./errors";

/** What a panel hands each of its form dialogs. */
export interface DialogProps {
  /** The environment the dialog was opened for; it writes there or nowhere. */
  environment: Environment;
  onclose: () => void;
  /** The panel closes the dialog, says why and reloads. */
  onenvchanged: (error: BackendError) => void;
}

export class Action<Key extends string = never> {
  busy = $state(false);
  /** Which named run is under way (see `runAs`); null when none is, or it has no name. */
  running = $state<Key | null>(null);
  failure = $state<BackendError | null>(null);

  /**
   * Runs `work` unless a run is under way. A failure is kept in `failure` and returned; an
   * `environment_changed` answer goes to `onenvchanged` instead.
   */
  run(work: () => Promise<void>, onenvchanged?: (error: BackendError) => void): Promise<BackendError | null> {
    return this.#run(null, work, onenvchanged);
  }

  /** `run`, naming the run so the form can tell which of its submits is under way. */
  runAs(
    key: Key,
    work: () => Promise<void>,
    onenvchanged?: (error: BackendError) => void,
  ): Promise<BackendError | null> {
    return this.#run(key, work, onenvchanged);
  }

  async #run(
    key: Key | null,
    work: () => Promise<void>,
    onenvchanged?: (error: BackendError) => void,
  ): Promise<BackendError | null> {
    if (this.busy) return null;
    this.busy = true;
    this.running = key;
    this.failure = null;
    try {
      await work();
    } catch (raw) {
      const error = BackendError.from(raw);
      if (adviceFor(error).reloads && onenvchanged) onenvchanged(error);
      else this.failure = error;
    } finally {
      this.busy = false;
      this.running = null;
    }
    return this.failure;
  }
}
