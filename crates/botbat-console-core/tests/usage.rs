//! The Usage panel's operations against the real embedded sandbox, with the cache in a real
//! data dir: generate history, sync it with progress, chart it by range and filter, export
//! it, keep working offline, stop a sync and carry on.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botbat_api::Plan;
use botbat_console_core::usage::{
    ChartTheme, UsageBreakdown, UsageChartKind, UsageChartRequest, UsageExportFormat, UsageRange,
    UsageSyncProgress,
};
use botbat_console_core::{
    start_embedded_sandbox, Console, ConsoleCode, Environment, JsonFilePreferences, KeychainState,
    SandboxState, UsageCache,
};
use botbat_sandbox::{Limits, RunningSandbox};
use botbat_secrets::{MemoryStore, SecretStore};
use botbat_usage::SyncOptions;
use rand::{Rng, SeedableRng};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;

struct Fixture {
    console: Arc<Console>,
    usage: Arc<UsageCache>,
    sandbox: Option<RunningSandbox>,
    progress: Arc<Mutex<Vec<UsageSyncProgress>>>,
    dir: tempfile::TempDir,
}

impl Fixture {
    /// The last progress report the notifier got.
    fn last_report(&self) -> UsageSyncProgress {
        self.progress
            .lock()
            .expect("progress")
            .last()
            .cloned()
            .expect("a progress report")
    }
}

/// The console as it starts: the embedded sandbox (Starter plan) and syncs paced as in the
/// app.
async fn launch() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let sandbox = start_embedded_sandbox(&dir.path().join("sandbox"), &secrets)
        .await
        .expect("embedded sandbox");
    fixture(
        dir,
        secrets,
        sandbox.running,
        sandbox.state,
        SyncOptions::default(),
    )
}

/// A sandbox whose limits never bite and syncs that report every page, for tests that
/// run many syncs.
async fn launch_unlimited() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let limits = Limits {
        per_key_per_second: 1_000_000,
        per_org_per_minute: 60_000_000,
    };
    let (sandbox, _) = common::sandbox_with_key(
        &dir.path().join("sandbox"),
        secrets.as_ref(),
        Plan::Enterprise,
        Some(limits),
    )
    .await;
    let state = SandboxState {
        running: true,
        base_url: Some(sandbox.base_url.clone()),
        data_dir: Some(dir.path().join("sandbox").display().to_string()),
        error: None,
    };
    let options = SyncOptions {
        max_share_of_limit: None,
        progress_every: Duration::ZERO,
    };
    fixture(dir, secrets, sandbox, state, options)
}

fn fixture(
    dir: tempfile::TempDir,
    secrets: Arc<dyn SecretStore>,
    sandbox: RunningSandbox,
    state: SandboxState,
    options: SyncOptions,
) -> Fixture {
    let console = Arc::new(
        Console::new(
            Box::new(JsonFilePreferences::new(
                dir.path().join("preferences.json"),
            )),
            secrets,
            KeychainState {
                available: true,
                message: None,
            },
            "test",
        )
        .with_data_dir(dir.path().join("app")),
    );
    console.set_sandbox_state(state);
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let usage = Arc::new(
        UsageCache::new(
            console.clone(),
            dir.path().join("Downloads"),
            Arc::new(move |p| seen.lock().expect("progress").push(p)),
        )
        .with_sync_options(options),
    );
    Fixture {
        console,
        usage,
        sandbox: Some(sandbox),
        progress,
        dir,
    }
}

/// Waits until `done` holds, failing the test after a minute.
async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Rows in a cache file and how many distinct platform ids they hold, read over a
/// connection of the test's own.
async fn rows_in_file(path: &Path) -> (u64, u64) {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    let pool = SqlitePool::connect_with(options).await.expect("usage db");
    let (rows, ids): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT id) FROM requests")
            .fetch_one(&pool)
            .await
            .expect("count");
    pool.close().await;
    (rows as u64, ids as u64)
}

fn request(chart: UsageChartKind, range: UsageRange) -> UsageChartRequest {
    UsageChartRequest {
        chart,
        breakdown: None,
        range,
        from: None,
        to: None,
        key_id: None,
        endpoint: None,
        status: None,
        include_console: None,
        width: 900,
        height: 320,
        theme: ChartTheme::Light,
        // UTC+01:00 all year, so the labels below hold whatever the date.
        time_zone: "Africa/Lagos".to_string(),
    }
}

