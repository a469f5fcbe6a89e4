//! What more than one test file of the console needs: a sandbox on loopback whose
//! management key is already where the console looks for it, and a console wired to an
//! embedded sandbox the way the app starts one.

#![allow(dead_code)]

pub mod snippets;

use std::sync::Arc;

use botbat_api::Plan;
use botbat_console_core::{
    start_embedded_sandbox, Console, EmbeddedSandbox, JsonFilePreferences, KeychainState,
};
use botbat_sandbox::{Limits, RunningSandbox, SandboxConfig};
use botbat_secrets::{SecretId, SecretStore, Sensitive};

/// A console with its data dir in a temp dir, wired to an embedded sandbox started there
/// with the same secret store.
pub struct EmbeddedConsole {
    pub console: Arc<Console>,
    pub sandbox: EmbeddedSandbox,
    pub dir: tempfile::TempDir,
}

/// The real keychain in a keyring session (`scripts/with-keyring.sh`), under a service of
/// this test process's own, and memory otherwise.
pub fn keychain_or_memory(service: &str) -> Arc<dyn SecretStore> {
    if std::env::var("BOTBAT_TEST_KEYRING").is_ok_and(|v| v == "1") {
        let store = botbat_secrets::KeychainStore::new(format!(
            "botbat-console-test-{service}-{}",
            std::process::id()
        ));
        store.probe().expect("the session's keyring works");
        Arc::new(store)
    } else {
        Arc::new(botbat_secrets::MemoryStore::new())
    }
}

/// A console with its preferences (`prefs.json`) and data dir (`data/`) in `dir`.
pub fn console_in(dir: &std::path::Path, secrets: Arc<dyn SecretStore>) -> Console {
    Console::new(
        Box::new(JsonFilePreferences::new(dir.join("prefs.json"))),
        secrets,
        KeychainState {
            available: true,
            message: None,
        },
        "test",
    )
    .with_data_dir(dir.join("data"))
}

/// Starts an embedded sandbox in a fresh temp dir (its key in `secrets`) and a console
/// whose data dir and preferences are beside it, as the app does at launch.
pub async fn embedded_console(secrets: Arc<dyn SecretStore>) -> EmbeddedConsole {
    let dir = tempfile::tempdir().expect("dir");
    let sandbox = start_embedded_sandbox(&dir.path().join("sandbox"), &secrets)
        .await
        .expect("sandbox");
    let console = Arc::new(console_in(dir.path(), secrets));
    console.set_sandbox_state(sandbox.state.clone());
    EmbeddedConsole {
        console,
        sandbox,
        dir,
    }
}

/// Starts a sandbox in `dir` with `plan` (and `limits` instead of the plan's, if given)
/// and stores its management key in `secrets`. Returns the sandbox and the key.
pub async fn sandbox_with_key(
    dir: &std::path::Path,
    secrets: &dyn SecretStore,
    plan: Plan,
    limits: Option<Limits>,
) -> (RunningSandbox, String) {
    let key = botbat_sandbox::ids::api_key_secret();
    secrets
        .set(
            &SecretId::new("sandbox", "management-key"),
            &Sensitive::new(key.clone()),
        )
        .expect("store key");
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir.to_path_buf());
    config.plan = plan;
    config.admin_key = Some(Sensitive::new(key.clone()));
    config.limits = limits;
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    (sandbox, key)
}
