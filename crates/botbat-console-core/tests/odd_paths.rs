//! A data dir whose path holds `?`, `#`, `%` and spaces, as a user's home or a synced folder
//! can: every SQLite file the console keeps (the embedded sandbox's, the usage cache, the
//! inspector's captures, Try It history) opens at exactly that path, keeps its rows across
//! a restart, and nothing lands at a path cut short at the `?`.

use std::sync::Arc;
use std::time::Duration;

use botbat_console_core::tryit::{TryIt, TryRequest, TrySendOptions, MANAGEMENT_CREDENTIAL};
use botbat_console_core::{
    start_embedded_sandbox, Console, EmbeddedSandbox, Environment, Inspectors, JsonFilePreferences,
    KeychainState, UsageCache,
};
use botbat_secrets::{MemoryStore, SecretStore};
use botbat_webhooks::capture::CaptureFilter;
use serde_json::{json, Value};

const ODD: &str = "we?ird #dir% name";
const ENV: Environment = Environment::Sandbox;

struct Launch {
    sandbox: EmbeddedSandbox,
    console: Arc<Console>,
    tryit: TryIt,
    usage: Arc<UsageCache>,
    inspectors: Arc<Inspectors>,
}

async fn launch(data: &std::path::Path, secrets: &Arc<dyn SecretStore>) -> Launch {
    let sandbox = start_embedded_sandbox(&data.join("sandbox"), secrets)
        .await
        .expect("the sandbox starts in the odd dir");
    let console = Arc::new(
        Console::new(
            Box::new(JsonFilePreferences::new(data.join("preferences.json"))),
            secrets.clone(),
            KeychainState {
                available: true,
                message: None,
            },
            "test",
        )
        .with_data_dir(data.join("app")),
    );
    console.set_sandbox_state(sandbox.state.clone());
    let usage = Arc::new(UsageCache::new(
        console.clone(),
        data.join("exports"),
        Arc::new(|_| {}),
    ));
    let inspectors = Arc::new(Inspectors::new(console.clone(), Arc::new(|_| {})));
    Launch {
        sandbox,
        console,
        tryit: TryIt::new(),
        usage,
        inspectors,
    }
}

async fn stop(launch: Launch) {
    launch.inspectors.shutdown().await;
    launch.usage.shutdown();
    launch.sandbox.running.shutdown().await;
}

#[tokio::test]
async fn every_local_database_opens_in_a_data_dir_with_url_characters() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join(ODD);
    // One store for both launches: the keychain outlives the process.
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());

    let first = launch(&data, &secrets).await;
    let client = first.console.client(ENV).await.expect("client");
    let contact: Value = client
        .post(
            "/contacts",
            &json!({"name": "Ada Lovelace", "email": "ada@example.com"}),
        )
        .await
        .expect("contact created")
        .data;
    let contact_id = contact["id"].as_str().expect("id").to_string();

    let sent = first
        .tryit
        .send(
            &first.console,
            ENV,
            &TryRequest {
                operation_id: Some("get_contact".into()),
                method: "GET".into(),
                path: "/v1/contacts/{id}".into(),
                path_params: vec![botbat_console_core::tryit::TryPair::new(
                    "id",
                    contact_id.clone(),
                )],
                credential: MANAGEMENT_CREDENTIAL.into(),
                ..TryRequest::default()
            },
            TrySendOptions::default(),
        )
        .await
        .expect("sent from Try It");
    assert_eq!(sent.status, 200, "{}", sent.body);
    let kept = first
        .tryit
        .history_list(&first.console, "")
        .await
        .expect("history read");
    assert!(
        kept.iter()
            .any(|item| item.request_id == sent.request_id && item.status == 200),
        "recorded in history.sqlite: {sent:?} not in {kept:?}"
    );

    let synced = first.usage.sync(ENV).await.expect("usage synced");
    assert!(synced.rows > 0, "{synced:?}");

    let status = first
        .inspectors
        .start_receiver(ENV)
        .await
        .expect("receiver");
    let receiver = status.receiver_url.expect("receiver url");
    let answer = reqwest::Client::new()
        .post(format!("{receiver}/hooks"))
        .header("content-type", "application/json")
        .body(r#"{"type":"contact.created"}"#)
        .send()
        .await
        .expect("delivered to the receiver");
    assert!(answer.status().is_success(), "{}", answer.status());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let page = first
            .inspectors
            .list_captures(ENV, CaptureFilter::default(), 0, 10)
            .await
            .expect("captures");
        if page.total == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the capture was not stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop(first).await;

    let files = [
        data.join("sandbox").join(botbat_sandbox::DB_FILE),
        data.join("app").join("sandbox").join("usage.sqlite"),
        data.join("app").join("sandbox").join("inspector.sqlite"),
        data.join("app").join("sandbox").join("history.sqlite"),
    ];
    for file in &files {
        assert!(file.is_file(), "{} was not created", file.display());
    }
    let beside: Vec<String> = std::fs::read_dir(root.path())
        .expect("root")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        beside,
        vec![ODD.to_string()],
        "nothing outside the data dir"
    );

    let second = launch(&data, &secrets).await;
    let client = second.console.client(ENV).await.expect("client");
    let read: Value = client
        .get(&format!("/contacts/{contact_id}"), &[])
        .await
        .expect("the contact survived the restart")
        .data;
    assert_eq!(read["name"], "Ada Lovelace");
    let history = second
        .tryit
        .history_list(&second.console, "")
        .await
        .expect("history");
    assert!(
        history.iter().any(|item| item.path == "/v1/contacts/{id}"),
        "{history:?}"
    );
    let overview = second.usage.overview_of(ENV).await.expect("overview");
    assert!(
        overview.rows_cached >= synced.rows,
        "{} < {}",
        overview.rows_cached,
        synced.rows
    );
    let captures = second
        .inspectors
        .list_captures(ENV, CaptureFilter::default(), 0, 10)
        .await
        .expect("captures");
    assert_eq!(captures.total, 1, "the capture survived the restart");
    stop(second).await;
}