#[tokio::test]
async fn a_time_zone_the_database_does_not_know_is_refused_by_name() {
    let fx = launch().await;
    let mut asked = request(UsageChartKind::Volume, UsageRange::LastDay);
    for wrong in ["Europe/Atlantis", "+01:00", ""] {
        asked.time_zone = wrong.to_string();
        let error = fx.usage.chart(&asked).await.expect_err("refused");
        assert_eq!(error.code, ConsoleCode::InvalidInput, "{wrong:?}");
        assert_eq!(error.details[0].field, "time_zone");
        assert!(
            error.message.contains(&format!("{wrong:?}"))
                && error.message.contains("Europe/Berlin"),
            "names the value and what a zone looks like: {}",
            error.message
        );
    }
    asked.time_zone = "America/New_York".to_string();
    let chart = fx.usage.chart(&asked).await.expect("a known zone draws");
    assert!(chart.buckets.len() >= 144, "{}", chart.buckets.len());
    assert!(chart
        .buckets
        .windows(2)
        .all(|pair| pair[0].end == pair[1].start));
    assert_eq!(
        chart.buckets.last().map(|b| b.end.as_str()),
        Some(chart.to.as_str())
    );
}

#[tokio::test]
async fn generated_history_is_synced_charted_filtered_and_exported() {
    let fx = launch().await;
    let empty = fx.usage.overview().await.expect("overview");
    assert_eq!(empty.environment, Environment::Sandbox);
    assert_eq!((empty.as_of.as_ref(), empty.rows_cached), (None, 0));

    let seeded = fx
        .usage
        .seed(Environment::Sandbox, 14, 2_000)
        .await
        .expect("seeded");
    assert_eq!(seeded.requests, 2_000);
    let report = fx.usage.sync(Environment::Sandbox).await.expect("synced");
    assert!(report.rows >= 2_000, "{report:?}");
    assert!(report.as_of.is_some());
    {
        let progress = fx.progress.lock().expect("progress");
        assert!(progress.len() >= 2, "progress while it ran and at the end");
        let last = progress.last().expect("last");
        assert!(last.done && last.error.is_none(), "{last:?}");
        assert!(progress
            .iter()
            .all(|p| p.environment == Environment::Sandbox));
    }

    let overview = fx.usage.overview().await.expect("overview");
    assert_eq!(overview.rows_cached, report.rows);
    assert!(overview
        .keys
        .iter()
        .any(|k| k.label == "Checkout bot (seeded)"));
    assert!(overview
        .endpoints
        .iter()
        .any(|e| e == "POST /v1/messages/send"));
    assert_eq!(
        overview.limits.as_ref().map(|l| l.per_org_per_minute),
        Some(300)
    );
    assert!(overview.file_bytes > 0);

    // A month by endpoint, from hour rollups, in the viewer's time zone.
    let month = fx
        .usage
        .chart(&request(UsageChartKind::Volume, UsageRange::LastMonth))
        .await
        .expect("month");
    assert_eq!(month.title, "Requests by endpoint");
    assert_eq!(month.answered_from, "hour rollups");
    assert_eq!(month.bucket_seconds, 10_800);
    assert!(month.totals.requests >= 2_000);
    assert!(month.svg.contains("Local time (UTC+01:00)"));
    assert!(month
        .series
        .iter()
        .any(|s| s.name == "POST /v1/messages/send"));
    assert_eq!(month.buckets.len(), month.series[0].values.len());
    assert!(month
        .buckets
        .iter()
        .all(|b| b.x > month.plot.left && b.x < month.plot.right));

    // The key filter narrows the chart to one integration's traffic.
    let checkout = overview
        .keys
        .iter()
        .find(|k| k.label == "Checkout bot (seeded)")
        .expect("key");
    let one_key = fx
        .usage
        .chart(&UsageChartRequest {
            key_id: Some(checkout.key_id.clone()),
            ..request(UsageChartKind::Volume, UsageRange::LastMonth)
        })
        .await
        .expect("one key");
    assert!(one_key.totals.requests < month.totals.requests);
    assert!(one_key.totals.requests > 300);
    let by_key = fx
        .usage
        .chart(&UsageChartRequest {
            breakdown: Some(UsageBreakdown::Key),
            ..request(UsageChartKind::Volume, UsageRange::LastWeek)
        })
        .await
        .expect("by key");
    assert!(by_key
        .series
        .iter()
        .any(|s| s.name == "Checkout bot (seeded)"
            && s.detail.as_deref() == Some(checkout.key_id.as_str())));
    assert!(
        by_key.totals.requests < month.totals.requests,
        "a week holds less than a month"
    );

    let errors = fx
        .usage
        .chart(&UsageChartRequest {
            breakdown: Some(UsageBreakdown::ErrorCode),
            ..request(UsageChartKind::Errors, UsageRange::LastMonth)
        })
        .await
        .expect("errors");
    assert!(
        errors.series.iter().any(|s| s.name == "429 rate_limited"),
        "{:?}",
        errors.series.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    let latency = fx
        .usage
        .chart(&request(UsageChartKind::Latency, UsageRange::LastMonth))
        .await
        .expect("latency");
    let names: Vec<_> = latency.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["p50", "p95", "p99"]);
    let limits = fx
        .usage
        .chart(&request(UsageChartKind::RateLimits, UsageRange::LastMonth))
        .await
        .expect("limits");
    assert!(limits
        .svg
        .contains("Organisation limit: 300 per minute (Starter)"));

    // Exports land in the exports folder, readable.
    let svg = fx
        .usage
        .export(
            &request(UsageChartKind::Volume, UsageRange::LastMonth),
            UsageExportFormat::Svg,
        )
        .await
        .expect("svg");
    assert!(svg
        .path
        .starts_with(&fx.dir.path().join("Downloads").display().to_string()));
    assert!(std::fs::read_to_string(&svg.path)
        .expect("read")
        .starts_with("<svg"));
    let png = fx
        .usage
        .export(
            &request(UsageChartKind::Volume, UsageRange::LastMonth),
            UsageExportFormat::Png,
        )
        .await
        .expect("png");
    assert!(std::fs::read(&png.path)
        .expect("read")
        .starts_with(b"\x89PNG"));
    let csv = fx
        .usage
        .export(
            &request(UsageChartKind::Volume, UsageRange::LastMonth),
            UsageExportFormat::Csv,
        )
        .await
        .expect("csv");
    let text = std::fs::read_to_string(&csv.path).expect("read");
    assert!(text.starts_with("\"bucket_start\","), "{}", &text[..80]);
    assert!(text.contains("+01:00\","), "local times with their offset");

    let kept = fx
        .usage
        .set_retention(Environment::Sandbox, 7)
        .await
        .expect("retention");
    assert_eq!(kept.retention_days, 7);
    assert!(
        kept.raw_rows < overview.raw_rows,
        "older raw rows were pruned"
    );
    let after = fx
        .usage
        .chart(&request(UsageChartKind::Volume, UsageRange::LastMonth))
        .await
        .expect("month after pruning");
    assert_eq!(
        after.totals.requests, month.totals.requests,
        "rollups are kept"
    );
}

