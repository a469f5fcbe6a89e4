//! `botbat listen` as a process against a real sandbox on loopback: forwarding once and in
//! order across a SIGSTOP and across cut connections, `--exit-on-stale`, `/healthz`,
//! routing by event type, and the one-server-per-data-dir rule.

mod common;

use std::sync::Arc;
use std::time::Duration;

use botbat_api::Plan;
use botbat_console_core::profile::Profile as ConsoleProfile;
use botbat_console_core::{Console, Environment, JsonFilePreferences, KeychainState};
use botbat_secrets::{MemoryStore, SecretStore};
use common::*;
use serde_json::Value;

const READY: Duration = Duration::from_secs(60);

fn is_ready(line: &Value) -> bool {
    line["type"] == "ready"
}

/// Fires `count` events numbered from `from`, one at a time, and returns their ids.
async fn fire_many(
    platform: &Platform,
    event_type: &str,
    from: usize,
    count: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    for n in from..from + count {
        ids.push(platform.fire(event_type, n).await);
        // Starter allows 5 requests a second per key; stay under it.
        tokio::time::sleep(Duration::from_millis(220)).await;
    }
    ids
}

async fn all_forwarded(receiver: &Receiver, expected: &[String]) {
    let arrived = eventually(Duration::from_secs(90), || {
        (receiver.count() >= expected.len()).then_some(())
    })
    .await;
    assert!(
        arrived.is_some(),
        "{} of {} events forwarded",
        receiver.count(),
        expected.len()
    );
    // Give a duplicate, if any, the time to show up before judging.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.event_ids(), expected, "every event once, in order");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_event_is_forwarded_once_in_order_across_a_sigstop() {
    let platform = Platform::start(Plan::Starter, false).await;
    let receiver = Receiver::start().await;
    let profile = Profile::new(Some(&platform.key));
    // Only the types it fires: a 429 the key meets meanwhile is a rate_limit.exceeded
    // event of its own, which this test does not expect.
    let mut listener = profile.spawn(&[
        "listen",
        "--json",
        "--base-url",
        &platform.base_url,
        "--forward-to",
        &receiver.url,
        "--events",
        "message.*",
    ]);
    let ready = listener.json_line(READY, is_ready);
    assert!(
        ready["signing_secret"]
            .as_str()
            .unwrap_or("")
            .starts_with("whsec_"),
        "{ready}"
    );
    let mut expected = fire_many(&platform, "message.delivered", 0, 10).await;
    signal(listener.pid(), "STOP");
    expected.extend(fire_many(&platform, "message.delivered", 10, 10).await);
    // The scenario: the listener stays frozen for 10 s while events keep firing.
    tokio::time::sleep(Duration::from_secs(10)).await;
    signal(listener.pid(), "CONT");
    expected.extend(fire_many(&platform, "message.delivered", 20, 10).await);
    all_forwarded(&receiver, &expected).await;

    let lines: Vec<Value> = (0..30)
        .map(|_| listener.json_line(Duration::from_secs(30), |l| l["type"] == "event"))
        .collect();
    let printed: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["event_id"].as_str())
        .collect();
    assert_eq!(printed, expected, "one line per event, in order");
    assert!(lines
        .iter()
        .all(|l| l["status"] == 200 && l["latency_ms"].is_u64()));
    assert_eq!(listener.stop(), Some(0), "SIGTERM ends a listener cleanly");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_cuts_the_connection_loses_and_repeats_nothing() {
    let platform = Platform::start(Plan::Starter, false).await;
    let proxy = Proxy::start(addr_of(&platform.base_url)).await;
    let receiver = Receiver::start().await;
    let profile = Profile::new(Some(&platform.key));
    // Only the types it fires (see the test above).
    let mut listener = profile.spawn(&[
        "listen",
        "--json",
        "--base-url",
        &proxy.base_url(),
        "--forward-to",
        &receiver.url,
        "--events",
        "message.*",
    ]);
    listener.json_line(READY, is_ready);
    let mut expected = fire_many(&platform, "message.delivered", 0, 10).await;
    proxy.cut();
    expected.extend(fire_many(&platform, "message.sent", 10, 10).await);
    proxy.cut();
    expected.extend(fire_many(&platform, "message.read", 20, 10).await);
    all_forwarded(&receiver, &expected).await;
    assert_eq!(listener.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_on_stale_exits_with_3_when_the_proxy_freezes() {
    let platform = Platform::start(Plan::Starter, false).await;
    let proxy = Proxy::start(addr_of(&platform.base_url)).await;
    let profile = Profile::new(Some(&platform.key));
    let mut listener = profile.spawn(&[
        "listen",
        "--json",
        "--base-url",
        &proxy.base_url(),
        "--exit-on-stale",
        "5",
    ]);
    listener.json_line(READY, is_ready);
    proxy.freeze(true);
    assert_eq!(listener.wait_exit(Duration::from_secs(60)), Some(3));
    assert!(
        listener.stderr().contains("listener_stale"),
        "{}",
        listener.stderr()
    );
}

async fn health(url: &str) -> Option<u16> {
    reqwest::Client::new()
        .get(url)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

async fn health_becomes(url: &str, status: u16) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if health(url).await == Some(status) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_is_200_while_connected_and_503_while_stale() {
    let platform = Platform::start(Plan::Starter, false).await;
    let proxy = Proxy::start(addr_of(&platform.base_url)).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let profile = Profile::new(Some(&platform.key));
    let mut listener = profile.spawn(&[
        "listen",
        "--json",
        "--base-url",
        &proxy.base_url(),
        "--heartbeat",
        "1",
        "--health",
        &addr,
    ]);
    let ready = listener.json_line(READY, is_ready);
    let url = ready["health"].as_str().expect("health url").to_string();
    assert!(health_becomes(&url, 200).await, "200 while connected");
    proxy.freeze(true);
    assert!(health_becomes(&url, 503).await, "503 once stale");
    proxy.freeze(false);
    assert!(
        health_becomes(&url, 200).await,
        "200 again after reconnecting"
    );
    assert_eq!(listener.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn forward_routes_message_and_contact_events_to_two_servers() {
    let platform = Platform::start(Plan::Starter, false).await;
    let messages = Receiver::start().await;
    let contacts = Receiver::start().await;
    let other = Receiver::start().await;
    let profile = Profile::new(Some(&platform.key));
    let message_route = format!("message.*={}/messages", messages.url);
    let contact_route = format!("contact.*={}/contacts", contacts.url);
    let mut listener = profile.spawn(&[
        "listen",
        "--json",
        "--base-url",
        &platform.base_url,
        "--forward",
        &message_route,
        "--forward",
        &contact_route,
        "--forward-to",
        &other.url,
        "--events",
        "message.*,contact.*,template.*",
    ]);
    listener.json_line(READY, is_ready);
    // Only the types asked for with --events arrive (not, say, rate_limit.exceeded).
    let fired = fire_many(&platform, "message.delivered", 1, 1).await;
    let m1 = fired[0].clone();
    let c1 = fire_many(&platform, "contact.created", 2, 1).await[0].clone();
    let m2 = fire_many(&platform, "message.read", 3, 1).await[0].clone();
    let t1 = fire_many(&platform, "template.approved", 4, 1).await[0].clone();
    let done = eventually(Duration::from_secs(60), || {
        (messages.count() + contacts.count() + other.count() >= 4).then_some(())
    })
    .await;
    assert!(done.is_some(), "four events forwarded");
    assert_eq!(messages.event_ids(), vec![m1, m2]);
    assert_eq!(contacts.event_ids(), vec![c1]);
    assert_eq!(other.event_ids(), vec![t1], "--forward-to takes the rest");
    let paths: Vec<String> = messages
        .hits
        .lock()
        .expect("hits")
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(paths, vec!["/messages", "/messages"]);

    let typo = profile.run(&[
        "listen",
        "--base-url",
        &platform.base_url,
        "--forward",
        "mesage.*=http://127.0.0.1:9/x",
    ]);
    typo.expect_code(2);
    assert!(
        typo.stderr.contains("matches no event type"),
        "{}",
        typo.stderr
    );
}

/// The window's start-up, without the window: the same console-core call src-tauri makes.
async fn window_serves(
    dir: &std::path::Path,
    key: &str,
) -> Arc<botbat_console_core::SharedSandbox> {
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let console = Arc::new(Console::new(
        Box::new(JsonFilePreferences::new(dir.join("window-prefs.json"))),
        secrets.clone(),
        KeychainState {
            available: true,
            message: None,
        },
        "test",
    ));
    console
        .set_management_key(Environment::Sandbox, key.to_string())
        .await
        .expect("key");
    let profile = ConsoleProfile::locate(Some(dir.to_path_buf())).expect("profile");
    profile
        .open_sandbox(&console, secrets, "botbat-console")
        .await
        .expect("the window serves the sandbox")
}

#[tokio::test(flavor = "multi_thread")]
async fn listen_uses_the_sandbox_the_window_serves() {
    let key = test_key(false);
    let profile = Profile::new(Some(&key));
    let window = window_serves(profile.path(), &key).await;
    let receiver = Receiver::start().await;
    let mut listener = profile.spawn(&["listen", "--json", "--forward-to", &receiver.url]);
    let ready = listener.json_line(READY, is_ready);
    assert_eq!(ready["sandbox"]["role"], "client", "{ready}");
    assert_eq!(ready["sandbox"]["pid"], std::process::id());
    assert_eq!(ready["sandbox"]["program"], "botbat-console");
    assert_eq!(ready["base_url"], window.base_url());

    let client = reqwest::Client::new();
    let response: Value = client
        .post(format!("{}/sandbox/events", window.base_url()))
        .bearer_auth(&key)
        .json(&serde_json::json!({"type": "contact.created"}))
        .send()
        .await
        .expect("event")
        .json()
        .await
        .expect("json");
    let id = response["id"].as_str().expect("id").to_string();
    let forwarded = eventually(Duration::from_secs(30), || {
        receiver.event_ids().contains(&id).then_some(())
    })
    .await;
    assert!(
        forwarded.is_some(),
        "the window's event reached the listener"
    );
    let record = botbat_console_core::serve::read_record(&profile.path().join("sandbox"))
        .expect("runtime file");
    assert_eq!(record.pid, std::process::id(), "still served by the window");
    assert_eq!(listener.stop(), Some(0));
    window.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_botbat_processes_never_serve_one_data_dir() {
    let key = test_key(false);
    let profile = Profile::new(Some(&key));
    let mut listener = profile.spawn(&["listen", "--json"]);
    let ready = listener.json_line(READY, is_ready);
    assert_eq!(ready["sandbox"]["role"], "serving", "{ready}");
    assert_eq!(ready["sandbox"]["pid"], listener.pid());

    let clients: Vec<_> = (0..3)
        .map(|_| {
            let command = profile.command(&["status", "--json"]);
            std::thread::spawn(move || run_command(command, Duration::from_secs(120)))
        })
        .collect();
    for client in clients {
        let run = client.join().expect("thread");
        run.expect_code(0);
        let status = run.json();
        assert_eq!(status["sandbox"]["role"], "client", "{status}");
        assert_eq!(status["sandbox"]["pid"], listener.pid());
        assert_eq!(status["base_url"], ready["base_url"]);
    }
    assert_eq!(listener.stop(), Some(0));
    assert!(
        botbat_console_core::serve::read_record(&profile.path().join("sandbox")).is_none(),
        "the runtime file goes with its server"
    );
    let after = profile.run(&["status", "--json"]);
    after.expect_code(0);
    assert_eq!(after.json()["sandbox"]["role"], "serving");
}
