//! Secrets for the console: a redacting wrapper and the OS keychain.
//!
//! Every secret the console handles (API keys, webhook signing secrets, management keys)
//! travels inside [`Sensitive`], so that a stray `{:?}` in a log line or an error message
//! prints `<redacted>` instead of the value. Persisting secrets goes through
//! [`SecretStore`]: the OS keychain in normal use, or [`MemoryStore`] for the rest of the
//! run when the keychain is missing or locked, so the app keeps working without writing a
//! secret anywhere on disk. Async code reaches either through [`AsyncSecrets`], which runs
//! each call on the blocking pool instead of an async worker.

mod mask;
mod sensitive;
mod store;

#[cfg(feature = "keychain")]
mod keychain;
#[cfg(feature = "keychain")]
mod offload;

pub use mask::{mask_parts, mask_secret};
pub use sensitive::Sensitive;
pub use store::{MemoryStore, SecretId, SecretStore, SecretsError};

#[cfg(feature = "keychain")]
pub use keychain::KeychainStore;
#[cfg(feature = "keychain")]
pub use offload::AsyncSecrets;
