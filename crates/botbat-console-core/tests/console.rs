//! The console's operations against a real embedded sandbox, real preference files and the
//! secret store the machine offers.

use std::sync::Arc;

#[path = "support/counting.rs"]
mod counting;
use counting::Counting;

use botbat_api::ErrorCode;
use botbat_console_core::{
    start_embedded_sandbox, Console, ConsoleCode, EarlyStart, EarlyStarted, Environment,
    JsonFilePreferences, KeyLocation, KeychainState, SettingsInput, Theme,
};
use botbat_secrets::{MemoryStore, SecretStore};

struct Fixture {
    console: Console,
    sandbox: botbat_console_core::EmbeddedSandbox,
    dir: tempfile::TempDir,
    secrets: Arc<dyn SecretStore>,
}

async fn launch(dir: tempfile::TempDir, secrets: Arc<dyn SecretStore>) -> Fixture {
    let sandbox = start_embedded_sandbox(&dir.path().join("sandbox"), &secrets)
        .await
        .expect("embedded sandbox starts");
    let console = console_before_its_sandbox(dir.path(), secrets.clone());
    console.set_sandbox_state(sandbox.state.clone());
    Fixture {
        console,
        sandbox,
        dir,
        secrets,
    }
}

async fn first_launch() -> Fixture {
    launch(
        tempfile::tempdir().expect("temp dir"),
        Arc::new(MemoryStore::new()),
    )
    .await
}

#[tokio::test]
async fn first_launch_shows_live_figures_from_the_embedded_sandbox() {
    let fx = first_launch().await;
    let status = fx.console.app_status().await;
    assert_eq!(status.environment, Environment::Sandbox);
    assert!(status.base_url.starts_with("http://127.0.0.1:"));
    let summary = fx.console.dashboard_summary(false).await.expect("summary");
    assert_eq!(summary.environment, Environment::Sandbox);
    assert_eq!(summary.api_keys_total, 1, "the bootstrap key");
    assert_eq!(summary.api_keys_active, 1);
    assert_eq!(summary.webhooks_total, 0);
    assert_eq!(summary.plan, "starter");
    let again = fx.console.dashboard_summary(false).await.expect("summary");
    assert_eq!(
        (again.requests_24h, again.includes_console),
        (0, false),
        "the console's own requests are left out"
    );
    let again = fx.console.dashboard_summary(true).await.expect("summary");
    assert!(
        again.requests_24h >= 8 && again.includes_console,
        "the summaries' own requests are metered, as the console's"
    );
    // Two summaries in one second would exceed the Starter plan's five requests per second
    // if sent at once; the console paces its own calls, so it earns no 429 and no error.
    assert_eq!(again.rate_limited_24h, 0, "the console rate-limited itself");
    assert_eq!(again.errors_24h, 0);
}

#[tokio::test]
async fn the_status_says_whether_the_active_environment_has_a_management_key() {
    let fx = first_launch().await;
    let status = fx.console.app_status().await;
    assert!(
        status.has_management_key,
        "the embedded sandbox's bootstrap key"
    );
    let wire = serde_json::to_string(&status).expect("json");
    let bootstrap = fx
        .secrets
        .get(&botbat_secrets::SecretId::new("sandbox", "management-key"))
        .expect("read")
        .expect("the bootstrap key");
    assert!(
        !wire.contains(bootstrap.expose().as_str()),
        "the status carries the key's presence, never the key: {wire}"
    );

    fx.console
        .set_environment(Environment::Production)
        .expect("switch");
    assert!(!fx.console.app_status().await.has_management_key);

    fx.console
        .set_environment(Environment::Sandbox)
        .expect("back");
    fx.console
        .clear_management_key(Environment::Sandbox)
        .await
        .expect("clear");
    assert!(!fx.console.app_status().await.has_management_key);
}

