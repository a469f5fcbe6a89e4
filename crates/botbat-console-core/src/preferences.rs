//! Where preferences persist. The app uses tauri-plugin-store; tests and tools use a JSON
//! file. Either way the typed [`Preferences`] is the only thing written, never a secret.

use std::path::PathBuf;

use crate::Preferences;

pub trait PreferencesStore: Send + Sync {
    /// `None` on first launch, or when the stored value is unreadable.
    fn load(&self) -> Option<Preferences>;
    fn save(&self, preferences: &Preferences) -> Result<(), String>;
}

pub struct JsonFilePreferences {
    path: PathBuf,
}

impl JsonFilePreferences {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl PreferencesStore for JsonFilePreferences {
    fn load(&self) -> Option<Preferences> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn save(&self, preferences: &Preferences) -> Result<(), String> {
        let text = serde_json::to_string_pretty(preferences).map_err(|e| e.to_string())?;
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, text).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path).map_err(|e| e.to_string())
    }
}
