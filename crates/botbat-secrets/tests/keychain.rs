//! Runs against the real Secret Service. The test command starts an unlocked gnome-keyring
//! in a private D-Bus session (`scripts/with-keyring.sh`); outside such a session there is
//! no keychain, and the test checks that this is reported as `keychain_unavailable`.

use botbat_secrets::{KeychainStore, SecretId, SecretStore, Sensitive};

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
