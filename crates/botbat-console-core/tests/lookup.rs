//! The command palette's id search against the real embedded sandbox, with real files: a
//! 429's request id is found in the request log (synced on the miss), a Try It request in
//! history and the log, an event in the Inspector's captures and the webhook deliveries.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botbat_api::SimulateEventRequest;
use botbat_console_core::connections::{NewConnection, Platform};
use botbat_console_core::inspector::InspectorSettings;
use botbat_console_core::lookup::{find_id, IdLookup};
use botbat_console_core::tryit::{TryIt, TryRequest, TrySendOptions, MANAGEMENT_CREDENTIAL};
use botbat_console_core::webhooks::WebhookInput;
use botbat_console_core::{
    Console, ConsoleCode, EmbeddedSandbox, Environment, Inspectors, UsageCache,
};
use botbat_secrets::{MemoryStore, SecretStore};
use botbat_usage::SyncOptions;

struct Fixture {
    console: Arc<Console>,
    usage: Arc<UsageCache>,
    tryit: TryIt,
    inspectors: Arc<Inspectors>,
    _sandbox: EmbeddedSandbox,
    _dir: tempfile::TempDir,
}

impl Fixture {
    async fn find(&self, id: &str) -> IdLookup {
        find_id(
            &self.console,
            &self.usage,
            &self.tryit,
            &self.inspectors,
            id,
        )
        .await
        .expect("lookup")
    }
}

async fn fixture() -> Fixture {
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let common::EmbeddedConsole {
        console,
        sandbox,
        dir,
    } = common::embedded_console(secrets).await;
    let usage = Arc::new(
        UsageCache::new(
            console.clone(),
            dir.path().join("Downloads"),
            Arc::new(|_| {}),
        )
        .with_sync_options(SyncOptions {
            max_share_of_limit: None,
            progress_every: Duration::ZERO,
        }),
    );
    let inspectors = Arc::new(Inspectors::new(console.clone(), Arc::new(|_| {})));
    Fixture {
        console,
        usage,
        tryit: TryIt::new(),
        inspectors,
        _sandbox: sandbox,
        _dir: dir,
    }
}

/// Asks `check` until it answers `Some`, for at most 30 s (the sandbox's limits and its
/// background deliveries take their time on a loaded machine).
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_429s_request_id_is_found_in_the_request_log_after_one_sync() {
    let fx = fixture().await;
    let env = Environment::Sandbox;
    let mut limited = Vec::new();
    fx.console
        .burst_test(env, None, 20, |r| {
            if r.status == 429 {
                limited.push(r.request_id.clone());
            }
        })
        .await
        .expect("burst");
    let request_id = limited
        .first()
        .cloned()
        .flatten()
        .expect("a 429 with its request id");
    assert!(request_id.starts_with("req_"), "{request_id}");

    // Nothing was synced before: the lookup syncs once and finds it.
    let found = eventually("the 429 in the request log", || async {
        let found = fx.find(&request_id).await;
        (!found.requests.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(found.requests.len(), 1, "{found:?}");
    let row = &found.requests[0];
    assert_eq!(row.status, 429);
    assert_eq!(row.method, "GET");
    assert_eq!(row.route, "/v1/me");
    assert!(row.retry_after.is_some());
    assert_eq!(row.request_id.as_deref(), Some(request_id.as_str()));
    assert!(found.history.is_empty() && found.captures.is_empty() && found.deliveries.is_empty());

    // Pasted with the spaces a copy brings along, it is the same id.
    let padded = fx.find(&format!("  {request_id}\n")).await;
    assert_eq!(padded.requests, found.requests);

    let unknown = fx.find("req_doesnotexist0000000000").await;
    assert!(unknown.requests.is_empty() && unknown.history.is_empty());

    // With a Botbiz connection active, BotBat's log is not searched: nothing of it shows.
    let connection = fx
        .console
        .connections()
        .expect("a data dir")
        .add(NewConnection {
            platform: Platform::Botbiz,
            label: "Acme".into(),
            base_url: Some("http://127.0.0.1:9/v1".into()),
            credential: "bz_test_0123456789".into(),
        })
        .await
        .expect("connection");
    fx.console
        .set_active_connection(Some(connection.id.clone()))
        .expect("active");
    let elsewhere = fx.find(&request_id).await;
    assert!(
        elsewhere.requests.is_empty()
            && elsewhere.history.is_empty()
            && elsewhere.captures.is_empty()
            && elsewhere.unavailable.is_empty(),
        "{elsewhere:?}"
    );
    fx.console.set_active_connection(None).expect("BotBat");
    assert_eq!(fx.find(&request_id).await.requests, found.requests);

    let error = find_id(
        &fx.console,
        &fx.usage,
        &fx.tryit,
        &fx.inspectors,
        "req_1; DROP",
    )
    .await
    .expect_err("not an id");
    assert_eq!(error.code, ConsoleCode::InvalidInput);
}

#[tokio::test]
async fn a_try_it_request_is_found_in_history_and_an_event_in_captures_and_deliveries() {
    let fx = fixture().await;
    let env = Environment::Sandbox;

    let response = fx
        .tryit
        .send(
            &fx.console,
            env,
            &TryRequest {
                operation_id: Some("me".into()),
                method: "GET".into(),
                path: "/v1/me".into(),
                credential: MANAGEMENT_CREDENTIAL.into(),
                ..TryRequest::default()
            },
            TrySendOptions::default(),
        )
        .await
        .expect("sent");
    let request_id = response.request_id.clone().expect("request id");
    let found = fx.find(&request_id).await;
    assert_eq!(found.history.len(), 1, "{found:?}");
    assert_eq!(
        found.history[0].request_id.as_deref(),
        Some(request_id.as_str())
    );
    assert_eq!(found.requests.len(), 1, "the log has it too: {found:?}");

    // An endpoint at the Inspector's receiver: the event is delivered and captured.
    fx.inspectors
        .update_settings(
            env,
            InspectorSettings {
                port: 0,
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
        .expect("receiver url");
    let issued = fx
        .console
        .create_webhook(
            env,
            WebhookInput {
                url: format!("{receiver}/botbat"),
                event_types: vec!["message.delivered".into()],
                description: None,
                enabled: true,
            },
        )
        .await
        .expect("endpoint");
    let event = fx
        .console
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
    let found = eventually("the event's capture and delivery", || async {
        let found = fx.find(&event.id).await;
        (!found.captures.is_empty() && !found.deliveries.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(found.captures.len(), 1, "{found:?}");
    assert_eq!(
        found.captures[0].event_id.as_deref(),
        Some(event.id.as_str())
    );
    assert_eq!(found.deliveries.len(), 1, "{found:?}");
    assert_eq!(found.deliveries[0].webhook_id, issued.webhook.id);
    assert_eq!(found.deliveries[0].event_id, event.id);
    assert!(found.requests.is_empty() && found.history.is_empty());

    // An event the platform does not know: nothing, and no source failed.
    let unknown = fx.find("evt_doesnotexist000000000").await;
    assert!(unknown.deliveries.is_empty() && unknown.captures.is_empty());
    assert!(unknown.unavailable.is_empty(), "{:?}", unknown.unavailable);
}
