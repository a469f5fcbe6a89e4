//! The zero-configuration start: a sandbox inside the console, on a free loopback port,
//! with its management key kept in the OS keychain (or, when there is none, in memory for
//! this run only).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use botbat_api::Plan;
use botbat_sandbox::{RunningSandbox, SandboxConfig};
use botbat_secrets::{KeychainStore, MemoryStore, SecretId, SecretStore, Sensitive};

use crate::{Environment, KeychainState, SandboxState};

pub const KEYCHAIN_SERVICE: &str = "botbat-console";

pub fn management_key_id(environment: Environment) -> SecretId {
    SecretId::new(environment.as_str(), "management-key")
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
/// storing one on first launch.
pub async fn start_embedded_sandbox(
    data_dir: &Path,
    secrets: &dyn SecretStore,
) -> Result<EmbeddedSandbox, String> {
    start_embedded_sandbox_on(data_dir, secrets, 0).await
}

/// [`start_embedded_sandbox`] on a chosen loopback port (0: any free one).
pub(crate) async fn start_embedded_sandbox_on(
    data_dir: &Path,
    secrets: &dyn SecretStore,
    port: u16,
) -> Result<EmbeddedSandbox, String> {
    let id = management_key_id(Environment::Sandbox);
    let key = match secrets.get(&id) {
        Ok(Some(key)) if botbat_sandbox::ids::is_key_shaped(key.expose()) => key,
        Ok(_) => {
            let key = Sensitive::new(botbat_sandbox::ids::api_key_secret());
            secrets
                .set(&id, &key)
                .map_err(|e| format!("could not store the sandbox key: {e}"))?;
            key
        }
        Err(error) => return Err(format!("could not read the sandbox key: {error}")),
    };
    let mut config = SandboxConfig::new(SocketAddr::from(([127, 0, 0, 1], port)), data_dir);
    config.plan = Plan::Starter;
    config.admin_key = Some(key);
    let running = botbat_sandbox::start(config)
        .await
        .map_err(|e| format!("the embedded sandbox did not start: {e:#}"))?;
    let state = SandboxState {
        running: true,
        base_url: Some(running.base_url.clone()),
        data_dir: Some(data_dir.display().to_string()),
        error: None,
    };
    Ok(EmbeddedSandbox { running, state })
}