#[tokio::test]
async fn the_consoles_own_burst_is_paced_under_the_key_limit_where_an_unpaced_one_is_refused() {
    let fx = first_launch().await;
    let env = Environment::Sandbox;
    const BURST: usize = 12;

    // The console's own client waits its turn: every call succeeds at its first attempt,
    // so none earned a 429 to wait out.
    let paced = fx.console.client(env).await.expect("client");
    let answers = futures::future::join_all((0..BURST).map(|_| paced.me())).await;
    for answer in answers {
        let answer = answer.expect("a paced call succeeds");
        assert_eq!(answer.attempts, 1, "a paced call was refused and retried");
    }

    // The same burst sent once each without pacing: the Starter plan's five requests a
    // second refuse some of them, so the check above can fail.
    let key = fx
        .secrets
        .get(&botbat_console_core::management_key_id(env))
        .expect("read")
        .expect("the bootstrap key");
    let unpaced = fx
        .console
        .client_with_key(env, key, Some(1))
        .await
        .expect("client");
    let answers = futures::future::join_all((0..BURST).map(|_| unpaced.me())).await;
    let refused = answers
        .iter()
        .filter(|a| a.as_ref().err().and_then(|e| e.status()) == Some(429))
        .count();
    assert!(refused > 0, "an unpaced burst of {BURST} was never refused");
}

#[tokio::test]
async fn the_environment_choice_persists_and_keys_never_cross_environments() {
    let fx = first_launch().await;
    fx.console
        .set_environment(Environment::Production)
        .expect("switch");
    let reloaded = Console::new(
        Box::new(JsonFilePreferences::new(
            fx.dir.path().join("preferences.json"),
        )),
        fx.secrets.clone(),
        KeychainState {
            available: true,
            message: None,
        },
        "test",
    );
    let status = reloaded.app_status().await;
    assert_eq!(status.environment, Environment::Production);
    assert_eq!(status.base_url, "https://api.botbat.com/v1");

    let error = fx
        .console
        .dashboard_summary(false)
        .await
        .expect_err("no production key");
    assert_eq!(error.code, ConsoleCode::NoManagementKey);

    let sandbox_key = fx
        .secrets
        .get(&botbat_secrets::SecretId::new("sandbox", "management-key"))
        .expect("read")
        .expect("stored on first launch");
    let error = fx
        .console
        .set_management_key(Environment::Production, sandbox_key.expose().clone())
        .await
        .expect_err("a sandbox key is refused for production");
    assert_eq!(error.code, ConsoleCode::InvalidInput);
    assert!(error.message.contains("Sandbox key"), "{}", error.message);

    let info = fx
        .console
        .set_management_key(
            Environment::Production,
            "bb_live_0123456789abcdefghijABCDEFGHwxyz".into(),
        )
        .await
        .expect("stored");
    assert!(info.management_key.stored);
    assert_eq!(info.management_key.masked.as_deref(), Some("bb_live_…wxyz"));
    assert_eq!(info.management_key.location, KeyLocation::Memory);
    let prefs = std::fs::read_to_string(fx.dir.path().join("preferences.json")).expect("file");
    assert!(
        !prefs.contains("bb_live_0123"),
        "no secret in the preferences file"
    );
    assert!(!prefs.contains(&sandbox_key.expose()[8..]));
}

/// The dashboard's four requests go out together: through a proxy in front of the real
/// sandbox that holds every request until four different ones are in flight, the summary
/// arrives, and the proxy saw all four at once. Sent one after another, each would be held
/// until the proxy gave up on it (5 s, well within the client's 15 s, so no retry piles
/// up) and the proxy would have seen one at a time.
#[tokio::test]
async fn the_dashboards_requests_go_out_together() {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let fx = first_launch().await;
    let upstream = fx.sandbox.running.base_url.clone();
    let held: Arc<Mutex<HashSet<String>>> = Arc::default();
    let most = Arc::new(AtomicUsize::new(0));
    let arrived = Arc::new(tokio::sync::Notify::new());
    let forward = reqwest::Client::new();
    let proxy = {
        let (held, most, arrived) = (held.clone(), most.clone(), arrived.clone());
        axum::Router::new().fallback(move |request: axum::extract::Request| {
            let (held, most, arrived) = (held.clone(), most.clone(), arrived.clone());
            let (forward, upstream) = (forward.clone(), upstream.clone());
            async move {
                let path = request.uri().path().to_string();
                {
                    let mut held = held.lock().expect("held");
                    held.insert(path.clone());
                    most.fetch_max(held.len(), Ordering::SeqCst);
                }
                arrived.notify_waiters();
                let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
                loop {
                    let notified = arrived.notified();
                    if most.load(Ordering::SeqCst) >= 4
                        || tokio::time::timeout_at(deadline, notified).await.is_err()
                    {
                        break;
                    }
                }
                let query = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let url = format!("{}{query}", upstream.trim_end_matches("/v1"));
                let mut outgoing = forward.get(url);
                for (name, value) in request.headers() {
                    if name != axum::http::header::HOST {
                        outgoing = outgoing.header(name, value);
                    }
                }
                let answer = outgoing.send().await.expect("the sandbox answers");
                let status = answer.status();
                let body = answer.bytes().await.expect("body");
                held.lock().expect("held").remove(&path);
                (status, body)
            }
        })
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, proxy).await;
    });
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: Some(format!("http://{address}/v1")),
            production_base_url: botbat_console_core::DEFAULT_PRODUCTION_BASE_URL.into(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("the proxy as the Sandbox's URL");
    let summary = fx.console.dashboard_summary(false).await.expect("summary");
    assert_eq!(
        summary.api_keys_total, 1,
        "the bootstrap key, through the proxy"
    );
    assert_eq!(
        most.load(Ordering::SeqCst),
        4,
        "different requests in flight at once"
    );
}

