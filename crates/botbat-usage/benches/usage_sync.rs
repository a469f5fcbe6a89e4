//! Sync ingest rate against the raw HTTP page-fetch rate, in the same run, against a real
//! sandbox on loopback (limits raised so neither side is paced): how much storing each page
//! in SQLite, with its rollups, costs on top of fetching it.
//!
//! - fetch only: follow `GET /v1/usage/requests?limit=100` cursors to the end, keep nothing;
//! - ingest only: store the same pages into a fresh `usage.sqlite`, no HTTP;
//! - sync: the real thing (fetch and store pipelined), into a fresh `usage.sqlite`.
//!
//! `cargo bench -p botbat-usage --bench usage_sync` (`USAGE_BENCH_SYNC_REQUESTS`, default
//! 50,000).

use std::time::{Duration, Instant};

use botbat_api::{Client, ClientConfig, Page, SeedUsageReport, SeedUsageRequest, UsageRecord};
use botbat_sandbox::{Limits, SandboxConfig};
use botbat_usage::{sync, SyncOptions, UsageStore};

const ROUNDS: usize = 3;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

async fn fetch_all(
    client: &Client,
) -> Result<(Vec<Vec<UsageRecord>>, Duration), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "100".to_string())];
        if let Some(c) = cursor.take() {
            query.push(("cursor", c));
        }
        let page: Page<UsageRecord> = client.get("/usage/requests", &query).await?.data;
        pages.push(page.data);
        match page.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok((pages, started.elapsed()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let requests: u32 = std::env::var("USAGE_BENCH_SYNC_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let dir = tempfile::tempdir()?;
    let mut config = SandboxConfig::new("127.0.0.1:0".parse()?, dir.path().join("sandbox"));
    config.limits = Some(Limits {
        per_key_per_second: 1_000_000,
        per_org_per_minute: 60_000_000,
    });
    let sandbox = botbat_sandbox::start(config).await?;
    let key = sandbox.generated_admin_key.clone().ok_or("no admin key")?;
    let client = Client::new(ClientConfig::new(&sandbox.base_url, Some(key))?)?;
    let mut seeded = 0u64;
    while seeded < u64::from(requests) {
        let chunk = (u64::from(requests) - seeded).min(u64::from(botbat_api::SEED_MAX_REQUESTS));
        let report: SeedUsageReport = client
            .post(
                "/sandbox/usage/seed",
                &SeedUsageRequest {
                    days: 30,
                    requests: chunk as u32,
                },
            )
            .await?
            .data;
        seeded += report.requests;
    }
    println!(
        "sandbox on {} with {seeded} requests in its log",
        sandbox.base_url
    );

    let (mut fetch, mut ingest, mut synced) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (pages, elapsed) = fetch_all(&client).await?;
        let rows: usize = pages.iter().map(Vec::len).sum();
        fetch.push(rows as f64 / elapsed.as_secs_f64());

        let store = UsageStore::open(
            &dir.path().join(format!("ingest-{round}.sqlite")),
            "sandbox",
        )
        .await?;
        let started = Instant::now();
        let mut stored = 0;
        for page in pages {
            stored += store.ingest(page).await?;
        }
        ingest.push(stored as f64 / started.elapsed().as_secs_f64());
        store.close().await;

        let store =
            UsageStore::open(&dir.path().join(format!("sync-{round}.sqlite")), "sandbox").await?;
        let options = SyncOptions {
            max_share_of_limit: None,
            progress_every: Duration::from_secs(3600),
        };
        let report = sync(&client, &store, &options, |_| {}).await?;
        synced.push(report.rows_per_second);
        store.close().await;
        println!(
            "round {}: fetch {:.0} rows/s, ingest {:.0} rows/s, sync {:.0} rows/s ({} rows, {} pages)",
            round + 1,
            fetch[round],
            ingest[round],
            synced[round],
            report.rows,
            report.pages
        );
    }
    let (fetch, ingest, synced) = (median(fetch), median(ingest), median(synced));
    println!("\nmedians of {ROUNDS} rounds:");
    println!("  raw HTTP page fetch (100 rows a page, nothing kept): {fetch:.0} rows/s");
    println!(
        "  ingest into usage.sqlite with rollups (no HTTP):      {ingest:.0} rows/s  => {:.2}x the fetch rate",
        ingest / fetch
    );
    println!(
        "  sync (fetch and ingest pipelined):                    {synced:.0} rows/s  => {:.2}x the fetch rate",
        synced / fetch
    );
    sandbox.shutdown().await;
    Ok(())
}
