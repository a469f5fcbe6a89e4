//! Finding one request by its request id in a 100,000-row request log (the command
//! palette's lookup), against the same query over the same file without the
//! `requests_request_id` index (a full scan), in the same run.
//!
//! `cargo bench -p botbat-usage --bench find_request` (`USAGE_BENCH_FIND_ROWS`, default
//! 100,000).

use std::time::Instant;

use botbat_api::UsageRecord;
use botbat_usage::UsageStore;
use chrono::{Duration, Utc};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

const LOOKUPS: usize = 200;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn records(n: usize) -> Vec<UsageRecord> {
    let start = Utc::now() - Duration::days(7);
    (0..n)
        .map(|i| UsageRecord {
            id: i as i64 + 1,
            time: start + Duration::milliseconds(i as i64 * 6_000),
            key_id: format!("key_{}", i % 7),
            method: if i % 3 == 0 { "POST" } else { "GET" }.to_string(),
            route: format!("/v1/route{}", i % 11),
            status: if i % 17 == 0 { 429 } else { 200 },
            latency_ms: (i % 300) as f64 / 10.0,
            rate_limited: i % 17 == 0,
            retry_after: (i % 17 == 0).then_some(1),
            // Seeded history has no ids; a fifth of the rows stand for it.
            request_id: (i % 5 != 0).then(|| format!("req_{i:012x}")),
            console: i % 4 == 0,
        })
        .collect()
}

/// Median seconds of `LOOKUPS` lookups of ids spread over the whole log.
async fn time_lookups(store: &UsageStore, n: usize) -> Result<f64, Box<dyn std::error::Error>> {
    let mut samples = Vec::with_capacity(LOOKUPS);
    for k in 0..LOOKUPS {
        let i = (k * 7_919 % n) / 5 * 5 + 1;
        let id = format!("req_{i:012x}");
        let started = Instant::now();
        let found = store.find_request(&id).await?;
        samples.push(started.elapsed().as_secs_f64());
        assert!(found.is_some(), "{id} is in the log");
    }
    Ok(median(samples))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::var("USAGE_BENCH_FIND_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("usage.sqlite");
    let store = UsageStore::open(&path, "sandbox").await?;
    for batch in records(n).chunks(5_000) {
        store.ingest(batch.to_vec()).await?;
    }
    let indexed = time_lookups(&store, n).await?;
    store.close().await;

    let mut connection =
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&path)).await?;
    sqlx::query("DROP INDEX requests_request_id")
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    let store = UsageStore::open(&path, "sandbox").await?;
    let scan = time_lookups(&store, n).await?;
    store.close().await;

    println!("find a request by id in {n} rows, median of {LOOKUPS}:");
    println!("  indexed (requests_request_id): {:.3} ms", indexed * 1e3);
    println!("  baseline, full scan:            {:.3} ms", scan * 1e3);
    println!("  scan / indexed:                 {:.0}x", scan / indexed);
    Ok(())
}
