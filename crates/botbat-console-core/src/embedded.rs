//! The zero-configuration start: a sandbox inside the console, on a free loopback port,
//! with its management key kept in the OS keychain (or, when there is none, in memory for
//! this run only).
//!
//! Without a keychain every launch mints a new full-scope key, since the last one's secret
//! left with the process. The ids of those keys are not secret, so they are written down
//! ([`MINTED_KEYS_FILE`] in the sandbox's data dir) and the next launch revokes them
//! through the API with its own new key: at most one such key is active at a time, and none
//! is left behind once a keychain keeps the key again.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use botbat_api::{Client, ClientConfig, ErrorCode, Plan};
use botbat_sandbox::{RunningSandbox, SandboxConfig};
use botbat_secrets::{AsyncSecrets, KeychainStore, MemoryStore, SecretId, SecretStore, Sensitive};
use serde::{Deserialize, Serialize};

use crate::{Environment, KeychainState, SandboxState};

pub const KEYCHAIN_SERVICE: &str = "botbat-console";

/// Ids of the full-scope keys the console minted into memory for the embedded sandbox and
/// has not revoked yet. Ids only: a key's id cannot authenticate anything.
pub const MINTED_KEYS_FILE: &str = "console-minted-keys.json";

pub fn management_key_id(environment: Environment) -> SecretId {
    SecretId::new(environment.as_str(), "management-key")
}

/// The start-up work that waits on the OS rather than on the window: the keychain probe (a
/// few D-Bus round trips) and the HTTP transport (the system's root certificates). Begun on
/// threads of their own as the process starts, they run while the toolkit and the window are
/// set up. The window's set-up runs on the thread that draws it, and everything it waits for
/// delays the first frame (both together took 0.1 s there), so it collects them
/// ([`EarlyStart::finish`]) instead of doing them.
pub struct EarlyStart {
    secrets: std::thread::JoinHandle<(Arc<dyn SecretStore>, KeychainState)>,
    transport: std::thread::JoinHandle<Result<reqwest::Client, botbat_api::ClientError>>,
}

impl EarlyStart {
    pub fn begin(service: &'static str) -> Self {
        Self {
            secrets: std::thread::spawn(move || open_secret_store(service)),
            transport: std::thread::spawn(botbat_api::http_transport),
        }
    }

    /// Waits for both. A probe that panicked counts as no keychain, as one that failed does;
    /// a transport that could not be built is left to [`crate::Console::transport`], which
    /// tries again on first use and reports the error there.
    pub fn finish(self) -> EarlyStarted {
        let (secrets, keychain) = self.secrets.join().unwrap_or_else(|_| {
            (
                Arc::new(MemoryStore::new()),
                KeychainState {
                    available: false,
                    message: Some("the OS keychain probe stopped with an internal error".into()),
                },
            )
        });
        EarlyStarted {
            secrets,
            keychain,
            transport: self.transport.join().ok().and_then(Result::ok),
        }
    }
}

/// What [`EarlyStart::finish`] hands to the console.
pub struct EarlyStarted {
    pub secrets: Arc<dyn SecretStore>,
    pub keychain: KeychainState,
    pub transport: Option<reqwest::Client>,
}

/// The OS keychain when it works, else a memory store and the reason, for the banner.
pub fn open_secret_store(service: &str) -> (Arc<dyn SecretStore>, KeychainState) {
    let keychain = KeychainStore::new(service);
    match keychain.probe() {
        Ok(()) => (
            Arc::new(keychain),
            KeychainState {
                available: true,
                message: None,
            },
        ),
        Err(error) => {
            tracing::warn!(%error, "OS keychain unavailable; secrets stay in memory for this run");
            (
                Arc::new(MemoryStore::new()),
                KeychainState {
                    available: false,
                    message: Some(error.detail().to_string()),
                },
            )
        }
    }
}

pub struct EmbeddedSandbox {
    pub running: RunningSandbox,
    pub state: SandboxState,
}

