//! Runs against the real Secret Service. The test command starts an unlocked gnome-keyring
//! in a private D-Bus session (`scripts/with-keyring.sh`); outside such a session there is
//! no keychain, and the test checks that this is reported as `keychain_unavailable`.

use std::sync::Arc;

use botbat_secrets::{AsyncSecrets, KeychainStore, SecretId, SecretStore, SecretsError, Sensitive};

fn session_has_keyring() -> bool {
    std::env::var("BOTBAT_TEST_KEYRING").is_ok_and(|v| v == "1")
}

#[test]
fn stores_reads_and_deletes_in_the_os_keychain() {
    let store = KeychainStore::new("botbat-console-test");
    if !session_has_keyring() {
        let err = store.probe().expect_err("no keyring in this session");
        assert_eq!(err.code(), "keychain_unavailable", "{err}");
        return;
    }
    store.probe().expect("keychain usable");
    let id = SecretId::new(
        "sandbox",
        format!("api-key/key_test_{}", std::process::id()),
    );
    assert!(store.get(&id).expect("get").is_none(), "starts not stored");
    let secret = Sensitive::new("bb_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string());
    store.set(&id, &secret).expect("set");
    assert_eq!(store.get(&id).expect("get"), Some(secret.clone()));
    let replacement = Sensitive::new("bb_test_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB".to_string());
    store.set(&id, &replacement).expect("replace");
    assert_eq!(store.get(&id).expect("get"), Some(replacement.clone()));
    let other_env = SecretId::new("production", id.name.clone());
    assert!(store.get(&other_env).expect("get").is_none());
    let other_service = KeychainStore::new("botbat-console-test-other");
    assert!(
        other_service.get(&id).expect("get").is_none(),
        "services are namespaces"
    );
    assert!(store.delete(&id).expect("delete"));
    assert!(store.get(&id).expect("get").is_none());
    assert!(!store.delete(&id).expect("delete twice"));
}

/// Answers `get` only once the test's own async task has run: on a single-threaded
/// runtime that task can run only if the call left the worker thread.
struct Gate(std::sync::Mutex<std::sync::mpsc::Receiver<()>>);

impl SecretStore for Gate {
    fn get(&self, _: &SecretId) -> Result<Option<Sensitive<String>>, SecretsError> {
        let open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match open.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(()) => Ok(Some(Sensitive::new("opened".to_string()))),
            Err(_) => Err(SecretsError::Rejected(
                "the call blocked the async worker".into(),
            )),
        }
    }
    fn set(&self, _: &SecretId, _: &Sensitive<String>) -> Result<(), SecretsError> {
        Ok(())
    }
    fn delete(&self, _: &SecretId) -> Result<bool, SecretsError> {
        Ok(false)
    }
    fn location(&self) -> &'static str {
        "memory"
    }
}

#[tokio::test(flavor = "current_thread")]
async fn async_calls_run_off_the_async_worker() {
    let (open, gate) = std::sync::mpsc::channel();
    let secrets = AsyncSecrets::new(Arc::new(Gate(std::sync::Mutex::new(gate))));
    let call = secrets.get(SecretId::new("sandbox", "management-key"));
    let opener = async move {
        tokio::task::yield_now().await;
        open.send(()).expect("the gate listens");
    };
    let (read, ()) = tokio::join!(call, opener);
    assert_eq!(
        read.expect("answered while the worker ran the opener")
            .map(Sensitive::into_inner)
            .as_deref(),
        Some("opened")
    );
}

#[tokio::test]
async fn async_calls_reach_the_os_keychain() {
    let store: Arc<dyn SecretStore> = Arc::new(KeychainStore::new("botbat-console-test-async"));
    let secrets = AsyncSecrets::new(store.clone());
    let id = SecretId::new(
        "sandbox",
        format!("api-key/key_async_{}", std::process::id()),
    );
    if !session_has_keyring() {
        let err = secrets
            .get(id)
            .await
            .expect_err("no keyring in this session");
        assert_eq!(err.code(), "keychain_unavailable", "{err}");
        return;
    }
    assert_eq!(secrets.location(), "keychain");
    let secret = Sensitive::new("bb_test_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC".to_string());
    secrets.set(id.clone(), secret.clone()).await.expect("set");
    assert_eq!(store.get(&id).expect("read directly"), Some(secret.clone()));
    assert_eq!(secrets.get(id.clone()).await.expect("get"), Some(secret));
    assert!(secrets.delete(id.clone()).await.expect("delete"));
    assert!(store.get(&id).expect("read directly").is_none());
}

/// Probes at once on one service (two tests, or the window and `botbat` starting together)
/// all find the keychain usable: none deletes another's probe value.
#[test]
fn concurrent_probes_all_succeed() {
    if !session_has_keyring() {
        return;
    }
    let store = Arc::new(KeychainStore::new(format!(
        "botbat-console-test-probes-{}",
        std::process::id()
    )));
    let probes: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || (0..5).map(|_| store.probe()).collect::<Vec<_>>())
        })
        .collect();
    for probe in probes {
        for result in probe.join().expect("probe thread") {
            result.expect("the keychain is usable for every probe");
        }
    }
}
