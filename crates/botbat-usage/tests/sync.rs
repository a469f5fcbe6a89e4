//! The sync against a real sandbox over loopback, into a real `usage.sqlite`: every row the
//! server had ends up in the cache exactly once, also when syncs are killed midway, and
//! the rate limits are respected.

use std::collections::BTreeSet;
use std::time::Duration;

use botbat_api::{
    Client, ClientConfig, Page, Plan, SeedUsageReport, SeedUsageRequest, UsageRecord,
};
use botbat_sandbox::{Limits, RunningSandbox, SandboxConfig};
use botbat_secrets::Sensitive;
use botbat_usage::{sync, Filters, Source, SyncOptions, UsageStore, VolumeBy, Window};
use rand::{Rng, SeedableRng};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;

struct Fixture {
    sandbox: Option<RunningSandbox>,
    admin: Sensitive<String>,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn start(plan: Plan, unlimited: bool) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = SandboxConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            dir.path().join("sandbox"),
        );
        config.plan = plan;
        if unlimited {
            config.limits = Some(Limits {
                per_key_per_second: 1_000_000,
                per_org_per_minute: 60_000_000,
            });
        }
        let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
        let admin = sandbox.generated_admin_key.clone().expect("admin key");
        Fixture {
            sandbox: Some(sandbox),
            admin,
            dir,
        }
    }

    fn client(&self) -> Client {
        let sandbox = self.sandbox.as_ref().expect("running");
        let mut config =
            ClientConfig::new(&sandbox.base_url, Some(self.admin.clone())).expect("config");
        config.backoff_base = Duration::from_millis(20);
        Client::new(config).expect("client")
    }

    async fn store(&self) -> UsageStore {
        UsageStore::open(
            &self.dir.path().join("console/sandbox/usage.sqlite"),
            "sandbox",
        )
        .await
        .expect("usage store")
    }

    async fn seed(&self, days: u32, requests: u32) -> SeedUsageReport {
        self.client()
            .post("/sandbox/usage/seed", &SeedUsageRequest { days, requests })
            .await
            .expect("seeded")
            .data
    }

    /// Every id in the sandbox's request log, read from its SQLite file directly (so the
    /// reading is not itself metered).
    async fn server_ids(&self) -> Vec<i64> {
        let options = SqliteConnectOptions::new()
            .filename(
                self.dir
                    .path()
                    .join("sandbox")
                    .join(botbat_sandbox::DB_FILE),
            )
            .read_only(true);
        let pool = SqlitePool::connect_with(options).await.expect("sandbox db");
        let ids = sqlx::query_scalar("SELECT id FROM usage_requests ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("ids");
        pool.close().await;
        ids
    }

    async fn stop(&mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
    }
}

fn unpaced() -> SyncOptions {
    SyncOptions {
        max_share_of_limit: None,
        progress_every: Duration::ZERO,
    }
}

#[tokio::test]
async fn the_cache_holds_every_row_the_server_had_and_the_rollups_count_each_once() {
    let mut fx = Fixture::start(Plan::Enterprise, true).await;
    let seeded = fx.seed(14, 3_000).await;
    assert_eq!(seeded.requests, 3_000);
    // Some real traffic after the history, from the same sandbox.
    let client = fx.client();
    for _ in 0..15 {
        client.me().await.expect("me");
    }
    let store = fx.store().await;
    let mut reports = Vec::new();
    let report = sync(&client, &store, &unpaced(), |p| reports.push(p.clone()))
        .await
        .expect("sync");
    assert!(report.pages >= 31, "{report:?}");
    assert!(
        reports.last().is_some_and(|p| p.done),
        "progress ends with done"
    );
    assert!(
        reports.windows(2).all(|w| w[0].rows <= w[1].rows),
        "progress only grows"
    );
    fx.stop().await;

    let server = fx.server_ids().await;
    let local = store.raw_ids().await.expect("local ids");
    // The sync's own last request is metered after it is answered, so the server has
    // exactly one row more: that request.
    assert_eq!(local.len() + 1, server.len());
    assert_eq!(local[..], server[..server.len() - 1]);
    let state = store.state().await.expect("state");
    assert_eq!(state.watermark, *local.last().expect("rows"));
    assert_eq!(state.rows_ingested, local.len() as u64);
    assert_eq!(
        store.rolled_up_requests().await.expect("sum"),
        local.len() as u64
    );
    assert!(state.last_finished.is_some() && state.last_error.is_none());
    assert_eq!(
        state.plan.as_ref().map(|p| p.plan.as_str()),
        Some("enterprise")
    );

    // Seeded keys are named in the cache, so charts can say whose traffic it is.
    let keys = store.keys().await.expect("keys");
    assert!(
        keys.iter()
            .any(|k| k.name.as_deref() == Some("Checkout bot (seeded)")),
        "{keys:?}"
    );
    let window = Window::covering(seeded.from, seeded.to, botbat_usage::Tz::UTC).expect("window");
    // The console's own calls (the sync's pages, the `me` calls above) included.
    let everything = Filters {
        include_console: true,
        ..Filters::default()
    };
    let by_key = store
        .volume(&window, &everything, VolumeBy::Key, Source::Rollups)
        .await
        .expect("volume");
    let seeded_total: f64 = by_key
        .series
        .iter()
        .filter(|s| s.name.ends_with("(seeded)"))
        .flat_map(|s| s.values.iter().flatten())
        .sum();
    assert_eq!(seeded_total as u64, 3_000);
    assert_eq!(
        by_key.totals.iter().sum::<u64>(),
        local.len() as u64,
        "the window holds every row: the history and the calls after it"
    );
}

