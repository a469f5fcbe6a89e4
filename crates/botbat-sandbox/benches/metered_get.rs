//! What authentication, rate limiting, the scope check and metering cost a request.
//!
//! Two sandboxes in one run serve the same light route that needs a scope,
//! `GET /v1/events/types` (`webhooks:read`; no database read, so the layer's cost is not
//! hidden behind one): one with the access layer on (Bearer key checked, both rate-limit
//! windows counted but set too high to refuse, the scope checked, every request metered to
//! SQLite), one with it off. Each round ends when the meter has written every request of the
//! round, so no round leaves its backlog to the next. Rounds alternate between the two so
//! both see the same machine; the figure is the ratio of median throughputs. Traffic stays
//! on 127.0.0.1 and every loop is bounded.

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

const ROUTE: &str = "/events/types";

async fn round(sandbox: &RunningSandbox, key: &str) -> f64 {
    let url = format!("{}{ROUTE}", sandbox.base_url);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");
    let url: Arc<str> = Arc::from(url.as_str());
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
    sandbox.flush_meter().await;
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

    round(&on, key.expose()).await;
    round(&off, key.expose()).await;
    let (mut with_access, mut without) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        with_access.push(round(&on, key.expose()).await);
        without.push(round(&off, key.expose()).await);
    }
    let (a, b) = (median(with_access), median(without));
    println!("sandbox GET /v1{ROUTE} (scope webhooks:read), {CONNECTIONS} connections, {ROUNDS} rounds of {REQUESTS_PER_ROUND}, meter flushed in each round");
    println!("  auth + rate limits + scope + metering: {a:>9.0} req/s (median)");
    println!("  access layer off (baseline):           {b:>9.0} req/s (median)");
    println!("  ratio: {:.2}", a / b);
    on.shutdown().await;
    off.shutdown().await;
}
