//! `botbat`'s figures, each against a baseline taken in the same run (release build):
//!
//! 1. Event to local forward through `botbat listen`, p50 and p99, against the same
//!    events delivered straight to the same local server by the sandbox's own webhook
//!    delivery.
//! 2. `botbat request GET /v1/contacts` as a whole process (start, catalog, send, history,
//!    print) against a `curl` process for the same request, alternating, medians.
//!
//! `cargo bench -p botbat-cli --bench cli`

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botbat_api::Plan;
use botbat_sandbox::{Limits, SandboxConfig};
use botbat_secrets::Sensitive;
use chrono::{DateTime, Utc};
use serde_json::Value;

const BOTBAT: &str = env!("CARGO_BIN_EXE_botbat");
const EVENTS: usize = 400;
const PROCESS_ROUNDS: usize = 40;

type Arrivals = Arc<Mutex<HashMap<(String, String), DateTime<Utc>>>>;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(values, 0.5)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let key = "bb_test_benchbenchbenchbenchbenchbench12".to_string();
    let mut config = SandboxConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        dir.path().join("platform"),
    );
    config.plan = Plan::Enterprise;
    config.limits = Some(Limits {
        per_key_per_second: 100_000,
        per_org_per_minute: 10_000_000,
    });
    config.admin_key = Some(Sensitive::new(key.clone()));
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    let base = sandbox.base_url.clone();
    let http = reqwest::Client::new();

    // The local server: records when each event arrived, by path (`/direct`, `/tunnel`).
    let arrivals: Arrivals = Arc::new(Mutex::new(HashMap::new()));
    let recorded = arrivals.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
        let recorded = recorded.clone();
        async move {
            let now = Utc::now();
            if let Some(id) = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_string))
            {
                recorded
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert((uri.path().to_string(), id), now);
            }
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let local = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let status = http
        .post(format!("{base}/webhooks"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"url": format!("{local}/direct"), "event_types": ["message.delivered"]}))
        .send()
        .await
        .expect("endpoint")
        .status();
    assert!(status.is_success(), "endpoint created: {status}");

    let profile = tempfile::tempdir().expect("profile");
    let mut listen = Command::new(BOTBAT)
        .args([
            "listen",
            "--json",
            "--base-url",
            &base,
            "--forward-to",
            &format!("{local}/tunnel"),
        ])
        .env("BOTBAT_DATA_DIR", profile.path())
        .env("BOTBAT_API_KEY", &key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("botbat listen");
    let stdout = listen.stdout.take().expect("stdout");
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("\"ready\"") {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("listener ready");

    let mut created: Vec<(String, DateTime<Utc>)> = Vec::new();
    for n in 0..EVENTS {
        let event: Value = http
            .post(format!("{base}/sandbox/events"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"type": "message.delivered", "data": {"n": n}}))
            .send()
            .await
            .expect("event")
            .json()
            .await
            .expect("json");
        let at: DateTime<Utc> = event["created_at"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .expect("created_at");
        created.push((event["id"].as_str().expect("id").to_string(), at));
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrivals.lock().unwrap_or_else(|p| p.into_inner()).len() < EVENTS * 2
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = listen.kill();
    let _ = listen.wait();
    let seen = arrivals.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let latencies = |path: &str| {
        let mut ms: Vec<f64> = created
            .iter()
            .filter_map(|(id, at)| {
                seen.get(&(path.to_string(), id.clone()))
                    .map(|t| (*t - *at).num_microseconds().unwrap_or(0) as f64 / 1000.0)
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        ms
    };
    let tunnel = latencies("/tunnel");
    let direct = latencies("/direct");
    println!("event to local server, {EVENTS} events, 15 ms apart:");
    println!(
        "  botbat listen (tunnel, capture, forward): {} arrived, p50 {:.2} ms, p99 {:.2} ms",
        tunnel.len(),
        percentile(&tunnel, 0.5),
        percentile(&tunnel, 0.99)
    );
    println!(
        "  sandbox webhook delivery (direct):        {} arrived, p50 {:.2} ms, p99 {:.2} ms",
        direct.len(),
        percentile(&direct, 0.5),
        percentile(&direct, 0.99)
    );
    println!(
        "  ratio listen/direct: p50 {:.2}, p99 {:.2}",
        percentile(&tunnel, 0.5) / percentile(&direct, 0.5),
        percentile(&tunnel, 0.99) / percentile(&direct, 0.99)
    );

    // Whole processes: botbat request against curl, alternating.
    for n in 0..25 {
        http.post(format!("{base}/contacts"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"name": format!("Bench {n}"), "phone": format!("+4477009{n:05}")}))
            .send()
            .await
            .expect("contact");
    }
    let url = format!("{base}/contacts");
    let run = |command: &mut Command| {
        let started = Instant::now();
        let status = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("runs");
        assert!(status.success(), "{command:?}");
        started.elapsed().as_secs_f64() * 1000.0
    };
    let botbat = || {
        let mut c = Command::new(BOTBAT);
        c.args([
            "request",
            "GET",
            "/v1/contacts",
            "--json",
            "--base-url",
            &base,
        ])
        .env("BOTBAT_DATA_DIR", profile.path())
        .env("BOTBAT_API_KEY", &key);
        c
    };
    let curl = || {
        let mut c = Command::new("curl");
        c.args([
            "-sS",
            "-f",
            "-H",
            &format!("Authorization: Bearer {key}"),
            &url,
        ]);
        c
    };
    run(&mut botbat());
    run(&mut curl());
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..PROCESS_ROUNDS {
        let a = run(&mut botbat());
        let b = run(&mut curl());
        ours.push(a);
        theirs.push(b);
        ratios.push(a / b);
    }
    println!("GET /v1/contacts as a whole process, {PROCESS_ROUNDS} alternating rounds:");
    println!(
        "  botbat request {:.2} ms, curl {:.2} ms (medians); ratio {:.2} (median of pairs)",
        median(&mut ours),
        median(&mut theirs),
        median(&mut ratios)
    );
    sandbox.shutdown().await;
}
