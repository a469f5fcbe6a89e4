//! The Webhooks and Inspector operations against a real embedded sandbox: an endpoint
//! pointing at the inspector's own receiver, its secret kept, a simulated event captured
//! with a valid signature, forwarded, replayed three ways; rotation keeping both secrets
//! verifying; the tunnel capturing the same events; resending failed deliveries; and,
//! with the real OS keychain, credentials stored masked and filled back in on replay.

mod common;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botbat_api::{Scope, SecretOverlap, SimulateEventRequest};
use botbat_console_core::inspector::{InspectorSettings, ReplayInput};
use botbat_console_core::webhooks::{DeliveryQuery, WebhookInput};
use botbat_console_core::{Console, CreateKeyInput, Environment, InspectorEvent, Inspectors};
use botbat_secrets::{MemoryStore, SecretId, SecretStore};
use botbat_webhooks::capture::{CaptureFilter, Retention};
use serde_json::json;

struct Fixture {
    console: Arc<Console>,
    inspectors: Arc<Inspectors>,
    events: Arc<Mutex<Vec<InspectorEvent>>>,
    _sandbox: botbat_console_core::EmbeddedSandbox,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    fixture_with(Arc::new(MemoryStore::new())).await
}

async fn fixture_with(secrets: Arc<dyn SecretStore>) -> Fixture {
    let common::EmbeddedConsole {
        console,
        sandbox,
        dir,
    } = common::embedded_console(secrets).await;
    let events: Arc<Mutex<Vec<InspectorEvent>>> = Arc::default();
    let seen = events.clone();
    let inspectors = Arc::new(Inspectors::new(
        console.clone(),
        Arc::new(move |e| seen.lock().expect("lock").push(e)),
    ));
    Fixture {
        console,
        inspectors,
        events,
        _sandbox: sandbox,
        _dir: dir,
    }
}

/// What the target got: each request's headers and body.
type Received = Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>;

