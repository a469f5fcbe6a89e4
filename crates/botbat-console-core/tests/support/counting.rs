//! A secret store that counts the reads reaching the store underneath: the tests that
//! check how often the console goes to the keychain share it.

use std::sync::Arc;

use botbat_secrets::SecretStore;

/// Counts the reads that reach the store underneath.
pub struct Counting {
    inner: Arc<dyn SecretStore>,
    gets: std::sync::atomic::AtomicUsize,
}

impl SecretStore for Counting {
    fn get(
        &self,
        id: &botbat_secrets::SecretId,
    ) -> Result<Option<botbat_secrets::Sensitive<String>>, botbat_secrets::SecretsError> {
        self.gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.get(id)
    }
    fn set(
        &self,
        id: &botbat_secrets::SecretId,
        secret: &botbat_secrets::Sensitive<String>,
    ) -> Result<(), botbat_secrets::SecretsError> {
        self.inner.set(id, secret)
    }
    fn delete(&self, id: &botbat_secrets::SecretId) -> Result<bool, botbat_secrets::SecretsError> {
        self.inner.delete(id)
    }
    fn location(&self) -> &'static str {
        self.inner.location()
    }
}

impl Counting {
    pub fn new(inner: Arc<dyn SecretStore>) -> Self {
        Self {
            inner,
            gets: Default::default(),
        }
    }

    pub fn reads(&self) -> usize {
        self.gets.load(std::sync::atomic::Ordering::SeqCst)
    }
}
