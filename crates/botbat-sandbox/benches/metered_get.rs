//! What authentication, rate limiting and metering cost a request.
//!
//! Two sandboxes in one run serve the same light route, `GET /v1/sandbox/clock`: one with
//! the access layer on (Bearer key checked, both rate-limit windows counted but set too high
//! to refuse, every request metered to SQLite), one with it off. Rounds alternate between
//! them so both see the same machine; the figure is the ratio of median throughputs.
//! Traffic stays on 127.0.0.1 and every loop is bounded.

use std::sync::Arc;
use std::time::Instant;

use botbat_api::Plan;
use botbat_sandbox::{Limits, RunningSandbox, SandboxConfig};

const CONNECTIONS: usize = 16;
const REQUESTS_PER_ROUND: usize = 8_000;
const ROUNDS: usize = 5;

async fn start(access_control: bool, dir: &std::path::Path) -> RunningSandbox {
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir);
    config.plan = Plan::Enterprise;
    config.access_control = access_control;
    config.limits = Some(Limits {
        per_key_per_second: u32::MAX,
        per_org_per_minute: u32::MAX,
    });
    botbat_sandbox::start(config).await.expect("sandbox starts")
}

async fn round(url: &str, key: &str) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");
    let url: Arc<str> = Arc::from(url);
    let key: Arc<str> = Arc::from(key);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, url, key) = (client.clone(), url.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..REQUESTS_PER_ROUND / CONNECTIONS {
                let response = client
                    .get(&*url)
                    .bearer_auth(&*key)
                    .send()
                    .await
                    .expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.expect("body");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    REQUESTS_PER_ROUND as f64 / started.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let dir_on = tempfile::tempdir().expect("dir");
    let dir_off = tempfile::tempdir().expect("dir");
    let on = start(true, dir_on.path()).await;
    let off = start(false, dir_off.path()).await;
    let key = on.generated_admin_key.clone().expect("admin key");
    let url_on = format!("{}/sandbox/clock", on.base_url);
    let url_off = format!("{}/sandbox/clock", off.base_url);

    round(&url_on, key.expose()).await;
    round(&url_off, key.expose()).await;
    let (mut with_access, mut without) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        with_access.push(round(&url_on, key.expose()).await);
        without.push(round(&url_off, key.expose()).await);
    }
    let (a, b) = (median(with_access), median(without));
    println!("sandbox GET /v1/sandbox/clock, {CONNECTIONS} connections, {ROUNDS} rounds of {REQUESTS_PER_ROUND}");
    println!("  auth + rate limits + metering: {a:>9.0} req/s (median)");
    println!("  access layer off (baseline):   {b:>9.0} req/s (median)");
    println!("  ratio: {:.2}", a / b);
    on.shutdown().await;
    off.shutdown().await;
}
