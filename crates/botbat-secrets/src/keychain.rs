//! The OS keychain (Secret Service on Linux) through the `keyring` crate.
//!
//! `keyring`'s `NoEntry` means "not stored" and is returned as `Ok(None)`; a missing D-Bus
//! service, a locked collection or a refused prompt become [`SecretsError::Unavailable`],
//! which the UI explains instead of failing silently.

use std::sync::Mutex;

use keyring::Entry;

use crate::{SecretId, SecretStore, SecretsError, Sensitive};

/// This process's Secret Service calls go one at a time. gnome-keyring, asked to create or
/// delete one item while another call reads a different one, can answer the read with an
/// object that is gone ("No such interface … Secret.Item"); seen with a probe beside the
/// saves of another task, in one test run of two under load.
static ONE_CALL_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time<T>(call: impl FnOnce() -> T) -> T {
    let _turn = ONE_CALL_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    call()
}

pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    /// `service` namespaces every entry (the console uses `botbat-console`).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, id: &SecretId) -> Result<Entry, SecretsError> {
        Entry::new(&self.service, &id.account()).map_err(map_error)
    }

    /// Writes, reads back and deletes a probe entry: the only reliable way to learn whether
    /// the keychain is usable before the user trusts it with a secret.
    pub fn probe(&self) -> Result<(), SecretsError> {
        // Each probe writes an entry of its own: two probes at once (the window and
        // `botbat` starting together, or two tests) must not delete each other's value and
        // conclude the keychain is unavailable.
        static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nth = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = SecretId::new(
            "probe",
            format!("availability-{}-{nth}", std::process::id()),
        );
        let value = Sensitive::new("probe".to_string());
        self.set(&id, &value)?;
        let read = self.get(&id)?;
        self.delete(&id)?;
        match read {
            Some(v) if v == value => Ok(()),
            _ => Err(SecretsError::Unavailable(
                "the keychain accepted a value but did not return it".into(),
            )),
        }
    }
}

fn map_error(error: keyring::Error) -> SecretsError {
    match error {
        keyring::Error::PlatformFailure(e) => SecretsError::Unavailable(e.to_string()),
        keyring::Error::NoStorageAccess(e) => SecretsError::Unavailable(e.to_string()),
        other => SecretsError::Rejected(other.to_string()),
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, id: &SecretId) -> Result<Option<Sensitive<String>>, SecretsError> {
        let entry = self.entry(id)?;
        match one_at_a_time(|| entry.get_password()) {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, id: &SecretId, secret: &Sensitive<String>) -> Result<(), SecretsError> {
        let entry = self.entry(id)?;
        one_at_a_time(|| entry.set_password(secret.expose())).map_err(map_error)
    }

    fn delete(&self, id: &SecretId) -> Result<bool, SecretsError> {
        let entry = self.entry(id)?;
        match one_at_a_time(|| entry.delete_credential()) {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e)),
        }
    }

    fn location(&self) -> &'static str {
        "keychain"
    }
}
