//! Try It's send path against the floor and against `curl`, for the same request, in the
//! same run.
//!
//! The console side is `TryIt::send` as the command calls it: validation against the
//! schema, the key from the secret store, the request over the kept connection, the answer
//! read, parsed and checked against its schema, the history row handed to its writer. The
//! row is written behind the answer (`tryit::history`); each round waits for it, untimed,
//! before the baselines run, so the write neither hides in the console's figure nor slows
//! theirs, and the end of the run checks that every row was written. Two baselines:
//!
//! - **the floor**: a bare `reqwest::Client` (the same reqwest build and features as the
//!   console's) sending the same request with the same key over one connection it keeps
//!   warm, timed from the call to the last byte of the body (not parsed). Nothing can send
//!   this request faster from a Rust process; console / floor is what the console itself
//!   adds.
//! - **what a developer would type**: one `curl` process per request, timed from spawn to
//!   exit. curl's own `time_total` (connect to last byte, on a new connection each time) is
//!   printed beside it.
//!
//! Each round sends the request once each way, in turn, so all three see the same sandbox
//! state and machine load. The first request after the curl process exits runs on cold
//! caches and took about 0.1 ms longer whichever side sent it, so a fixed order charged
//! that to one side (1.61-1.85x with the console always first, 1.07x with it always
//! second): an untimed request goes first, then the console and the floor take turns. Run under `scripts/with-keyring.sh` to use the real OS keychain
//! (it is what the app uses); otherwise the key comes from memory and the output says so.
//!
//!   scripts/with-keyring.sh cargo bench -p botbat-console-core --bench tryit_send

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use botbat_api::Plan;
use botbat_console_core::tryit::{
    TryIt, TryPair, TryRequest, TrySendOptions, MANAGEMENT_CREDENTIAL,
};
use botbat_console_core::{
    Console, Environment, JsonFilePreferences, KeychainState, SandboxState, KEYCHAIN_SERVICE,
};
use botbat_sandbox::{Limits, SandboxConfig};
use botbat_secrets::{KeychainStore, MemoryStore, SecretId, SecretStore, Sensitive};

const WARMUP: usize = 30;
const ROUNDS: usize = 400;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() - 1) as f64 * p).round() as usize]
}

/// Sends the request once on `client`'s warm connection; returns the time to the body's
/// last byte, in ms.
async fn bare_once(client: &reqwest::Client, url: &str, key: &str) -> f64 {
    let started = Instant::now();
    let response = client
        .get(url)
        .bearer_auth(key)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("bare request");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.bytes().await.expect("body");
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    assert!(!body.is_empty());
    elapsed
}