/// A target that records each request and answers 200.
async fn target() -> (String, Received) {
    let seen: Received = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, body: String| {
        let s = s.clone();
        async move {
            s.lock().expect("lock").push((headers, body));
            "thanks"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hooks"), seen)
}

/// How long a test waits for something the sandbox, the receiver or the tunnel does in
/// the background, on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

async fn wait_for<F: Fn() -> bool>(what: &str, done: F) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asks `check` until it answers `Some`, every quarter of a second (the embedded sandbox
/// allows 5 requests a second).
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_simulated_event_is_captured_verified_forwarded_and_replayed() {
    let fx = fixture().await;
    let env = Environment::Sandbox;
    let (target_url, target_seen) = target().await;
    let settings = InspectorSettings {
        port: 0,
        forward_target: Some(target_url.clone()),
        ..InspectorSettings::default()
    };
    fx.inspectors
        .update_settings(env, settings)
        .await
        .expect("settings");
    let status = fx.inspectors.start_receiver(env).await.expect("receiver");
    let receiver = status.receiver_url.expect("receiver url");

    let issued = fx
        .console
        .create_webhook(
            env,
            WebhookInput {
                url: format!("{receiver}/botbat"),
                event_types: vec!["message.delivered".into()],
                description: Some("inspector".into()),
                enabled: true,
            },
        )
        .await
        .expect("endpoint");
    assert!(issued.secret.starts_with("whsec_"));
    let row = fx
        .console
        .keep_webhook_secret(env, &issued.webhook.id)
        .await
        .expect("kept");
    assert!(row.secret_stored);
    fx.inspectors.refresh_secrets(env).await.expect("refresh");

    let event = fx
        .console
        .simulate_event(
            env,
            SimulateEventRequest {
                event_type: "message.delivered".into(),
                data: Some(json!({"body": "hello from the simulator"})),
                force_delivery_failure: None,
            },
        )
        .await
        .expect("simulated");
    let events = fx.events.clone();
    wait_for("the capture", || {
        events
            .lock()
            .expect("lock")
            .iter()
            .any(|e| matches!(e, InspectorEvent::Capture { capture, .. } if capture.forward_status == Some(200)))
    })
    .await;
    let page = fx
        .inspectors
        .list_captures(env, CaptureFilter::default(), 0, 10)
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    let capture = &page.rows[0];
    assert_eq!(capture.event_id.as_deref(), Some(event.id.as_str()));
    assert_eq!(capture.path, "/botbat");
    assert_eq!(capture.signature_valid, Some(true));
    let detail = fx
        .inspectors
        .get_capture(env, capture.id)
        .await
        .expect("detail");
    let verdict = detail.verdict.expect("verdict");
    assert_eq!(
        verdict.matched.as_deref(),
        Some(format!("{} (current)", issued.webhook.id).as_str())
    );
    assert_eq!(target_seen.lock().expect("lock").len(), 1);

    // The sandbox saw the target's 200 through the receiver (it records the attempt once
    // the receiver has answered, after the capture was reported).
    let attempt = eventually("the delivery attempt to be recorded", || async {
        fx.console
            .list_deliveries(env, &issued.webhook.id, DeliveryQuery::default())
            .await
            .expect("deliveries")
            .data
            .first()
            .and_then(|d| d.attempts.first().cloned())
    })
    .await;
    assert_eq!(attempt.response_status, Some(200));

    let replayed = fx
        .inspectors
        .replay_capture(env, capture.id, ReplayInput::AsCaptured)
        .await
        .expect("replay");
    assert_eq!(replayed.status, Some(200));
    let edited = fx
        .inspectors
        .replay_capture(
            env,
            capture.id,
            ReplayInput::Edited {
                headers: detail.headers.clone(),
                body: "{\"edited\":true}".into(),
            },
        )
        .await
        .expect("edited");
    assert_eq!(edited.status, Some(200));
    let resigned = fx
        .inspectors
        .replay_capture(env, capture.id, ReplayInput::Resigned { body: None })
        .await
        .expect("resigned");
    assert_eq!(resigned.status, Some(200));
    let seen = target_seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[2].1, "{\"edited\":true}");
    let curl = fx
        .inspectors
        .capture_curl(env, capture.id)
        .await
        .expect("curl");
    assert!(curl.starts_with("curl -X POST 'http://127.0.0.1:"));
    let har_dir = tempfile::tempdir().expect("dir");
    let har = fx
        .inspectors
        .export_har(env, vec![capture.id], har_dir.path())
        .await
        .expect("har");
    let har: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&har).expect("read")).expect("json");
    assert_eq!(har["log"]["entries"].as_array().map(Vec::len), Some(1));

    // Rotation with an overlap: both the kept old secret and the new one verify.
    let rotated = fx
        .console
        .rotate_webhook_secret(env, &issued.webhook.id, SecretOverlap::OneHour)
        .await
        .expect("rotated");
    fx.console
        .keep_webhook_secret(env, &issued.webhook.id)
        .await
        .expect("kept");
    fx.inspectors.refresh_secrets(env).await.expect("refresh");
    assert_ne!(rotated.secret, issued.secret);
    assert_eq!(fx.console.webhook_candidates(env).await.len(), 2);
    fx.console
        .simulate_event(
            env,
            SimulateEventRequest {
                event_type: "message.delivered".into(),
                data: None,
                force_delivery_failure: None,
            },
        )
        .await
        .expect("simulated");
    let newest = eventually("the second capture", || async {
        let page = fx
            .inspectors
            .list_captures(env, CaptureFilter::default(), 0, 1)
            .await
            .expect("list");
        (page.total == 2).then(|| page.rows[0].clone())
    })
    .await;
    assert_eq!(newest.signature_valid, Some(true));
    let bad = fx
        .inspectors
        .update_settings(
            env,
            InspectorSettings {
                forward_target: Some("localhost:3000".into()),
                ..InspectorSettings::default()
            },
        )
        .await
        .expect_err("a URL without a scheme is refused");
    assert_eq!(bad.details[0].field, "forward_target");
    fx.inspectors.shutdown().await;
}

