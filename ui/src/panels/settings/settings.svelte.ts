// The Settings panel's state and what it does: the preferences and environments as the
// backend has them, and for each environment the base-URL and management-key forms with
// their own problem, failure, busy and notice, plus the last connection test. The panel
// only lays it out.
import type { AppState } from "../../lib/app.svelte";
import {
  BackendError,
  clearManagementKey,
  getPreferences,
  listEnvironments,
  saveSettings,
  setManagementKey,
  testConnection,
} from "../../lib/backend";
import type { ConnectionReport } from "../../lib/bindings/ConnectionReport";
import type { Environment } from "../../lib/bindings/Environment";
import type { EnvironmentInfo } from "../../lib/bindings/EnvironmentInfo";
import type { KeyPresence } from "../../lib/bindings/KeyPresence";
import type { Preferences } from "../../lib/bindings/Preferences";
import type { SettingsInput } from "../../lib/bindings/SettingsInput";
import type { Theme } from "../../lib/bindings/Theme";
import { setUtcTimes } from "../../lib/time.svelte";
import { baseUrlProblem, DEFAULT_PRODUCTION_BASE_URL } from "../../lib/url";

export interface EnvForm {
  url: string;
  urlProblem: string | null;
  urlFailure: BackendError | null;
  urlBusy: boolean;
  urlNotice: string | null;
  key: string;
  keyProblem: string | null;
  keyFailure: BackendError | null;
  keyBusy: boolean;
  keyNotice: string | null;
}

export interface ConnectionResult {
  environment: Environment;
  report: ConnectionReport | null;
  error: BackendError | null;
}

function blankForm(): EnvForm {
  return {
    url: "",
    urlProblem: null,
    urlFailure: null,
    urlBusy: false,
    urlNotice: null,
    key: "",
    keyProblem: null,
    keyFailure: null,
    keyBusy: false,
    keyNotice: null,
  };
}

export class SettingsState {
  preferences = $state<Preferences | null>(null);
  environments = $state<EnvironmentInfo[]>([]);
  loadError = $state<BackendError | null>(null);
  forms = $state<Record<Environment, EnvForm>>({ sandbox: blankForm(), production: blankForm() });
  testing = $state<Environment | null>(null);
  connection = $state<ConnectionResult | null>(null);
  themeFailure = $state<BackendError | null>(null);
  timesFailure = $state<BackendError | null>(null);

  private readonly app: AppState;

  constructor(app: AppState) {
    this.app = app;
  }

  async load(): Promise<void> {
    this.loadError = null;
    try {
      const [prefs, infos] = await Promise.all([getPreferences(), listEnvironments()]);
      this.preferences = prefs;
      this.environments = infos;
      this.forms.sandbox.url = prefs.sandbox_base_url_override ?? "";
      this.forms.production.url = prefs.production_base_url;
    } catch (raw) {
      this.loadError = BackendError.from(raw);
    }
  }

  info(environment: Environment): EnvironmentInfo | null {
    return this.environments.find((e) => e.environment === environment) ?? null;
  }

  private replaceInfo(next: EnvironmentInfo): void {
    this.environments = this.environments.some((e) => e.environment === next.environment)
      ? this.environments.map((e) => (e.environment === next.environment ? next : e))
      : [...this.environments, next];
  }

  private currentInput(): SettingsInput | null {
    if (this.preferences === null) return null;
    return {
      sandbox_base_url_override: this.preferences.sandbox_base_url_override,
      production_base_url: this.preferences.production_base_url,
      theme: this.preferences.theme,
      utc_times: this.preferences.utc_times,
    };
  }

