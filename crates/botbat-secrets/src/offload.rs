//! Secret store calls from async code, run on tokio's blocking pool.
//!
//! Every call into the OS keychain is a blocking D-Bus round trip (with a key exchange and,
//! for a locked collection, a prompt that can wait for the user). Made on an async worker,
//! it stalls every other task scheduled there: HTTP requests, the inspector's receiver, the
//! progress events of a sync. [`AsyncSecrets`] moves each call to a blocking thread, and
//! async code holds only this type, so a keychain call on a worker cannot be written by
//! accident.

use std::sync::Arc;

use crate::{SecretId, SecretStore, SecretsError, Sensitive};

/// A [`SecretStore`] for async code: each call runs on the blocking pool.
#[derive(Clone)]
pub struct AsyncSecrets {
    store: Arc<dyn SecretStore>,
}

impl AsyncSecrets {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self { store }
    }

    /// Runs `call` against the store on a blocking thread: the one place a store call
    /// leaves the async worker. A call that several steps must not interleave with (read,
    /// change, write back) goes here whole.
    pub async fn run<R, F>(&self, call: F) -> Result<R, SecretsError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn SecretStore) -> Result<R, SecretsError> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || call(store.as_ref()))
            .await
            .map_err(|e| {
                SecretsError::Unavailable(format!("the keychain call did not finish: {e}"))
            })?
    }

    pub async fn get(&self, id: SecretId) -> Result<Option<Sensitive<String>>, SecretsError> {
        self.run(move |store| store.get(&id)).await
    }

    pub async fn set(&self, id: SecretId, secret: Sensitive<String>) -> Result<(), SecretsError> {
        self.run(move |store| store.set(&id, &secret)).await
    }

    /// `Ok(false)` when there was nothing to remove.
    pub async fn delete(&self, id: SecretId) -> Result<bool, SecretsError> {
        self.run(move |store| store.delete(&id)).await
    }

    /// `keychain` or `memory`; answered without a call into the store.
    pub fn location(&self) -> &'static str {
        self.store.location()
    }
}
