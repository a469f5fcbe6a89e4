//! The storage contract for secrets, and the in-memory store used when no keychain exists.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::Sensitive;

/// Names one secret: the environment it belongs to (`sandbox`, `production`) and what it is
/// (`management-key`, `api-key/key_…`, `webhook/we_…`). Secrets of different environments
/// never share an entry, so switching environments can never pick up the other one's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretId {
    pub environment: String,
    pub name: String,
}

impl SecretId {
    pub fn new(environment: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            environment: environment.into(),
            name: name.into(),
        }
    }

    /// The account name under which the keychain files this secret.
    pub fn account(&self) -> String {
        format!("{}/{}", self.environment, self.name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// No keychain answered, or it refused access (locked, no Secret Service on the bus).
    #[error("the OS keychain is unavailable: {0}")]
    Unavailable(String),
    /// The keychain answered but could not store or read this entry.
    #[error("the OS keychain could not handle this secret: {0}")]
    Rejected(String),
}

impl SecretsError {
    /// What went wrong, without the "keychain unavailable" preamble, for a sentence that
    /// already says so.
    pub fn detail(&self) -> &str {
        match self {
            SecretsError::Unavailable(detail) | SecretsError::Rejected(detail) => detail,
        }
    }

    /// A stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            SecretsError::Unavailable(_) => "keychain_unavailable",
            SecretsError::Rejected(_) => "keychain_rejected",
        }
    }
}

/// Where secrets live. `get` returns `Ok(None)` for "not stored", which is not an error.
pub trait SecretStore: Send + Sync {
    fn get(&self, id: &SecretId) -> Result<Option<Sensitive<String>>, SecretsError>;
    fn set(&self, id: &SecretId, secret: &Sensitive<String>) -> Result<(), SecretsError>;
    /// Removes the secret; `Ok(false)` when there was nothing to remove.
    fn delete(&self, id: &SecretId) -> Result<bool, SecretsError>;
    /// `keychain` or `memory`, shown to the user next to each stored secret.
    fn location(&self) -> &'static str;
}

/// Holds secrets for the lifetime of the process only. Used when the OS keychain is
/// unavailable: the console keeps working for this run and says so, and nothing is written
/// to disk.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<SecretId, Sensitive<String>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<SecretId, Sensitive<String>>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, id: &SecretId) -> Result<Option<Sensitive<String>>, SecretsError> {
        Ok(self.entries().get(id).cloned())
    }

    fn set(&self, id: &SecretId, secret: &Sensitive<String>) -> Result<(), SecretsError> {
        self.entries().insert(id.clone(), secret.clone());
        Ok(())
    }

    fn delete(&self, id: &SecretId) -> Result<bool, SecretsError> {
        Ok(self.entries().remove(id).is_some())
    }

    fn location(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_separates_environments() {
        let store = MemoryStore::new();
        let sandbox = SecretId::new("sandbox", "management-key");
        let production = SecretId::new("production", "management-key");
        store
            .set(&sandbox, &Sensitive::new("bb_test_x".to_string()))
            .expect("set");
        assert_eq!(
            store.get(&sandbox).expect("get").map(|s| s.into_inner()),
            Some("bb_test_x".to_string())
        );
        assert!(store.get(&production).expect("get").is_none());
        assert!(store.delete(&sandbox).expect("delete"));
        assert!(!store.delete(&sandbox).expect("delete again"));
    }
}