/// Starts the sandbox on `data_dir` with the stored sandbox management key, creating and
/// storing one on first launch (and on every launch without a keychain, revoking the key
/// the previous such launch minted).
pub async fn start_embedded_sandbox(
    data_dir: &Path,
    secrets: &Arc<dyn SecretStore>,
) -> Result<EmbeddedSandbox, String> {
    start_embedded_sandbox_on(data_dir, secrets, 0).await
}

/// [`start_embedded_sandbox`] on a chosen loopback port (0: any free one).
pub(crate) async fn start_embedded_sandbox_on(
    data_dir: &Path,
    secrets: &Arc<dyn SecretStore>,
    port: u16,
) -> Result<EmbeddedSandbox, String> {
    let store = AsyncSecrets::new(secrets.clone());
    let id = management_key_id(Environment::Sandbox);
    let (key, minted) = match store.get(id.clone()).await {
        Ok(Some(key)) if botbat_sandbox::ids::is_key_shaped(key.expose()) => (key, false),
        Ok(_) => {
            let key = Sensitive::new(botbat_sandbox::ids::api_key_secret());
            store
                .set(id, key.clone())
                .await
                .map_err(|e| format!("could not store the sandbox key: {e}"))?;
            (key, true)
        }
        Err(error) => return Err(format!("could not read the sandbox key: {error}")),
    };
    let mut config = SandboxConfig::new(SocketAddr::from(([127, 0, 0, 1], port)), data_dir);
    config.plan = Plan::Starter;
    config.admin_key = Some(key.clone());
    let running = botbat_sandbox::start(config)
        .await
        .map_err(|e| format!("the embedded sandbox did not start: {e:#}"))?;
    let in_memory = minted && store.location() == "memory";
    if let Err(error) = retire_minted_keys(data_dir, &running.base_url, key, in_memory).await {
        tracing::warn!(%error, "could not revoke the sandbox keys earlier launches minted; the next launch tries again");
    }
    let state = SandboxState {
        running: true,
        base_url: Some(running.base_url.clone()),
        data_dir: Some(data_dir.display().to_string()),
        error: None,
    };
    Ok(EmbeddedSandbox { running, state })
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct MintedKeys {
    key_ids: Vec<String>,
}

/// Revokes the keys earlier launches minted into memory (all but `key`'s own), and writes
/// down `key`'s id when it lives only in memory too. A key that could not be revoked stays
/// on the list for the next launch.
async fn retire_minted_keys(
    data_dir: &Path,
    base_url: &str,
    key: Sensitive<String>,
    in_memory: bool,
) -> Result<(), String> {
    let path = data_dir.join(MINTED_KEYS_FILE);
    let recorded: MintedKeys = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, path = %path.display(), "unreadable list of minted keys; starting a new one");
            MintedKeys::default()
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => MintedKeys::default(),
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    if recorded.key_ids.is_empty() && !in_memory {
        return Ok(());
    }
    let client = Client::new(ClientConfig::new(base_url, Some(key)).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let own = client.me().await.map_err(|e| e.to_string())?.data.key.id;
    let mut still_active = Vec::new();
    for id in recorded.key_ids.into_iter().filter(|id| *id != own) {
        match client.revoke_api_key(&id).await {
            Ok(_) => {
                tracing::info!(key_id = %id, "revoked the sandbox key an earlier launch minted")
            }
            // Gone, or revoked already (by hand, or by a launch that could not write this
            // file afterwards): nothing left to do.
            Err(error)
                if error.api().is_some_and(|e| {
                    matches!(e.code, ErrorCode::NotFound | ErrorCode::Conflict)
                }) => {}
            Err(error) => {
                tracing::warn!(key_id = %id, %error, "could not revoke an earlier launch's sandbox key");
                still_active.push(id);
            }
        }
    }
    if in_memory {
        still_active.push(own);
    }
    if still_active.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("cannot remove {}: {error}", path.display()))
            }
            _ => Ok(()),
        };
    }
    let text = serde_json::to_string_pretty(&MintedKeys {
        key_ids: still_active,
    })
    .map_err(|e| e.to_string())?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