#[tokio::test]
async fn the_tunnel_captures_events_and_failed_deliveries_can_be_resent() {
    let fx = fixture().await;
    let env = Environment::Sandbox;
    let status = fx.inspectors.connect_tunnel(env).await.expect("tunnel");
    assert_eq!(status.scope, env.into());
    let events = fx.events.clone();
    wait_for("the tunnel to connect", || {
        events.lock().expect("lock").iter().any(|e| {
            matches!(e, InspectorEvent::Tunnel { status, .. }
                if matches!(status.state, botbat_webhooks::tunnel::TunnelState::Connected { .. }))
        })
    })
    .await;

    // An endpoint whose server is broken (it answers 410, so deliveries fail at once and
    // the platform disables it), then fixed: resend everything that failed.
    let answer = Arc::new(std::sync::atomic::AtomicU16::new(410));
    let a = answer.clone();
    let app = axum::Router::new().fallback(move || {
        let a = a.clone();
        async move {
            axum::http::StatusCode::from_u16(a.load(std::sync::atomic::Ordering::SeqCst))
                .unwrap_or(axum::http::StatusCode::OK)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let issued = fx
        .console
        .create_webhook(
            env,
            WebhookInput {
                url: url.clone(),
                event_types: vec!["contact.created".into()],
                description: None,
                enabled: true,
            },
        )
        .await
        .expect("endpoint");
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    for _ in 0..2 {
        fx.console
            .simulate_event(
                env,
                SimulateEventRequest {
                    event_type: "contact.created".into(),
                    data: None,
                    force_delivery_failure: None,
                },
            )
            .await
            .expect("simulated");
    }
    let page = eventually("both events through the tunnel", || async {
        let page = fx
            .inspectors
            .list_captures(env, CaptureFilter::default(), 0, 10)
            .await
            .expect("list");
        (page.total >= 2).then_some(page)
    })
    .await;
    assert_eq!(page.total, 2, "both events came through the tunnel");
    assert!(page
        .rows
        .iter()
        .all(|r| r.signature_valid == Some(true)
            && r.event_type.as_deref() == Some("contact.created")));

    // A delivery exists for each event the endpoint was still enabled for when it
    // happened (the 410 to the first disables it, possibly before the second event). The
    // first fails at once, any second one without being sent; wait until all are final.
    let failed = eventually("every delivery to fail", || async {
        let all = fx
            .console
            .list_deliveries(env, &issued.webhook.id, DeliveryQuery::default())
            .await
            .expect("deliveries")
            .data;
        let failed = all
            .iter()
            .filter(|d| d.status == botbat_api::DeliveryStatus::Failed)
            .count();
        (!all.is_empty() && failed == all.len()).then_some(failed)
    })
    .await;
    answer.store(200, std::sync::atomic::Ordering::SeqCst);
    let report = fx
        .console
        .resend_failed_since(env, &issued.webhook.id, before)
        .await
        .expect("resend");
    assert_eq!(report.attempted as usize, failed);
    assert_eq!(report.succeeded as usize, failed, "{report:?}");
    fx.inspectors.shutdown().await;
}

fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    [
        "inspector.sqlite",
        "inspector.sqlite-wal",
        "inspector.sqlite-shm",
    ]
    .iter()
    .filter(|name| {
        std::fs::read(dir.join(name)).is_ok_and(|bytes| {
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
    })
    .map(|name| name.to_string())
    .collect()
}

#[tokio::test]
async fn credentials_are_kept_masked_and_replays_fill_in_the_ones_in_the_keychain() {
    let service = format!("botbat-console-test-inspector-{}", std::process::id());
    let (secrets, state) = botbat_console_core::open_secret_store(&service);
    let in_keyring_session = std::env::var("BOTBAT_TEST_KEYRING").is_ok_and(|v| v == "1");
    assert_eq!(state.available, in_keyring_session, "{:?}", state.message);
    if !in_keyring_session {
        // Without a Secret Service this needs scripts/with-keyring.sh; the rest of the
        // suite runs there.
        return;
    }
    let fx = fixture_with(secrets.clone()).await;
    let env = Environment::Sandbox;
    let (target_url, seen) = target().await;
    fx.inspectors
        .update_settings(
            env,
            InspectorSettings {
                port: 0,
                forward_target: Some(target_url.clone()),
                retention: Retention {
                    max_captures: 5_000,
                    max_age_days: 7,
                },
                ..InspectorSettings::default()
            },
        )
        .await
        .expect("settings");
    let receiver = fx
        .inspectors
        .start_receiver(env)
        .await
        .expect("receiver")
        .receiver_url
        .expect("url");

    // A key created here and kept in the keychain, the management key, and a token this
    // machine never saw.
    let issued = fx
        .console
        .create_api_key(
            env,
            CreateKeyInput {
                name: "inspector replay".into(),
                scopes: vec![Scope::ContactsRead],
            },
        )
        .await
        .expect("key");
    fx.console
        .keep_issued_secret(&issued.key.id)
        .await
        .expect("kept");
    let management = secrets
        .get(&SecretId::new("sandbox", "management-key"))
        .expect("keychain")
        .expect("the embedded sandbox's key is kept")
        .expose()
        .clone();
    let stranger = format!("tok_{}", std::process::id() * 7919 + 1_000_003);
    let canary = format!("canary-{}", std::process::id() * 31 + 17);
    reqwest::Client::new()
        .post(format!("{receiver}/from-my-integration?page=2"))
        .header("Authorization", format!("Bearer {}", issued.secret))
        .header("access-token", &management)
        .header("x-api-key", &stranger)
        .header("content-type", "application/json")
        .body(format!(r#"{{"note":"{canary}"}}"#))
        .send()
        .await
        .expect("post");
    let page = fx
        .inspectors
        .list_captures(env, CaptureFilter::default(), 0, 1)
        .await
        .expect("list");
    let id = page.rows[0].id;

    let statuses = fx
        .inspectors
        .capture_credentials(env, id)
        .await
        .expect("credentials");
    let kept_as = |name: &str| {
        statuses
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("{name} masked: {statuses:?}"))
            .kept_as
            .clone()
    };
    assert_eq!(
        kept_as("authorization"),
        Some(format!("API key “inspector replay” ({})", issued.key.id))
    );
    assert_eq!(
        kept_as("access-token"),
        Some("the Sandbox management key".into())
    );
    assert_eq!(kept_as("x-api-key"), None);

    let replayed = fx
        .inspectors
        .replay_capture(env, id, ReplayInput::AsCaptured)
        .await
        .expect("replay");
    assert_eq!(replayed.status, Some(200));
    let (last, _) = seen
        .lock()
        .expect("lock")
        .last()
        .cloned()
        .expect("replayed");
    assert_eq!(
        last["authorization"].as_bytes(),
        format!("Bearer {}", issued.secret).as_bytes()
    );
    assert_eq!(last["access-token"].as_bytes(), management.as_bytes());
    let stranger_mask = statuses
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case("x-api-key"))
        .expect("masked")
        .masked
        .clone();
    assert_eq!(last["x-api-key"].as_bytes(), stranger_mask.as_bytes());

    // The inspector's files: the body's canary is found there, no credential and not the
    // fingerprint key (it is in the keychain).
    let data = fx._dir.path().join("data").join("sandbox");
    assert!(
        !files_holding(&data, &canary).is_empty(),
        "the scan reads the store"
    );
    let key = secrets
        .get(&SecretId::new("sandbox", "inspector-credential-key"))
        .expect("keychain")
        .expect("the fingerprint key is kept");
    for raw in [issued.secret.as_str(), &management, &stranger, key.expose()] {
        assert_eq!(files_holding(&data, raw), Vec::<String>::new());
    }

    // Two exports in a row: two files.
    let out = tempfile::tempdir().expect("dir");
    let first = fx
        .inspectors
        .export_har(env, vec![id], out.path())
        .await
        .expect("har");
    let second = fx
        .inspectors
        .export_har(env, vec![id], out.path())
        .await
        .expect("har");
    assert_ne!(first, second);
    let har: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&first).expect("read")).expect("json");
    let request = &har["log"]["entries"][0]["request"];
    assert_eq!(
        request["queryString"],
        json!([{"name": "page", "value": "2"}])
    );
    assert_eq!(request["postData"]["mimeType"], "application/json");
    assert!(!std::fs::read_to_string(&second)
        .expect("read")
        .contains(&issued.secret));

    // After a restart: the settings are back, and the key from the keychain still
    // recognises the kept credentials.
    fx.inspectors.shutdown().await;
    let again = Arc::new(Inspectors::new(fx.console.clone(), Arc::new(|_| {})));
    let status = again.status(env).await.expect("status");
    assert_eq!(
        status.settings.retention,
        Retention {
            max_captures: 5_000,
            max_age_days: 7
        }
    );
    assert_eq!(
        status.settings.forward_target.as_deref(),
        Some(target_url.as_str())
    );
    assert_eq!(status.storage.captures, 1);
    assert!(status.storage.bytes > 0);
    let statuses = again.capture_credentials(env, id).await.expect("again");
    assert_eq!(
        statuses.iter().filter(|s| s.kept_as.is_some()).count(),
        2,
        "{statuses:?}"
    );
    let refused = again
        .update_settings(
            env,
            InspectorSettings {
                retention: Retention {
                    max_captures: 0,
                    max_age_days: 30,
                },
                ..InspectorSettings::default()
            },
        )
        .await
        .expect_err("keeping nothing is refused");
    assert_eq!(refused.details[0].field, "retention.max_captures");

    for name in [
        "management-key".to_string(),
        "inspector-credential-key".to_string(),
        format!("api-key/{}", issued.key.id),
    ] {
        let _ = secrets.delete(&SecretId::new("sandbox", name));
    }
}
