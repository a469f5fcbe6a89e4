//! With no Secret Service reachable, every operation reports `keychain_unavailable` with
//! a reason, instead of failing silently or pretending nothing is stored.
//!
//! This file is its own test binary with a single test, so pointing the session bus at
//! nothing cannot disturb the tests that use the real keyring.

use botbat_secrets::{KeychainStore, SecretId, SecretStore, Sensitive};

#[test]
fn an_unreachable_keychain_is_reported_not_hidden() {
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/botbat-no-bus",
    );
    let store = KeychainStore::new("botbat-console-test");
    let id = SecretId::new("sandbox", "management-key");
    let errors = [
        store.probe().expect_err("probe"),
        store.get(&id).expect_err("get"),
        store
            .set(&id, &Sensitive::new("bb_test_x".to_string()))
            .expect_err("set"),
        store.delete(&id).expect_err("delete"),
    ];
    for error in errors {
        assert_eq!(error.code(), "keychain_unavailable", "{error}");
        assert!(!error.detail().is_empty());
    }
}
