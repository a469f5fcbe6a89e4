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

/// `botbat request --connection`: a Botbiz connection the window saved (its key in the
/// keychain) is called with its own Bearer key and its path under its base URL; at the
/// plan's limit the 429 is waited out to `X-RateLimit-Reset`, said on stderr, and the
/// request sent once more. An unknown connection is a usage error naming the saved ones.
#[tokio::test(flavor = "multi_thread")]
async fn request_goes_to_a_saved_connection_and_waits_out_a_botbiz_429() {
    use botbat_console_core::connections::{Connections, NewConnection, Platform};
    use botbat_sandbox::standins::botbiz;

    if !keyring() {
        return;
    }
    let profile = Profile::new(None);
    let stand_in = botbiz::start(botbiz::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: profile.path().join("botbiz-standin"),
        plan: botbiz::Plan::Enterprise(1),
        key: None,
    })
    .await
    .expect("the Botbiz stand-in");
    let secrets: std::sync::Arc<dyn SecretStore> =
        std::sync::Arc::new(KeychainStore::new(botbat_console_core::KEYCHAIN_SERVICE));
    let connections = Connections::new(profile.path(), botbat_secrets::AsyncSecrets::new(secrets));
    let saved = connections
        .add(NewConnection {
            platform: Platform::Botbiz,
            label: "Acme Biz".into(),
            base_url: Some(stand_in.base_url.clone()),
            credential: stand_in
                .generated_key
                .as_ref()
                .expect("key")
                .expose()
                .to_string(),
        })
        .await
        .expect("saved");

    let run = |args: &'static [&'static str]| {
        let command = profile.command(args);
        tokio::task::spawn_blocking(move || {
            run_command(command, std::time::Duration::from_secs(120))
        })
    };
    let first = run(&[
        "request",
        "GET",
        "/users",
        "--connection",
        "acme biz",
        "--json",
    ])
    .await
    .expect("run");
    first.expect_code(0);
    assert!(first.json()["data"].is_array(), "{}", first.stdout);

    // The plan allows one request a minute: the next in the same minute is answered 429 and
    // waited out. The minute may turn between two runs, so a few runs find the spent window.
    let mut waited = None;
    for _ in 0..3 {
        let next = run(&["request", "GET", "/users", "--connection", "Acme Biz"])
            .await
            .expect("run");
        next.expect_code(0);
        if next.stderr.contains("rate limited: waiting") {
            waited = Some(next);
            break;
        }
    }
    let waited = waited.expect("a request waited for the window to reset");
    assert!(waited.stderr.contains("200"), "{}", waited.stderr);

    let unknown = run(&["request", "GET", "/users", "--connection", "Nope"])
        .await
        .expect("run");
    unknown.expect_code(2);
    assert!(unknown.stderr.contains("Acme Biz"), "{}", unknown.stderr);

    connections.remove(&saved.id).await.expect("removed");
}
