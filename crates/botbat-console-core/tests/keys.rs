//! The API Keys and Rate Limits operations against a real embedded sandbox, and a `--live`
//! sandbox standing in for Production.

mod common;

use std::sync::Arc;

#[path = "support/counting.rs"]
mod counting;
use counting::Counting;

use botbat_api::{ErrorCode, KeyStatus, Plan, Scope};
use botbat_console_core::keys::key_secret_id;
use botbat_console_core::{
    start_embedded_sandbox, Console, ConsoleCode, CreateKeyInput, Environment, JsonFilePreferences,
    KeychainState, SettingsInput, Theme,
};
use botbat_sandbox::SandboxConfig;
use botbat_secrets::{MemoryStore, SecretStore};

struct Fixture {
    console: Console,
    secrets: Arc<dyn SecretStore>,
    _sandbox: botbat_console_core::EmbeddedSandbox,
    _dir: tempfile::TempDir,
}

async fn console() -> Fixture {
    console_with(Arc::new(MemoryStore::new())).await
}

async fn console_with(secrets: Arc<dyn SecretStore>) -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let sandbox = start_embedded_sandbox(&dir.path().join("sandbox"), &secrets)
        .await
        .expect("sandbox");
    let console = Console::new(
        Box::new(JsonFilePreferences::new(dir.path().join("prefs.json"))),
        secrets.clone(),
        KeychainState {
            available: true,
            message: None,
        },
        "test",
    );
    console.set_sandbox_state(sandbox.state.clone());
    Fixture {
        console,
        secrets,
        _sandbox: sandbox,
        _dir: dir,
    }
}

fn input(name: &str, scopes: &[Scope]) -> CreateKeyInput {
    CreateKeyInput {
        name: name.into(),
        scopes: scopes.to_vec(),
    }
}

#[tokio::test]
async fn a_created_secret_is_held_once_and_kept_only_on_request() {
    let fx = console().await;
    let env = Environment::Sandbox;
    let issued = fx
        .console
        .create_api_key(
            env,
            input("CRM", &[Scope::ContactsRead, Scope::ContactsWrite]),
        )
        .await
        .expect("created");
    assert!(issued.secret.starts_with("bb_test_"));
    let row = fx
        .console
        .keep_issued_secret(&issued.key.id)
        .await
        .expect("kept");
    assert!(row.secret_stored);
    let stored = fx
        .secrets
        .get(&key_secret_id(env, &issued.key.id))
        .expect("read")
        .expect("in the store");
    assert_eq!(stored.expose(), &issued.secret);
    let again = fx.console.keep_issued_secret(&issued.key.id).await;
    assert_eq!(again.expect_err("held only once").code, ErrorCode::NotFound);

    let other = fx
        .console
        .create_api_key(env, input("analytics", &[Scope::UsageRead]))
        .await
        .expect("created");
    fx.console.discard_issued_secret(&other.key.id);
    let rows = fx.console.list_api_keys().await.expect("list");
    let stored: Vec<(&str, bool)> = rows
        .iter()
        .map(|r| (r.key.name.as_str(), r.secret_stored))
        .collect();
    assert!(stored.contains(&("CRM", true)));
    assert!(stored.contains(&("analytics", false)));
}

#[tokio::test]
async fn writes_aimed_at_an_inactive_environment_are_refused() {
    let fx = console().await;
    let error = fx
        .console
        .create_api_key(Environment::Production, input("x", &[Scope::UsageRead]))
        .await
        .expect_err("production is not active");
    assert_eq!(error.code, ConsoleCode::EnvironmentChanged);
    let keys = fx.console.list_api_keys().await.expect("list");
    assert_eq!(keys.len(), 1, "nothing was created");
}