/// A console made as the window makes it, before its embedded sandbox has started.
fn console_before_its_sandbox(dir: &std::path::Path, secrets: Arc<dyn SecretStore>) -> Console {
    Console::new(
        Box::new(JsonFilePreferences::new(dir.join("preferences.json"))),
        secrets,
        KeychainState {
            available: true,
            message: None,
        },
        "test",
    )
}

/// A connection test clicked on `console` before its sandbox has settled; returns once the
/// test is waiting for it.
async fn connection_test_waiting(
    console: &Arc<Console>,
) -> tokio::task::JoinHandle<
    Result<botbat_console_core::ConnectionReport, botbat_console_core::CommandError>,
> {
    let early = {
        let console = console.clone();
        tokio::spawn(async move { console.test_connection(Environment::Sandbox).await })
    };
    // The test's runtime has one thread: the request runs up to where it waits.
    tokio::task::yield_now().await;
    assert!(
        !early.is_finished(),
        "the request did not wait for the sandbox"
    );
    early
}

/// The window shows its panels before the embedded sandbox has started (and, on a first
/// run, before the sandbox's key is stored): a click in that time waits for the start and
/// gets the real answer, and a start that fails answers it with the reason.
#[tokio::test]
async fn a_request_made_while_the_sandbox_starts_waits_for_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let console = Arc::new(console_before_its_sandbox(dir.path(), secrets.clone()));
    let early = connection_test_waiting(&console).await;
    let sandbox = start_embedded_sandbox(&dir.path().join("sandbox"), &secrets)
        .await
        .expect("embedded sandbox starts");
    console.set_sandbox_state(sandbox.state.clone());
    let report = early
        .await
        .expect("task")
        .expect("answered once the sandbox runs");
    assert_eq!(Some(report.base_url), sandbox.state.base_url);
    assert!(report.scopes.contains(&"keys:manage".to_string()));

    let failing = Arc::new(console_before_its_sandbox(dir.path(), secrets.clone()));
    let early = connection_test_waiting(&failing).await;
    failing.set_sandbox_state(botbat_console_core::SandboxState {
        running: false,
        base_url: None,
        data_dir: None,
        error: Some("port 1 is taken".into()),
    });
    let error = early.await.expect("task").expect_err("no sandbox");
    assert_eq!(error.code, ConsoleCode::Unreachable);
    assert!(
        error.message.contains("not running: port 1 is taken"),
        "{}",
        error.message
    );

    // A Sandbox URL saved in Settings while a request waits sends it there.
    let overridden = Arc::new(console_before_its_sandbox(dir.path(), secrets.clone()));
    let early = connection_test_waiting(&overridden).await;
    overridden
        .save_settings(SettingsInput {
            sandbox_base_url_override: sandbox.state.base_url.clone(),
            production_base_url: botbat_console_core::DEFAULT_PRODUCTION_BASE_URL.into(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("saved");
    let report = early
        .await
        .expect("task")
        .expect("answered by the URL saved in Settings");
    assert_eq!(Some(report.base_url), sandbox.state.base_url);
}

#[tokio::test]
async fn connection_tests_explain_success_401_403_and_unreachable() {
    let fx = first_launch().await;
    let report = fx
        .console
        .test_connection(Environment::Sandbox)
        .await
        .expect("sandbox reachable");
    assert!(report.scopes.contains(&"keys:manage".to_string()));
    assert!(
        report.scopes.contains(&"sandbox:manage".to_string()),
        "the embedded sandbox's management key drives its controls: {:?}",
        report.scopes
    );
    assert!(report.latency_ms > 0.0);
    assert!(report.masked_key.starts_with("bb_test_…"));

    let sandbox_url = fx.sandbox.running.base_url.clone();
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: None,
            production_base_url: sandbox_url.clone(),
            theme: Theme::Dark,
            utc_times: false,
        })
        .expect("saved");
    fx.console
        .set_management_key(
            Environment::Production,
            "bb_live_0123456789abcdefghijABCDEFGHwxyz".into(),
        )
        .await
        .expect("stored");
    let error = fx
        .console
        .test_connection(Environment::Production)
        .await
        .expect_err("the sandbox does not take a live key");
    assert_eq!(error.code, ErrorCode::Unauthorized);
    assert!(error.message.contains("live key"), "{}", error.message);
    assert_eq!(error.status, Some(401));
    assert!(error.request_id.is_some_and(|id| id.starts_with("req_")));

    let client = fx
        .console
        .client(Environment::Sandbox)
        .await
        .expect("client");
    let created = client
        .create_api_key(&botbat_api::CreateApiKeyRequest {
            name: "usage only".into(),
            scopes: vec!["usage:read".into()],
        })
        .await
        .expect("created");
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: Some(sandbox_url),
            production_base_url: "https://api.botbat.com/v1".into(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("saved");
    fx.console
        .set_management_key(Environment::Sandbox, created.data.secret)
        .await
        .expect("stored");
    let error = fx
        .console
        .dashboard_summary(false)
        .await
        .expect_err("usage:read cannot list keys");
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("keys:manage"), "{}", error.message);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed = format!("http://{}/v1", listener.local_addr().expect("addr"));
    drop(listener);
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: Some(closed),
            production_base_url: "https://api.botbat.com/v1".into(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("saved");
    let console = fx.console.with_timeout(std::time::Duration::from_secs(2));
    let error = console
        .test_connection(Environment::Sandbox)
        .await
        .expect_err("nothing listens");
    assert_eq!(error.code, ConsoleCode::Unreachable);
}

#[tokio::test]
async fn bad_settings_are_refused_and_the_old_ones_kept() {
    let fx = first_launch().await;
    let error = fx
        .console
        .save_settings(SettingsInput {
            sandbox_base_url_override: None,
            production_base_url: "api.botbat.com/v1".into(),
            theme: Theme::Light,
            utc_times: false,
        })
        .expect_err("no scheme");
    assert_eq!(error.code, ConsoleCode::InvalidInput);
    assert_eq!(error.details[0].field, "production_base_url");
    assert_eq!(
        fx.console.preferences().theme,
        Theme::System,
        "nothing half-saved"
    );
}

#[tokio::test]
async fn the_os_keychain_keeps_the_sandbox_key_across_launches() {
    // As the app starts: the probe and the transport on threads of their own.
    let EarlyStarted {
        secrets,
        keychain: state,
        transport,
    } = EarlyStart::begin("botbat-console-test-launch").finish();
    assert!(transport.is_some(), "the transport was built ahead");
    let in_keyring_session = std::env::var("BOTBAT_TEST_KEYRING").is_ok_and(|v| v == "1");
    assert_eq!(state.available, in_keyring_session, "{:?}", state.message);
    if !in_keyring_session {
        assert!(state.message.is_some(), "the banner needs a reason");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_path_buf();
    let fx = launch(dir, secrets.clone()).await;
    let first = fx
        .console
        .test_connection(Environment::Sandbox)
        .await
        .expect("ok");
    fx.sandbox.running.shutdown().await;
    let again = start_embedded_sandbox(&data.join("sandbox"), &secrets)
        .await
        .expect("second launch");
    fx.console.set_sandbox_state(again.state.clone());
    let second = fx
        .console
        .test_connection(Environment::Sandbox)
        .await
        .expect("ok");
    assert_eq!(
        first.key_id, second.key_id,
        "the same key, read back from the keychain"
    );
    assert_eq!(
        fx.console
            .environment_info(Environment::Sandbox)
            .await
            .management_key
            .location,
        KeyLocation::Keychain
    );
    secrets
        .delete(&botbat_secrets::SecretId::new("sandbox", "management-key"))
        .expect("cleanup");
    again.running.shutdown().await;
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    let generated = tempfile::tempdir().expect("temp dir");
    botbat_console_core::export_bindings(generated.path()).expect("export");
    let committed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings");
    if std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(&committed).expect("dir");
        for entry in std::fs::read_dir(generated.path()).expect("read") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, committed.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(generated.path()).expect("read") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let want = std::fs::read_to_string(&path).expect("generated");
        let have = std::fs::read_to_string(committed.join(&name)).unwrap_or_default();
        assert_eq!(
            have, want,
            "ui/src/lib/bindings/{name} is stale; run UPDATE_BINDINGS=1 cargo test -p botbat-console-core"
        );
        names.push(name);
    }
    assert!(names.len() >= 14, "{names:?}");
    for entry in std::fs::read_dir(&committed).expect("committed bindings") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        assert!(
            names.contains(&name),
            "ui/src/lib/bindings/{name} is not generated from any Rust type; remove it"
        );
    }
}