/// Runs curl once; returns (wall time from spawn to exit, curl's time_total), in ms.
fn curl_once(url: &str, key: &str) -> (f64, f64) {
    let started = Instant::now();
    let output = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}"])
        .args(["-H", &format!("Authorization: Bearer {key}")])
        .args(["-H", "Accept: application/json"])
        .arg(url)
        .output()
        .expect("curl runs");
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let mut parts = text.split_whitespace();
    assert_eq!(parts.next(), Some("200"), "curl: {text}");
    let total: f64 = parts
        .next()
        .and_then(|t| t.parse().ok())
        .expect("time_total");
    (wall, total * 1000.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("dir");
    let key = botbat_sandbox::ids::api_key_secret();
    let keychain = KeychainStore::new(format!("{KEYCHAIN_SERVICE}-bench"));
    let (secrets, store): (Arc<dyn SecretStore>, &str) = match keychain.probe() {
        Ok(()) => (Arc::new(keychain), "the OS keychain"),
        Err(error) => {
            eprintln!("no OS keychain ({error}); the key comes from memory");
            (Arc::new(MemoryStore::new()), "memory")
        }
    };
    let key_id = SecretId::new("sandbox", "management-key");
    secrets
        .set(&key_id, &Sensitive::new(key.clone()))
        .expect("store the key");

    let mut config = SandboxConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        dir.path().join("sandbox"),
    );
    config.plan = Plan::Enterprise;
    config.admin_key = Some(Sensitive::new(key.clone()));
    // Both sides send thousands of requests; neither may meet a limit.
    config.limits = Some(Limits {
        per_key_per_second: 1_000_000,
        per_org_per_minute: 100_000_000,
    });
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    let console = Console::new(
        Box::new(JsonFilePreferences::new(dir.path().join("prefs.json"))),
        secrets.clone(),
        KeychainState {
            available: true,
            message: None,
        },
        "bench",
    )
    .with_data_dir(dir.path().join("data"));
    console.set_sandbox_state(SandboxState {
        running: true,
        base_url: Some(sandbox.base_url.clone()),
        data_dir: None,
        error: None,
    });
    let tryit = TryIt::new();
    tryit.catalog(&console, false).await.expect("catalog");
    for i in 0..5 {
        let create = TryRequest {
            operation_id: Some("create_contact".into()),
            method: "POST".into(),
            path: "/v1/contacts".into(),
            body: Some(format!(r#"{{"name": "Bench {i}", "tags": ["bench"]}}"#)),
            credential: MANAGEMENT_CREDENTIAL.into(),
            ..TryRequest::default()
        };
        tryit
            .send(
                &console,
                Environment::Sandbox,
                &create,
                TrySendOptions::default(),
            )
            .await
            .expect("seed");
    }
    let list = TryRequest {
        operation_id: Some("list_contacts".into()),
        method: "GET".into(),
        path: "/v1/contacts".into(),
        query: vec![TryPair::new("limit", "5"), TryPair::new("tag", "bench")],
        credential: MANAGEMENT_CREDENTIAL.into(),
        ..TryRequest::default()
    };
    let url = format!("{}/contacts?limit=5&tag=bench", sandbox.base_url);
    let bare = reqwest::Client::new();

    let mut sent_ids = Vec::with_capacity(WARMUP + ROUNDS);
    let mut console_ms = Vec::with_capacity(ROUNDS);
    let mut bare_ms = Vec::with_capacity(ROUNDS);
    let mut curl_wall = Vec::with_capacity(ROUNDS);
    let mut curl_total = Vec::with_capacity(ROUNDS);
    for round in 0..WARMUP + ROUNDS {
        // The first request after the curl process runs on cold caches: an untimed one takes
        // that cost, and which side goes first alternates, so that what is left of it falls
        // on both alike.
        let _ = bare_once(&bare, &url, &key).await;
        let bare_first = round % 2 == 1;
        let mut floor = 0.0;
        if bare_first {
            floor = bare_once(&bare, &url, &key).await;
        }
        let started = Instant::now();
        let response = tryit
            .send(
                &console,
                Environment::Sandbox,
                &list,
                TrySendOptions::default(),
            )
            .await
            .expect("send");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(response.status, 200);
        assert_eq!(response.page_items, Some(5));
        tryit.settle().await.expect("history written");
        sent_ids.push(response.request_id.clone());
        if !bare_first {
            floor = bare_once(&bare, &url, &key).await;
        }
        let (wall, total) = tokio::task::spawn_blocking({
            let url = url.clone();
            let key = key.clone();
            move || curl_once(&url, &key)
        })
        .await
        .expect("curl task");
        if round >= WARMUP {
            console_ms.push(elapsed);
            bare_ms.push(floor);
            curl_wall.push(wall);
            curl_total.push(total);
        }
        if round % 50 == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let kept = tryit
        .history_list(&console, "bench")
        .await
        .expect("history read");
    let console_median = median(&mut console_ms);
    let console_p90 = percentile(&mut console_ms, 0.9);
    let bare_median = median(&mut bare_ms);
    let bare_p90 = percentile(&mut bare_ms, 0.9);
    let wall_median = median(&mut curl_wall);
    let total_median = median(&mut curl_total);
    println!("Try It send path vs a bare reqwest client and curl, GET /v1/contacts?limit=5 on a loopback sandbox, key from {store}");
    println!("  {ROUNDS} rounds of one request each way, in turn (console and floor alternating first), after {WARMUP} warm-up rounds");
    println!("  console TryIt::send (command to parsed response, history handed over): median {console_median:.3} ms, p90 {console_p90:.3} ms");
    println!("  bare reqwest, warm connection (call to last body byte):            median {bare_median:.3} ms, p90 {bare_p90:.3} ms");
    println!("  curl process (spawn to exit):                                      median {wall_median:.3} ms");
    println!("  curl time_total (connect to last byte, new connection):            median {total_median:.3} ms");
    println!(
        "  ratio of medians, console / bare reqwest (the floor): {:.2}",
        console_median / bare_median
    );
    println!(
        "  ratio of medians, console / curl process:            {:.2}",
        console_median / wall_median
    );
    let listed: Vec<Option<String>> = kept.iter().rev().map(|i| i.request_id.clone()).collect();
    let newest = &sent_ids[sent_ids.len() - listed.len()..];
    assert!(
        !listed.is_empty() && listed == newest,
        "the history holds the newest sends, in order"
    );
    println!(
        "  history: the newest {} sends listed, each one its row, in order",
        listed.len()
    );
    let _ = secrets.delete(&key_id);
    let _ = secrets.delete(&SecretId::new("probe", "availability"));
    sandbox.shutdown().await;
}
