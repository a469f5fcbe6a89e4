//! A profile: where one user's console keeps everything that is not a secret, found the
//! same way by the window and by `botbat`, so the two are one product.
//!
//! The window's data dir is Tauri's app data dir for the bundle identifier
//! (`$XDG_DATA_HOME/com.botbat.console`, i.e. `~/.local/share/com.botbat.console` on
//! Linux); `BOTBAT_DATA_DIR` points both at another one (tests, several profiles). The
//! preferences file is the window's tauri-plugin-store file, `preferences.json`, whose
//! one `preferences` entry is the typed [`Preferences`]; `botbat` reads and writes that
//! entry in place and leaves any other entry alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use botbat_secrets::SecretStore;
use serde_json::{Map, Value};

use crate::{
    CommandError, Console, ConsoleCode, Environment, Preferences, PreferencesStore, SandboxState,
    SharedSandbox,
};

/// The bundle identifier in `tauri.conf.json`: the name of the app data dir.
pub const APP_IDENTIFIER: &str = "com.botbat.console";
/// Overrides the data dir of the window and of `botbat`.
pub const DATA_DIR_ENV: &str = "BOTBAT_DATA_DIR";
/// The preferences file in the data dir (the window's tauri-plugin-store file).
pub const PREFERENCES_FILE: &str = "preferences.json";
/// The key of the preferences entry inside that file.
const PREFERENCES_KEY: &str = "preferences";
/// The embedded sandbox's data lives in this subdirectory of the data dir.
pub const SANDBOX_DIR: &str = "sandbox";

/// The profile's data dir: `BOTBAT_DATA_DIR` when set, else the platform's data dir
/// joined with [`APP_IDENTIFIER`], exactly what Tauri's `app_data_dir()` answers.
pub fn app_data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::data_dir().map(|d| d.join(APP_IDENTIFIER)),
    }
}

/// One user's console: its data dir, and from it the embedded sandbox's data dir, the
/// preferences file and the per-environment local stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub data_dir: PathBuf,
}

impl Profile {
    /// The profile at `data_dir`, or the default one ([`app_data_dir`]).
    pub fn locate(data_dir: Option<PathBuf>) -> Result<Self, CommandError> {
        let data_dir = data_dir.or_else(app_data_dir).ok_or_else(|| {
            CommandError::new(
                ConsoleCode::LocalStorage,
                format!("This system has no data directory for the console; set {DATA_DIR_ENV}."),
            )
        })?;
        std::fs::create_dir_all(&data_dir).map_err(|e| {
            CommandError::new(
                ConsoleCode::LocalStorage,
                format!("cannot create {}: {e}", data_dir.display()),
            )
        })?;
        Ok(Self { data_dir })
    }

    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join(SANDBOX_DIR)
    }

    pub fn preferences(&self) -> StoreFilePreferences {
        StoreFilePreferences::new(&self.data_dir)
    }

    /// Serves the profile's embedded sandbox here, or uses the one another process
    /// (the window, another `botbat`) serves, and keeps `console` pointed at it, also when
    /// that process ends and this one takes over.
    pub async fn open_sandbox(
        &self,
        console: &Arc<Console>,
        secrets: Arc<dyn SecretStore>,
        program: &str,
    ) -> Result<Arc<SharedSandbox>, CommandError> {
        let dir = self.sandbox_dir();
        match SharedSandbox::open(&dir, secrets, program).await {
            Ok(sandbox) => {
                console.set_sandbox_state(sandbox.state());
                let follower = console.clone();
                sandbox.follow(Arc::new(move |state| follower.set_sandbox_state(state)));
                Ok(Arc::new(sandbox))
            }
            Err(error) => {
                console.set_sandbox_state(SandboxState {
                    running: false,
                    base_url: None,
                    data_dir: Some(dir.display().to_string()),
                    error: Some(error.clone()),
                });
                Err(CommandError::new(
                    ConsoleCode::Unreachable,
                    format!("The embedded sandbox is not running: {error}"),
                ))
            }
        }
    }
}

/// The preferences entry of the window's store file, read and written without Tauri.
pub struct StoreFilePreferences {
    path: PathBuf,
}

impl StoreFilePreferences {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join(PREFERENCES_FILE),
        }
    }

    fn entries(&self) -> Map<String, Value> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
            .unwrap_or_default()
    }
}