#[tokio::test]
async fn charts_keep_working_offline_as_of_the_last_sync() {
    let mut fx = launch().await;
    fx.usage
        .seed(Environment::Sandbox, 2, 300)
        .await
        .expect("seeded");
    let synced = fx.usage.sync(Environment::Sandbox).await.expect("synced");
    if let Some(sandbox) = fx.sandbox.take() {
        sandbox.shutdown().await;
    }
    let error = fx
        .usage
        .sync(Environment::Sandbox)
        .await
        .expect_err("the sandbox is gone");
    assert_eq!(error.code, ConsoleCode::Unreachable, "{error:?}");
    let last = fx.last_report();
    assert!(last.done && last.error.is_some(), "{last:?}");
    let overview = fx.usage.overview().await.expect("overview");
    assert_eq!(
        overview.as_of, synced.as_of,
        "as of the last completed sync"
    );
    assert!(overview.last_error.is_some());
    let chart = fx
        .usage
        .chart(&request(UsageChartKind::Volume, UsageRange::LastDay))
        .await
        .expect("chart from the cache");
    assert_eq!(chart.as_of, synced.as_of);
    assert!(chart.totals.requests >= 100);
}

#[tokio::test]
async fn a_stopped_sync_says_so_and_the_next_one_carries_on() {
    let fx = launch().await;
    fx.usage
        .seed(Environment::Sandbox, 3, 3_000)
        .await
        .expect("seeded");
    let usage = fx.usage.clone();
    let running = tokio::spawn(async move { usage.sync(Environment::Sandbox).await });
    wait_for("the sync to store a page", || {
        fx.progress
            .lock()
            .expect("progress")
            .iter()
            .any(|p| p.rows > 0)
    })
    .await;
    let twice = fx
        .usage
        .sync(Environment::Sandbox)
        .await
        .expect_err("one at a time");
    assert_eq!(twice.code, ConsoleCode::SyncRunning);
    assert!(fx.usage.cancel_sync(Environment::Sandbox));
    let stopped = running.await.expect("task").expect_err("stopped");
    assert_eq!(stopped.code, ConsoleCode::SyncCancelled);
    let partial = fx.usage.overview().await.expect("overview");
    assert!(partial.syncing.is_none());
    assert!(
        partial.rows_cached > 0 && partial.rows_cached < 3_000,
        "{}",
        partial.rows_cached
    );
    let said = fx.last_report();
    assert!(said.done, "{said:?}");
    assert_eq!(said.error.as_deref(), Some("The sync was stopped."));
    assert_eq!(said.rows, partial.rows_cached, "the stop says what it kept");
    let finished = fx
        .usage
        .sync(Environment::Sandbox)
        .await
        .expect("carried on");
    let total = fx.usage.overview().await.expect("overview").rows_cached;
    assert_eq!(total, partial.rows_cached + finished.rows);
    assert!(total >= 3_000);
    assert!(
        !fx.usage.cancel_sync(Environment::Sandbox),
        "nothing left to stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_stopped_at_any_point_reports_exactly_the_rows_it_left_in_the_file() {
    let mut fx = launch_unlimited().await;
    fx.usage
        .seed(Environment::Sandbox, 3, 12_000)
        .await
        .expect("seeded");
    let env = Environment::Sandbox;
    let store = fx.usage.store(env).await.expect("store");
    let path = store.path().to_path_buf();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let mut stopped = 0;
    for round in 0..40 {
        let (before, _) = rows_in_file(&path).await;
        let seen_before = fx.progress.lock().expect("progress").len();
        let usage = fx.usage.clone();
        let running = tokio::spawn(async move { usage.sync(env).await });
        // Stop as soon as the sync runs, or once a few pages are stored, after a random
        // number of scheduler turns: anywhere from fetching a page to committing one.
        let pages = rng.random_range(0..4u32);
        if pages > 0 {
            wait_for("pages to be stored", || {
                fx.progress.lock().expect("progress")[seen_before..]
                    .iter()
                    .any(|p| p.pages >= pages || p.done)
            })
            .await;
        }
        for _ in 0..rng.random_range(0..300) {
            tokio::task::yield_now().await;
        }
        let asked = if pages == 0 {
            wait_for("the sync to run", || fx.usage.cancel_sync(env)).await;
            true
        } else {
            fx.usage.cancel_sync(env)
        };
        let outcome = running.await.expect("sync task");
        // What the panel shows the moment the stop is reported.
        let said = fx.last_report();
        let overview = fx.usage.overview().await.expect("overview");
        assert!(said.done, "round {round}: {said:?}");
        match outcome {
            Err(error) => {
                assert!(asked, "round {round}: stopped without being asked");
                assert_eq!(error.code, ConsoleCode::SyncCancelled, "round {round}");
                assert_eq!(said.error.as_deref(), Some("The sync was stopped."));
                stopped += 1;
            }
            Ok(report) => {
                assert!(said.error.is_none(), "round {round}: {said:?}");
                assert_eq!(said.rows, report.rows, "round {round}");
            }
        }
        assert!(overview.syncing.is_none(), "round {round}");
        // A write the stopped sync had started and not finished would land by now.
        store.settled().await;
        let (after, distinct) = rows_in_file(&path).await;
        assert_eq!(
            after,
            before + said.rows,
            "round {round}: {} rows reported, {} stored",
            said.rows,
            after - before
        );
        assert_eq!(overview.raw_rows, after, "round {round}: the panel's count");
        assert_eq!(distinct, after, "round {round}: no row stored twice");
        assert_eq!(
            store.rolled_up_requests().await.expect("rollups"),
            after,
            "round {round}: the rollups count each row once"
        );
    }
    assert!(stopped >= 30, "most syncs were stopped: {stopped} of 40");

    fx.usage.sync(env).await.expect("a last sync completes");
    if let Some(sandbox) = fx.sandbox.take() {
        sandbox.shutdown().await;
    }
    let options = SqliteConnectOptions::new()
        .filename(fx.dir.path().join("sandbox").join(botbat_sandbox::DB_FILE))
        .read_only(true);
    let pool = SqlitePool::connect_with(options).await.expect("sandbox db");
    let server: Vec<i64> = sqlx::query_scalar("SELECT id FROM usage_requests ORDER BY id")
        .fetch_all(&pool)
        .await
        .expect("server ids");
    let local = store.raw_ids().await.expect("local ids");
    assert_eq!(
        server.len() - local.len(),
        1,
        "only the last sync's own last call is missing"
    );
    assert_eq!(local[..], server[..local.len()], "no gap");
}

#[tokio::test]
async fn history_is_generated_only_in_the_sandbox() {
    let fx = launch().await;
    let refused = fx
        .usage
        .seed(Environment::Sandbox, 0, 10)
        .await
        .expect_err("no days");
    assert_eq!(refused.details[0].field, "days");
    fx.console
        .set_environment(Environment::Production)
        .expect("switch");
    let stale = fx
        .usage
        .seed(Environment::Sandbox, 1, 10)
        .await
        .expect_err("the console moved on");
    assert_eq!(stale.code, ConsoleCode::EnvironmentChanged);
    let production = fx
        .usage
        .seed(Environment::Production, 1, 10)
        .await
        .expect_err("production");
    assert_eq!(production.code, ConsoleCode::SandboxOnly);
    // Production's cache is its own file, empty.
    let overview = fx.usage.overview().await.expect("overview");
    assert_eq!(overview.environment, Environment::Production);
    assert_eq!(overview.rows_cached, 0);
}