#[tokio::test]
async fn rotation_then_activity_then_revocation() {
    let fx = console().await;
    let env = Environment::Sandbox;
    let issued = fx
        .console
        .create_api_key(
            env,
            input("worker", &[Scope::UsageRead, Scope::ContactsRead]),
        )
        .await
        .expect("created");
    let before_rotation = chrono::Utc::now() - chrono::Duration::seconds(1);
    let rotated = fx
        .console
        .rotate_api_key(env, &issued.key.id, 3600, Some("worker (rotated 29 Nov)"))
        .await
        .expect("rotated");
    assert_eq!(rotated.old_key.status, KeyStatus::Expiring);
    assert_eq!(rotated.old_key.name, "worker");
    assert_eq!(rotated.new_key.key.name, "worker (rotated 29 Nov)");
    assert_eq!(rotated.new_key.key.scopes, issued.key.scopes);
    let old_client = fx
        .console
        .client_with_key(
            env,
            botbat_secrets::Sensitive::new(issued.secret.clone()),
            None,
        )
        .await
        .expect("client");
    old_client
        .me()
        .await
        .expect("still works in the grace period");
    old_client
        .me()
        .await
        .expect("still works in the grace period");
    let activity = fx
        .console
        .key_activity(&issued.key.id, before_rotation)
        .await
        .expect("activity");
    assert_eq!(activity.requests_since, 2);
    assert!(activity.last_request_at.is_some());

    let revoked = fx
        .console
        .revoke_api_key(env, &issued.key.id, None)
        .await
        .expect("revoked");
    assert_eq!(revoked.status, KeyStatus::Revoked);
    let error = old_client.me().await.expect_err("revoked");
    assert_eq!(error.status(), Some(401));
}

#[tokio::test]
async fn advice_finds_unused_scopes_and_a_narrower_key_has_only_the_used_ones() {
    let fx = console().await;
    let env = Environment::Sandbox;
    let issued = fx
        .console
        .create_api_key(
            env,
            input(
                "too broad",
                &[Scope::UsageRead, Scope::ContactsRead, Scope::WebhooksManage],
            ),
        )
        .await
        .expect("created");
    let client = fx
        .console
        .client_with_key(env, botbat_secrets::Sensitive::new(issued.secret), None)
        .await
        .expect("client");
    let _: botbat_api::Response<serde_json::Value> =
        client.get("/usage/requests", &[]).await.expect("usage");
    let forbidden = client
        .get::<serde_json::Value>("/webhooks", &[])
        .await
        .expect_err("webhooks:manage does not include webhooks:read");
    assert_eq!(forbidden.status(), Some(403));
    let advice = fx
        .console
        .scope_advice(&issued.key.id)
        .await
        .expect("advice");
    assert_eq!(advice.calls_examined, 2);
    assert!(advice.used.contains(&Scope::UsageRead));
    assert!(advice.unused.contains(&Scope::ContactsRead));
    assert!(advice.unused.contains(&Scope::WebhooksManage));
    let narrower = fx
        .console
        .replace_with_narrower_key(env, &issued.key.id)
        .await
        .expect("narrower");
    assert_eq!(narrower.key.scopes, vec![Scope::UsageRead]);
    assert_eq!(narrower.key.name, "too broad (narrowed)");
}