impl PreferencesStore for StoreFilePreferences {
    fn load(&self) -> Option<Preferences> {
        serde_json::from_value(self.entries().remove(PREFERENCES_KEY)?).ok()
    }

    fn save(&self, preferences: &Preferences) -> Result<(), String> {
        let mut entries = self.entries();
        entries.insert(
            PREFERENCES_KEY.to_string(),
            serde_json::to_value(preferences).map_err(|e| e.to_string())?,
        );
        let text = serde_json::to_vec_pretty(&entries).map_err(|e| e.to_string())?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// What one run of a command overrides without persisting it: the environment it acts on
/// (`--env`) and that environment's base URL (`--base-url`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOverrides {
    pub environment: Option<Environment>,
    pub base_url: Option<String>,
}

/// Preferences seen through a run's overrides. Saving writes the underlying store with
/// only the fields the user changed, so an override never becomes a preference.
pub struct OverriddenPreferences {
    inner: Box<dyn PreferencesStore>,
    overrides: RunOverrides,
}

impl OverriddenPreferences {
    pub fn new(inner: Box<dyn PreferencesStore>, overrides: RunOverrides) -> Self {
        Self { inner, overrides }
    }

    fn apply(&self, mut preferences: Preferences) -> Preferences {
        if let Some(environment) = self.overrides.environment {
            preferences.active_environment = environment;
        }
        if let Some(url) = &self.overrides.base_url {
            match preferences.active_environment {
                Environment::Sandbox => preferences.sandbox_base_url_override = Some(url.clone()),
                Environment::Production => preferences.production_base_url = url.clone(),
            }
        }
        preferences
    }
}

impl PreferencesStore for OverriddenPreferences {
    fn load(&self) -> Option<Preferences> {
        Some(self.apply(self.inner.load().unwrap_or_default()))
    }

    fn save(&self, preferences: &Preferences) -> Result<(), String> {
        let stored = self.inner.load().unwrap_or_default();
        let seen = self.apply(stored.clone());
        let mut next = preferences.clone();
        if next.active_environment == seen.active_environment {
            next.active_environment = stored.active_environment;
        }
        if next.sandbox_base_url_override == seen.sandbox_base_url_override {
            next.sandbox_base_url_override = stored.sandbox_base_url_override;
        }
        if next.production_base_url == seen.production_base_url {
            next.production_base_url = stored.production_base_url;
        }
        self.inner.save(&next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Theme;

    #[test]
    fn the_store_file_keeps_the_window_format_and_other_entries() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(
            dir.path().join(PREFERENCES_FILE),
            r#"{"other":{"kept":true},"preferences":{"active_environment":"sandbox","sandbox_base_url_override":null,"production_base_url":"https://api.botbat.com/v1","theme":"dark"}}"#,
        )
        .expect("write");
        let store = StoreFilePreferences::new(dir.path());
        let mut preferences = store.load().expect("readable");
        assert_eq!(preferences.theme, Theme::Dark);
        assert!(
            !preferences.utc_times,
            "a file from before the UTC setting reads as local time"
        );
        preferences.active_environment = Environment::Production;
        preferences.utc_times = true;
        store.save(&preferences).expect("saved");
        let file: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join(PREFERENCES_FILE)).expect("read"),
        )
        .expect("json");
        assert_eq!(file["other"]["kept"], true);
        assert_eq!(file["preferences"]["active_environment"], "production");
        assert_eq!(file["preferences"]["theme"], "dark");
        assert_eq!(file["preferences"]["utc_times"], true);
    }

    #[test]
    fn overrides_are_seen_but_never_saved() {
        let dir = tempfile::tempdir().expect("dir");
        let store = OverriddenPreferences::new(
            Box::new(StoreFilePreferences::new(dir.path())),
            RunOverrides {
                environment: Some(Environment::Production),
                base_url: Some("http://127.0.0.1:9/v1".into()),
            },
        );
        let mut seen = store.load().expect("defaults");
        assert_eq!(seen.active_environment, Environment::Production);
        assert_eq!(seen.production_base_url, "http://127.0.0.1:9/v1");
        seen.theme = Theme::Light;
        store.save(&seen).expect("saved");
        let stored = StoreFilePreferences::new(dir.path())
            .load()
            .expect("stored");
        assert_eq!(stored.theme, Theme::Light);
        assert_eq!(stored.active_environment, Environment::Sandbox);
        assert_eq!(
            stored.production_base_url,
            crate::DEFAULT_PRODUCTION_BASE_URL
        );
    }
}
