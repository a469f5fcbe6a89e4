//! Preferences in tauri-plugin-store, typed: the store holds one `preferences` entry that
//! (de)serializes as `botbat_console_core::Preferences`, so the rest of the app never sees
//! untyped JSON.

use std::path::Path;
use std::sync::Arc;

use botbat_console_core::{Preferences, PreferencesStore};
use tauri::{AppHandle, Wry};
use tauri_plugin_store::{Store, StoreExt};

const KEY: &str = "preferences";

pub struct PluginPreferences {
    store: Arc<Store<Wry>>,
}

impl PluginPreferences {
    /// The store file in `data_dir`, the one `botbat` reads and writes too.
    pub fn open(app: &AppHandle, data_dir: &Path) -> Result<Self, tauri_plugin_store::Error> {
        Ok(Self {
            store: app.store(data_dir.join(botbat_console_core::profile::PREFERENCES_FILE))?,
        })
    }
}

impl PreferencesStore for PluginPreferences {
    fn load(&self) -> Option<Preferences> {
        let value = self.store.get(KEY)?;
        match serde_json::from_value(value) {
            Ok(preferences) => Some(preferences),
            Err(error) => {
                tracing::warn!(%error, "stored preferences are unreadable; using defaults");
                None
            }
        }
    }

    fn save(&self, preferences: &Preferences) -> Result<(), String> {
        let value = serde_json::to_value(preferences).map_err(|e| e.to_string())?;
        self.store.set(KEY, value);
        self.store.save().map_err(|e| e.to_string())
    }
}
