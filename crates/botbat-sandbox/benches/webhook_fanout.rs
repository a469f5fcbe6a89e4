//! Webhook fan-out: how fast events get from emission to a 200 at a receiver on loopback.
//!
//! Events are emitted through the Event Simulator by 8 concurrent clients; each carries
//! its index, so the receiver can match its arrival with the moment the emitting request
//! was sent. The figures are delivered events per second (first emission to last 200) and
//! the p50/p99 emission-to-delivery latency, for 1 and for 4 subscribed endpoints. The
//! baselines, in the same run: the same events emitted with no endpoint subscribed (what
//! emitting costs, so the ratio is what delivery adds), and the same bodies POSTed straight
//! to the receiver by the same 8 clients (what loopback HTTP allows at all). Traffic stays on 127.0.0.1 and every loop is bounded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use botbat_api::Plan;
use botbat_sandbox::{Limits, RetrySchedule, SandboxConfig};
use tokio::sync::Notify;

const EVENTS: usize = 2_000;
const CLIENTS: usize = 8;

/// Arrival time of each event index, per endpoint path.
#[derive(Default)]
struct Arrivals {
    at: Mutex<HashMap<(String, usize), Instant>>,
    changed: Notify,
}

async fn receiver(arrivals: Arc<Arrivals>) -> String {
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: Bytes| {
        let arrivals = arrivals.clone();
        async move {
            let now = Instant::now();
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let n = value["data"]["n"].as_u64().unwrap_or(u64::MAX) as usize;
            arrivals
                .at
                .lock()
                .expect("lock")
                .insert((uri.path().to_string(), n), now);
            arrivals.changed.notify_one();
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn wait_for(arrivals: &Arrivals, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while arrivals.at.lock().expect("lock").len() < count {
        assert!(Instant::now() < deadline, "deliveries stalled");
        let _ = tokio::time::timeout(Duration::from_millis(50), arrivals.changed.notified()).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Figures {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Sends `EVENTS` requests from `CLIENTS` tasks; `request(i)` makes the i-th.
async fn drive<F, Fut>(request: F, arrivals: &Arrivals, paths: &[String]) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let request = Arc::new(request);
    let sent: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; EVENTS]));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (request, sent) = (request.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            for i in (client..EVENTS).step_by(CLIENTS) {
                sent.lock().expect("lock")[i] = Some(Instant::now());
                request(i).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    wait_for(arrivals, EVENTS * paths.len()).await;
    let at = arrivals.at.lock().expect("lock");
    let last = at.values().max().copied().unwrap_or_else(Instant::now);
    let sent = sent.lock().expect("lock");
    let mut latencies: Vec<f64> = at
        .iter()
        .filter_map(|((_, n), arrived)| {
            sent.get(*n)
                .copied()
                .flatten()
                .map(|s| arrived.duration_since(s).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    Figures {
        per_second: EVENTS as f64 / last.duration_since(started).as_secs_f64(),
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    }
}

async fn fan_out(endpoints: usize) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
    config.plan = Plan::Enterprise;
    config.retry_schedule = RetrySchedule::Fast;
    config.limits = Some(Limits {
        per_key_per_second: u32::MAX,
        per_org_per_minute: u32::MAX,
    });
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    let key = sandbox
        .generated_admin_key
        .as_ref()
        .expect("admin key")
        .expose()
        .clone();
    let arrivals = Arc::new(Arrivals::default());
    let origin = receiver(arrivals.clone()).await;
    let client = reqwest::Client::new();
    let mut paths = Vec::new();
    for e in 0..endpoints {
        let path = format!("/hooks/{e}");
        let reply = client
            .post(format!("{}/webhooks", sandbox.base_url))
            .bearer_auth(&key)
            .json(&serde_json::json!({"url": format!("{origin}{path}"), "event_types": ["webhook.test"]}))
            .send()
            .await
            .expect("create endpoint");
        assert!(reply.status().is_success());
        paths.push(path);
    }
    let url = format!("{}/sandbox/events", sandbox.base_url);
    let figures = drive(
        move |i| {
            let (client, url, key) = (client.clone(), url.clone(), key.clone());
            async move {
                let reply = client
                    .post(&url)
                    .bearer_auth(&key)
                    .json(&serde_json::json!({"type": "webhook.test", "data": {"n": i}}))
                    .send()
                    .await
                    .expect("emit");
                assert!(reply.status().is_success(), "{}", reply.status());
            }
        },
        &arrivals,
        &paths,
    )
    .await;
    sandbox.shutdown().await;
    figures
}

async fn direct() -> Figures {
    let arrivals = Arc::new(Arrivals::default());
    let origin = receiver(arrivals.clone()).await;
    let client = reqwest::Client::new();
    let url = format!("{origin}/hooks/direct");
    drive(
        move |i| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let body = serde_json::json!({"type": "webhook.test", "data": {"n": i}});
                client.post(&url).json(&body).send().await.expect("post");
            }
        },
        &arrivals,
        &["/hooks/direct".to_string()],
    )
    .await
}

#[tokio::main]
async fn main() {
    let baseline = direct().await;
    println!(
        "direct POST to the receiver (baseline): {:.0} events/s, p50 {:.2} ms, p99 {:.2} ms",
        baseline.per_second, baseline.p50_ms, baseline.p99_ms
    );
    let emission = fan_out(0).await;
    println!(
        "sandbox, no endpoint (emission only): {:.0} events/s",
        emission.per_second
    );
    for endpoints in [1, 4] {
        let figures = fan_out(endpoints).await;
        println!(
            "sandbox, {endpoints} endpoint(s): {:.0} events/s emitted and delivered ({:.0} deliveries/s), emission to 200: p50 {:.2} ms, p99 {:.2} ms; vs emission only {:.2}, vs direct POST {:.3}",
            figures.per_second,
            figures.per_second * endpoints as f64,
            figures.p50_ms,
            figures.p99_ms,
            figures.per_second / emission.per_second,
            figures.per_second / baseline.per_second
        );
    }
}