#[tokio::test]
async fn a_burst_over_the_starter_limit_reports_429s_with_retry_after() {
    let fx = console().await;
    let env = Environment::Sandbox;
    let mut seen = 0;
    let report = fx
        .console
        .burst_test(env, None, 15, |_| seen += 1)
        .await
        .expect("burst");
    assert_eq!(seen, 15);
    assert_eq!(report.sent, 15);
    assert!(report.ok <= 5, "{report:?}");
    assert!(report.limited >= 10, "{report:?}");
    assert!(report.max_retry_after.is_some_and(|s| s >= 1));
    // The key's window is spent: the view's own requests wait out the `Retry-After` they
    // are given, as every console request does.
    let view = fx.console.rate_limits_view(false).await.expect("view");
    assert_eq!(view.limits.plan, Plan::Starter);
    assert_eq!(view.plans.len(), 3);
    assert!(view.recent_429s.len() >= 10);
    assert!(view.recent_429s.iter().all(|r| r.retry_after.is_some()));

    let error = fx
        .console
        .burst_test(env, Some("key_unknown"), 3, |_| {})
        .await
        .expect_err("no secret held");
    assert_eq!(error.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn production_is_a_live_stand_in_and_needs_the_exact_name_to_revoke() {
    let fx = console().await;
    let live_dir = tempfile::tempdir().expect("dir");
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), live_dir.path());
    config.live = true;
    let live = botbat_sandbox::start(config).await.expect("live stand-in");
    let live_key = live.generated_admin_key.clone().expect("key");
    assert!(live_key.expose().starts_with("bb_live_"));
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: None,
            production_base_url: live.base_url.clone(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("settings");
    fx.console
        .set_management_key(Environment::Production, live_key.expose().clone())
        .await
        .expect("key");
    fx.console
        .set_environment(Environment::Production)
        .expect("switch");
    let report = fx
        .console
        .test_connection(Environment::Production)
        .await
        .expect("connected");
    assert_eq!(report.masked_key[..8], *"bb_live_");

    let issued = fx
        .console
        .create_api_key(
            Environment::Production,
            input("billing sync", &[Scope::UsageRead]),
        )
        .await
        .expect("created");
    assert!(issued.secret.starts_with("bb_live_"));
    let error = fx
        .console
        .revoke_api_key(
            Environment::Production,
            &issued.key.id,
            Some("billing".into()),
        )
        .await
        .expect_err("wrong name");
    assert_eq!(error.code, ConsoleCode::InvalidInput);
    let revoked = fx
        .console
        .revoke_api_key(
            Environment::Production,
            &issued.key.id,
            Some("billing sync".into()),
        )
        .await
        .expect("revoked");
    assert_eq!(revoked.status, KeyStatus::Revoked);
    let names: Vec<String> = fx
        .console
        .list_api_keys()
        .await
        .expect("list")
        .into_iter()
        .map(|r| r.key.masked)
        .collect();
    assert!(
        names.iter().all(|m| m.starts_with("bb_live_")),
        "no sandbox key in production: {names:?}"
    );
    let error = fx
        .console
        .burst_test(Environment::Production, None, 5, |_| {})
        .await
        .expect_err("sandbox only");
    assert_eq!(error.code, ConsoleCode::SandboxOnly);
    live.shutdown().await;
}

#[tokio::test]
async fn the_keys_list_learns_which_secrets_are_kept_from_one_index_read() {
    let counting = Arc::new(Counting::new(common::keychain_or_memory("index")));
    let fx = console_with(counting.clone()).await;
    let (console, secrets) = (&fx.console, &fx.secrets);
    let env = Environment::Sandbox;
    let mut kept = Vec::new();
    for n in 0..4 {
        let issued = console
            .create_api_key(env, input(&format!("kept {n}"), &[Scope::UsageRead]))
            .await
            .expect("created");
        console
            .keep_issued_secret(&issued.key.id)
            .await
            .expect("kept");
        kept.push(issued.key.id);
    }
    kept.sort();
    let listed_with = |rows: &[botbat_console_core::KeyRow]| -> Vec<String> {
        let mut ids: Vec<String> = rows
            .iter()
            .filter(|r| r.secret_stored)
            .map(|r| r.key.id.clone())
            .collect();
        ids.sort();
        ids
    };

    let before = counting.reads();
    let rows = console.list_api_keys().await.expect("list");
    assert_eq!(
        counting.reads() - before,
        1,
        "the index alone, whatever the number of keys (the management key is already in memory)"
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(listed_with(&rows), kept);

    // Keys kept by an older version, before the index: rebuilt once from the secrets.
    let index = botbat_secrets::SecretId::new("sandbox", "api-keys/index");
    let raw = secrets
        .get(&index)
        .expect("read")
        .expect("the index exists");
    let mut ids: Vec<String> = serde_json::from_str(raw.expose()).expect("a list of ids");
    ids.sort();
    assert_eq!(ids, kept, "ids only, no secret");
    assert!(secrets.delete(&index).expect("drop the index"));
    let rows = console.list_api_keys().await.expect("list");
    assert_eq!(listed_with(&rows), kept, "rebuilt from the secrets");
    let before = counting.reads();
    console.list_api_keys().await.expect("list");
    assert_eq!(counting.reads() - before, 1, "one index read again");

    // A secret deleted behind the console's back: the first read that misses it drops it.
    assert!(secrets
        .delete(&key_secret_id(env, &kept[0]))
        .expect("delete by hand"));
    let error = botbat_console_core::tryit::TryIt::new()
        .send(
            console,
            env,
            &botbat_console_core::tryit::TryRequest {
                method: "GET".into(),
                path: "/v1/me".into(),
                credential: kept[0].clone(),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .expect_err("its secret is gone");
    assert_eq!(error.code, ErrorCode::NotFound);
    let rows = console.list_api_keys().await.expect("list");
    assert_eq!(listed_with(&rows), kept[1..].to_vec());

    // Revoking forgets the secret and its index entry.
    console
        .revoke_api_key(env, &kept[1], None)
        .await
        .expect("revoked");
    assert!(secrets
        .get(&key_secret_id(env, &kept[1]))
        .expect("read")
        .is_none());
    let rows = console.list_api_keys().await.expect("list");
    assert_eq!(listed_with(&rows), kept[2..].to_vec());

    for id in &kept {
        secrets.delete(&key_secret_id(env, id)).expect("cleanup");
    }
    secrets.delete(&index).expect("cleanup");
    secrets
        .delete(&botbat_secrets::SecretId::new("sandbox", "management-key"))
        .expect("cleanup");
}