#[tokio::test]
async fn a_second_sync_picks_up_only_what_is_new() {
    let mut fx = Fixture::start(Plan::Enterprise, true).await;
    fx.seed(3, 450).await;
    let client = fx.client();
    let store = fx.store().await;
    let first = sync(&client, &store, &unpaced(), |_| {})
        .await
        .expect("first");
    // The history, the seed call itself and the sync's first calls (limits, key names).
    assert!((450..460).contains(&first.rows), "{first:?}");
    for _ in 0..7 {
        client.me().await.expect("me");
    }
    let second = sync(&client, &store, &unpaced(), |_| {})
        .await
        .expect("second");
    // The seven calls and the first sync's own (a handful): never the history again.
    assert!((7..20).contains(&second.rows), "{second:?}");
    let third = sync(&client, &store, &unpaced(), |_| {})
        .await
        .expect("third");
    assert!(
        third.rows <= 5,
        "only the previous sync's own calls: {third:?}"
    );
    fx.stop().await;
    let server = fx.server_ids().await;
    let local = store.raw_ids().await.expect("ids");
    assert_eq!(local[..], server[..local.len()]);
    assert_eq!(server.len() - local.len(), 1);
}

#[tokio::test]
async fn a_sync_killed_midway_resumes_with_no_gap_and_no_duplicate() {
    let mut fx = Fixture::start(Plan::Enterprise, true).await;
    fx.seed(7, 6_000).await;
    let client = fx.client();
    let store = fx.store().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut interrupted = 0;
    for _ in 0..40 {
        let budget = Duration::from_millis(rng.random_range(2..40));
        // Dropping the future is what a closed window or a cancelled task does: whatever
        // page was being fetched or written is abandoned mid-way.
        match tokio::time::timeout(budget, sync(&client, &store, &unpaced(), |_| {})).await {
            Err(_) => interrupted += 1,
            Ok(result) => {
                result.expect("a sync that finished succeeded");
            }
        }
        // A page write the interrupted sync started still finishes (or not) as a whole.
        store.settled().await;
        let ids = store.raw_ids().await.expect("ids");
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "no duplicate after an interruption"
        );
        assert_eq!(
            store.rolled_up_requests().await.expect("rollups"),
            ids.len() as u64,
            "rollups count each stored row once"
        );
        let state = store.state().await.expect("state");
        assert_eq!(state.watermark, ids.last().copied().unwrap_or(0));
    }
    assert!(interrupted >= 10, "most runs were cut short: {interrupted}");
    sync(&client, &store, &unpaced(), |_| {})
        .await
        .expect("a last sync completes");
    fx.stop().await;
    let server = fx.server_ids().await;
    let local = store.raw_ids().await.expect("ids");
    assert_eq!(
        server.len() - local.len(),
        1,
        "only the last sync's own last call"
    );
    assert_eq!(local[..], server[..local.len()], "no gap");
    assert_eq!(
        store.rolled_up_requests().await.expect("sum"),
        local.len() as u64
    );
}

#[tokio::test]
async fn a_starter_plan_sync_stays_under_the_limits() {
    let mut fx = Fixture::start(Plan::Starter, false).await;
    // 1,200 rows: twelve pages, more than the per-key limit allows in one second.
    fx.seed(2, 1_200).await;
    let client = fx.client();
    let store = fx.store().await;
    let started = std::time::Instant::now();
    let report = sync(&client, &store, &SyncOptions::default(), |_| {})
        .await
        .expect("sync");
    let elapsed = started.elapsed();
    fx.stop().await;
    assert!(report.rows >= 1_200);
    // Paced at 60 % of 5 requests per second: about 0.33 s between requests.
    assert!(
        elapsed >= Duration::from_secs(4),
        "{} pages in {elapsed:?}: not paced",
        report.pages
    );
    let log: Vec<(String, u16)> = {
        let options = SqliteConnectOptions::new()
            .filename(fx.dir.path().join("sandbox").join(botbat_sandbox::DB_FILE))
            .read_only(true);
        let pool = SqlitePool::connect_with(options).await.expect("db");
        sqlx::query_as::<_, (String, i64)>("SELECT route, status FROM usage_requests")
            .fetch_all(&pool)
            .await
            .expect("rows")
            .into_iter()
            .map(|(r, s)| (r, s as u16))
            .collect()
    };
    let sync_429s = log
        .iter()
        .filter(|(route, status)| route == "/v1/usage/requests" && *status == 429)
        .count();
    assert_eq!(sync_429s, 0, "the sync never earned a 429");
}

#[tokio::test]
async fn a_page_the_server_gives_twice_is_stored_once() {
    let mut fx = Fixture::start(Plan::Enterprise, true).await;
    fx.seed(1, 250).await;
    let client = fx.client();
    let store = fx.store().await;
    let page: Page<UsageRecord> = client
        .get("/usage/requests", &[("limit", "100".to_string())])
        .await
        .expect("page")
        .data;
    assert_eq!(store.ingest(page.data.clone()).await.expect("first"), 100);
    assert_eq!(store.ingest(page.data.clone()).await.expect("again"), 0);
    assert_eq!(
        store
            .ingest(page.data[40..60].to_vec())
            .await
            .expect("part"),
        0
    );
    assert_eq!(store.rolled_up_requests().await.expect("sum"), 100);
    fx.stop().await;
}

#[tokio::test]
async fn a_file_belongs_to_one_environment() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("usage.sqlite");
    UsageStore::open(&path, "sandbox")
        .await
        .expect("created")
        .close()
        .await;
    let error = UsageStore::open(&path, "production")
        .await
        .expect_err("another environment's file");
    assert!(error.to_string().contains("sandbox"), "{error}");
}