  /** Saves a base URL; `null` for the sandbox means "use the embedded sandbox". */
  async saveUrl(environment: Environment, value: string | null): Promise<void> {
    const form = this.forms[environment];
    const input = this.currentInput();
    if (input === null) return;
    form.urlProblem = null;
    form.urlFailure = null;
    form.urlNotice = null;
    if (value !== null) {
      form.urlProblem = baseUrlProblem(value);
      if (form.urlProblem !== null) return;
      value = value.trim();
    }
    if (environment === "sandbox") input.sandbox_base_url_override = value;
    else input.production_base_url = value ?? DEFAULT_PRODUCTION_BASE_URL;

    form.urlBusy = true;
    try {
      this.preferences = await saveSettings(input);
      this.environments = await listEnvironments();
      form.url =
        environment === "sandbox"
          ? (this.preferences.sandbox_base_url_override ?? "")
          : this.preferences.production_base_url;
      form.urlNotice = "Saved.";
      if (this.connection?.environment === environment) this.connection = null;
      await this.app.refreshStatus();
    } catch (raw) {
      form.urlFailure = BackendError.from(raw);
    } finally {
      form.urlBusy = false;
    }
  }

  async saveKey(environment: Environment): Promise<void> {
    const form = this.forms[environment];
    const key = form.key.trim();
    form.keyProblem = null;
    form.keyFailure = null;
    form.keyNotice = null;
    if (key === "") {
      form.keyProblem = "Paste a management key first.";
      return;
    }
    if (/\s/.test(key)) {
      form.keyProblem = "A key contains no spaces; check what you pasted.";
      return;
    }
    // The secret leaves the input before the call: it must never be shown again.
    form.key = "";
    form.keyBusy = true;
    try {
      const next = await setManagementKey(environment, key);
      this.replaceInfo(next);
      form.keyNotice =
        next.management_key.location === "keychain"
          ? "Saved to the OS keychain."
          : "Held in memory for this run only; it will not be saved.";
      this.afterKeyChange(environment);
    } catch (raw) {
      form.keyFailure = BackendError.from(raw);
    } finally {
      form.keyBusy = false;
    }
  }

  async removeKey(environment: Environment): Promise<void> {
    const form = this.forms[environment];
    form.keyProblem = null;
    form.keyFailure = null;
    form.keyNotice = null;
    form.keyBusy = true;
    try {
      this.replaceInfo(await clearManagementKey(environment));
      form.keyNotice = "Key removed.";
      this.afterKeyChange(environment);
    } catch (raw) {
      form.keyFailure = BackendError.from(raw);
    } finally {
      form.keyBusy = false;
    }
  }

  private afterKeyChange(environment: Environment): void {
    if (this.connection?.environment === environment) this.connection = null;
    // The status says whether the active environment has a key (Create and Add need one).
    void this.app.refreshStatus();
  }

  async runTest(environment: Environment): Promise<void> {
    this.testing = environment;
    this.connection = null;
    try {
      const report = await testConnection(environment);
      this.connection = { environment, report, error: null };
    } catch (raw) {
      this.connection = { environment, report: null, error: BackendError.from(raw) };
    } finally {
      this.testing = null;
    }
  }

  async chooseTheme(theme: Theme): Promise<void> {
    const input = this.currentInput();
    this.app.setTheme(theme);
    this.themeFailure = null;
    if (input === null) return;
    try {
      this.preferences = await saveSettings({ ...input, theme });
    } catch (raw) {
      this.themeFailure = BackendError.from(raw);
    }
  }

  /** Shows every time in UTC (or local time again) at once, then saves the choice. */
  async chooseUtcTimes(utc: boolean): Promise<void> {
    const input = this.currentInput();
    setUtcTimes(utc);
    this.timesFailure = null;
    if (input === null) return;
    try {
      this.preferences = await saveSettings({ ...input, utc_times: utc });
    } catch (raw) {
      this.timesFailure = BackendError.from(raw);
    }
  }
}

export function keyLocation(presence: KeyPresence): string {
  if (presence.location === "keychain") return "Stored in the OS keychain";
  if (presence.location === "memory") return "In memory for this run only";
  return "Not stored";
}