#[tokio::test]
async fn production_needs_https_unless_it_is_on_this_machine() {
    let fx = first_launch().await;
    let save = |url: &str| {
        fx.console.save_settings(SettingsInput {
            sandbox_base_url_override: None,
            production_base_url: url.into(),
            theme: Theme::System,
            utc_times: false,
        })
    };
    for refused in [
        "http://api.botbat.com/v1",
        "http://10.0.0.5:8080/v1",
        "http://localhost.example.com/v1",
        "http://127.0.0.1.example.com/v1",
    ] {
        let error = save(refused).expect_err(refused);
        assert_eq!(error.code, ConsoleCode::InvalidInput, "{refused}");
        assert_eq!(error.details[0].field, "production_base_url");
        assert!(
            error.message.contains("must start with https://")
                && error.message.contains("cleartext"),
            "{}",
            error.message
        );
    }
    let error = save("http://api.botbat.com/v1").expect_err("plain http");
    assert!(
        error.message.contains("Use https://api.botbat.com/v1."),
        "says what to type instead: {}",
        error.message
    );
    assert_eq!(
        fx.console.preferences().production_base_url,
        "https://api.botbat.com/v1",
        "nothing refused was saved"
    );
    for accepted in [
        "https://api.botbat.com/v1",
        "http://127.0.0.1:8787/v1",
        "http://127.8.9.10/v1",
        "http://localhost:4010/v1",
        "http://LOCALHOST/v1",
        "http://[::1]:8787/v1",
    ] {
        save(accepted).expect(accepted);
    }
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: Some("http://sandbox.internal:4010/v1".into()),
            production_base_url: "https://api.botbat.com/v1".into(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("a sandbox carries only bb_test_ keys: http is its user's call");
}

#[tokio::test]
async fn a_plain_http_production_url_from_an_older_preferences_file_sends_nothing() {
    let fx = first_launch().await;
    let path = fx.dir.path().join("preferences.json");
    let mut preferences = fx.console.preferences();
    preferences.production_base_url = "http://api.botbat.com/v1".into();
    std::fs::write(&path, serde_json::to_string(&preferences).expect("json")).expect("write");
    let console = Console::new(
        Box::new(JsonFilePreferences::new(path)),
        fx.secrets.clone(),
        KeychainState {
            available: true,
            message: None,
        },
        "test",
    );
    console
        .set_management_key(
            Environment::Production,
            "bb_live_0123456789abcdefghijABCDEFGHwxyz".into(),
        )
        .await
        .expect("stored");
    let error = console
        .test_connection(Environment::Production)
        .await
        .expect_err("refused before connecting");
    assert_eq!(
        error.code,
        ConsoleCode::InsecureBaseUrl,
        "{}",
        error.message
    );
    assert!(error.message.contains("https://"), "{}", error.message);
    console
        .set_environment(Environment::Production)
        .expect("switch");
    let error = botbat_console_core::tryit::TryIt::new()
        .catalog(&console, true)
        .await
        .expect_err("Try It refuses it too");
    assert_eq!(
        error.code,
        ConsoleCode::InsecureBaseUrl,
        "{}",
        error.message
    );
}

#[tokio::test]
async fn polls_read_the_management_key_once_and_a_401_reads_it_afresh() {
    let store = Arc::new(Counting::new(Arc::new(MemoryStore::new())));
    let fx = launch(tempfile::tempdir().expect("temp dir"), store.clone()).await;
    let reads = || store.reads();

    let before = reads();
    for _ in 0..5 {
        fx.console.dashboard_summary(false).await.expect("summary");
        let info = fx.console.environment_info(Environment::Sandbox).await;
        assert!(info.management_key.stored);
    }
    assert_eq!(reads() - before, 1, "ten polls, one keychain read");

    // The console switches to a key of its own; another tool then replaces it in the
    // keychain and revokes it.
    let admin = fx
        .console
        .client(Environment::Sandbox)
        .await
        .expect("client");
    let issue = |name: &str| {
        let admin = &admin;
        let name = name.to_string();
        async move {
            admin
                .create_api_key(&botbat_api::CreateApiKeyRequest {
                    name,
                    scopes: vec!["keys:manage".into(), "usage:read".into()],
                })
                .await
                .expect("created")
                .data
        }
    };
    let first = issue("first").await;
    let replacement = issue("replacement").await;
    fx.console
        .set_management_key(Environment::Sandbox, first.secret.clone())
        .await
        .expect("stored");
    let before = reads();
    let report = fx
        .console
        .test_connection(Environment::Sandbox)
        .await
        .expect("the key just set");
    assert_eq!(report.key_name, "first");
    assert_eq!(
        reads(),
        before,
        "a key the console set is used without a read"
    );
    let id = botbat_console_core::management_key_id(Environment::Sandbox);
    store
        .set(
            &id,
            &botbat_secrets::Sensitive::new(replacement.secret.clone()),
        )
        .expect("replaced");
    admin.revoke_api_key(&first.key.id).await.expect("revoked");

    let error = fx
        .console
        .test_connection(Environment::Sandbox)
        .await
        .expect_err("the old key is revoked");
    assert_eq!(error.code, ErrorCode::Unauthorized);
    let report = fx
        .console
        .test_connection(Environment::Sandbox)
        .await
        .expect("the replacement is read after the 401");
    assert_eq!(report.key_name, "replacement");

    // The console's own change is used at once, without waiting for the cache.
    fx.console
        .clear_management_key(Environment::Sandbox)
        .await
        .expect("cleared");
    let error = fx
        .console
        .dashboard_summary(false)
        .await
        .expect_err("no key");
    assert_eq!(error.code, ConsoleCode::NoManagementKey);
}

#[test]
fn the_active_connection_persists_and_its_removal_falls_back_to_botbat() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("preferences.json");
    let open = || {
        Console::new(
            Box::new(JsonFilePreferences::new(path.clone())),
            Arc::new(MemoryStore::new()),
            KeychainState {
                available: true,
                message: None,
            },
            "test",
        )
    };
    // A file written before connections existed reads as BotBat.
    std::fs::write(
        &path,
        r#"{"active_environment":"production","sandbox_base_url_override":null,"production_base_url":"https://api.botbat.com/v1","theme":"dark"}"#,
    )
    .expect("old file");
    let console = open();
    assert_eq!(console.preferences().active_connection, None);
    assert_eq!(
        console.preferences().active_environment,
        Environment::Production
    );

    console
        .set_active_connection(Some("conn_acme".into()))
        .expect("saved");
    assert_eq!(
        open().preferences().active_connection.as_deref(),
        Some("conn_acme")
    );

    // Removing another connection leaves the choice; removing this one goes back to BotBat.
    console.forget_connection("conn_other").expect("kept");
    assert_eq!(
        open().preferences().active_connection.as_deref(),
        Some("conn_acme")
    );
    console.forget_connection("conn_acme").expect("forgotten");
    let reopened = open().preferences();
    assert_eq!(reopened.active_connection, None);
    assert_eq!(reopened.active_environment, Environment::Production);
}
