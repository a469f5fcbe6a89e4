//! Without a keychain each launch mints a new full-scope key for the embedded sandbox (the
//! last one's secret left with the process). The launch after revokes it: at most one such
//! key is ever active, and the file that remembers their ids holds no secret.
//!
//! Its own test binary: pointing the session bus at nothing must not disturb the tests that
//! use the real keyring. Runs the same under `scripts/with-keyring.sh --no-keyring`.

use botbat_api::{ApiKey, Client, ClientConfig, KeyStatus};
use botbat_console_core::{
    open_secret_store, start_embedded_sandbox, EarlyStart, MINTED_KEYS_FILE,
};
use botbat_secrets::SecretId;
use futures::TryStreamExt;

#[tokio::test]
async fn each_launch_without_a_keychain_revokes_the_key_the_last_one_minted() {
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/botbat-no-bus",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("sandbox");
    let mut own_ids = Vec::new();
    for launch in 0..3 {
        // The first launch probes as the app does, on a thread of its own.
        let (secrets, state) = if launch == 0 {
            let early = EarlyStart::begin("botbat-console-test-no-keychain").finish();
            (early.secrets, early.keychain)
        } else {
            open_secret_store("botbat-console-test-no-keychain")
        };
        assert!(!state.available, "launch {launch}: no keychain on this bus");
        let sandbox = start_embedded_sandbox(&data, &secrets)
            .await
            .expect("starts with a key in memory");
        let key = secrets
            .get(&SecretId::new("sandbox", "management-key"))
            .expect("memory answers")
            .expect("minted for this run");
        let client = Client::new(
            ClientConfig::new(&sandbox.running.base_url, Some(key.clone())).expect("config"),
        )
        .expect("client");
        let own = client.me().await.expect("the new key works").data.key.id;
        let keys: Vec<ApiKey> = client
            .paginate("/api_keys", vec![("limit", "100".to_string())])
            .try_collect()
            .await
            .expect("keys");
        let active: Vec<&str> = keys
            .iter()
            .filter(|k| k.name == "Sandbox admin" && k.status == KeyStatus::Active)
            .map(|k| k.id.as_str())
            .collect();
        assert_eq!(active, vec![own.as_str()], "launch {launch}: {keys:?}");
        assert_eq!(
            keys.iter().filter(|k| k.name == "Sandbox admin").count(),
            launch + 1,
            "the earlier ones are revoked, not deleted"
        );

        let recorded =
            std::fs::read_to_string(data.join(MINTED_KEYS_FILE)).expect("the ids are recorded");
        assert!(recorded.contains(&own), "{recorded}");
        assert!(
            !recorded.contains(&key.expose()[8..]),
            "no secret in {recorded}"
        );
        own_ids.push(own);
        sandbox.running.shutdown().await;
    }
    own_ids.dedup();
    assert_eq!(own_ids.len(), 3, "every launch minted its own key");
}
