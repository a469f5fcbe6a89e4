//! The credential the window keeps in the OS keychain, used by `botbat` without any key in
//! the environment. Inside `scripts/with-keyring.sh` (a throwaway gnome-keyring) the real
//! keychain is used; anywhere else the session bus is pointed nowhere, so the developer's
//! own keyring is never touched, and `botbat` must say how to run without one.

mod common;

use botbat_secrets::{KeychainStore, SecretId, SecretStore};
use common::*;

fn keyring() -> bool {
    std::env::var("BOTBAT_TEST_KEYRING").is_ok_and(|v| v == "1")
}

#[test]
fn the_window_s_keychain_entries_are_botbat_s_credentials() {
    let profile = Profile::new(None);
    let command = |args: &[&str]| {
        let mut command = profile.command(args);
        if !keyring() {
            command.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        }
        run_command(command, std::time::Duration::from_secs(120))
    };
    if !keyring() {
        let refused = command(&["status"]);
        refused.expect_code(2);
        assert!(
            refused.stderr.contains("BOTBAT_API_KEY"),
            "{}",
            refused.stderr
        );
        return;
    }
    let first = command(&["status", "--json"]);
    first.expect_code(0);
    let status = first.json();
    assert_eq!(status["credential"], "keychain");
    assert_eq!(status["sandbox"]["role"], "serving");
    let keychain = KeychainStore::new(botbat_console_core::KEYCHAIN_SERVICE);
    let stored = keychain
        .get(&SecretId::new("sandbox", "management-key"))
        .expect("keychain")
        .expect("the sandbox key the window would use");
    assert_eq!(
        status["key"]["masked"],
        botbat_secrets::mask_secret(stored.expose())
    );
    let created = command(&[
        "keys",
        "create",
        "--name",
        "kept",
        "--scope",
        "contacts:read",
        "--keep",
        "--json",
    ]);
    created.expect_code(0);
    let json = created.json();
    assert_eq!(json["kept_in_keychain"], true);
    let id = json["key"]["id"].as_str().expect("id");
    let kept = keychain
        .get(&SecretId::new("sandbox", format!("api-key/{id}")))
        .expect("keychain")
        .expect("kept like the window keeps it");
    assert_eq!(kept.expose(), json["secret"].as_str().expect("secret"));
    let listed = command(&["keys", "list", "--json"]);
    let row = listed
        .json()
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"]["id"] == id)
        .cloned()
        .expect("listed");
    assert_eq!(row["secret_stored"], true);
    assert!(files_containing(profile.path(), stored.expose()).is_empty());
    assert!(files_containing(profile.path(), kept.expose()).is_empty());
    let _ = keychain.delete(&SecretId::new("sandbox", format!("api-key/{id}")));
}
