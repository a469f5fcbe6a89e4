//! The console's own requests in the cache: marked by a real sandbox from their
//! `User-Agent`, synced over loopback into a real `usage.sqlite`, left out of every figure
//! by default and counted when included; Try It's and everyone else's are the user's. And
//! a cache written before requests were marked migrates with nothing lost.

use std::time::Duration;

use botbat_api::{Client, ClientConfig, Plan, UsageRecord, CONSOLE_USER_AGENT};
use botbat_sandbox::{Limits, SandboxConfig};
use botbat_usage::{sync, Filters, Source, SyncOptions, UsageStore, VolumeBy, Window};
use chrono::Utc;

/// Sends `GET path` as `user_agent` with `key`; returns the status and request id.
async fn call(base: &str, key: &str, path: &str, user_agent: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(key)
        .header(reqwest::header::USER_AGENT, user_agent)
        .send()
        .await
        .expect("the sandbox answers");
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an X-Request-Id")
        .to_string();
    (response.status().as_u16(), id)
}

#[tokio::test]
async fn the_consoles_own_requests_are_left_out_unless_included() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SandboxConfig::new(
        "127.0.0.1:0".parse().expect("addr"),
        dir.path().join("sandbox"),
    );
    config.plan = Plan::Starter;
    config.limits = Some(Limits {
        per_key_per_second: 1_000_000,
        per_org_per_minute: 60_000_000,
    });
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    let admin = sandbox.generated_admin_key.clone().expect("admin key");
    let base = sandbox.base_url.clone();

    // The console's polls, through the console's own client.
    let client = Client::new(ClientConfig::new(&base, Some(admin.clone())).expect("config"))
        .expect("client");
    let mut console_ids = Vec::new();
    for _ in 0..3 {
        let me = client.me().await.expect("me");
        console_ids.push(me.request_id.expect("a request id"));
    }
    // The user's: two Try It sends (one of them a 404) and an integration's call.
    let try_it = format!("{CONSOLE_USER_AGENT} (try-it)");
    let (ok, try_it_ok) = call(&base, admin.expose(), "/me", &try_it).await;
    let (missing, try_it_404) = call(&base, admin.expose(), "/api_keys/key_nope", &try_it).await;
    let (plain_ok, plain) = call(&base, admin.expose(), "/me", "integration/1.0").await;
    assert_eq!((ok, missing, plain_ok), (200, 404, 200));

    let store = UsageStore::open(&dir.path().join("usage.sqlite"), "sandbox")
        .await
        .expect("store");
    let options = SyncOptions {
        max_share_of_limit: None,
        progress_every: Duration::ZERO,
    };
    sync(&client, &store, &options, |_| {}).await.expect("sync");
    sandbox.shutdown().await;

    let now = Utc::now();
    let window = Window::covering(
        now - chrono::Duration::hours(1),
        now + chrono::Duration::minutes(1),
        botbat_usage::Tz::UTC,
    )
    .expect("window");
    let theirs = Filters::default();
    let everything = Filters {
        include_console: true,
        ..Filters::default()
    };
    let summary = store
        .summary(&window, &theirs, Source::Rollups)
        .await
        .expect("summary");
    assert_eq!((summary.requests, summary.errors), (3, 1), "{summary:?}");
    let all = store
        .summary(&window, &everything, Source::Rollups)
        .await
        .expect("summary");
    // The user's three, the console's three polls, and the sync's first page at least.
    assert!(all.requests > 3 + 3, "{all:?}");
    assert_eq!(all.errors, 1, "{all:?}");
    for source in [Source::Rollups, Source::Raw] {
        let volume = store
            .volume(&window, &theirs, VolumeBy::Endpoint, source)
            .await
            .expect("volume");
        let names: Vec<&str> = volume.series.iter().map(|s| s.name.as_str()).collect();
        assert!(
            names.iter().all(|n| !n.contains("/v1/usage")),
            "{source:?}: {names:?}"
        );
        let included = store
            .volume(&window, &everything, VolumeBy::Endpoint, source)
            .await
            .expect("volume");
        assert!(
            included
                .series
                .iter()
                .any(|s| s.name == "GET /v1/me (console)"),
            "{source:?}: {:?}",
            included.series
        );
    }

    let recent = store.recent(&window, &theirs, 100).await.expect("recent");
    let mut ids: Vec<&str> = recent
        .iter()
        .filter_map(|r| r.request_id.as_deref())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![try_it_ok.as_str(), try_it_404.as_str(), plain.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    let found = store
        .find_request(&try_it_404)
        .await
        .expect("lookup")
        .expect("the 404 is found by its id");
    assert_eq!(
        (found.status, found.route.as_str(), found.console),
        (404, "/v1/api_keys/{id}", false)
    );
    let polled = store
        .find_request(&console_ids[0])
        .await
        .expect("lookup")
        .expect("a poll is found by its id");
    assert!(polled.console);
    assert!(store
        .find_request("req_not_there")
        .await
        .expect("lookup")
        .is_none());
}

/// A cache written by the console before requests were marked: the first migration only.
#[tokio::test]
async fn a_cache_from_before_the_mark_migrates_with_its_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("migrations");
    std::fs::create_dir_all(&old).expect("dir");
    let first = "20261201000001_usage.sql";
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(first),
        old.join(first),
    )
    .expect("copy");
    let path = dir.path().join("usage.sqlite");
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.expect("db");
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .expect("migrator")
            .run(&pool)
            .await
            .expect("the old schema");
        for sql in [
            "INSERT INTO environments (code, name) VALUES (0, 'sandbox')",
            "INSERT INTO sync_state (env, watermark, rows_ingested) VALUES (0, 1, 1)",
            "INSERT INTO keys (ref, env, key_id) VALUES (1, 0, 'key_old')",
            "INSERT INTO endpoints (ref, env, method, route) VALUES (1, 0, 'GET', '/v1/me')",
            "INSERT INTO requests (id, env, time_ms, key_ref, endpoint_ref, status, latency_us, rate_limited)
             VALUES (1, 0, 1764460800000, 1, 1, 200, 1000, 0)",
        ] {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    }

    let store = UsageStore::open(&path, "sandbox").await.expect("migrated");
    assert_eq!(store.raw_ids().await.expect("ids"), vec![1]);
    // The old row is its caller's, and the endpoint row is shared with new unmarked rows.
    let record = |id: i64, console: bool| UsageRecord {
        id,
        time: Utc::now(),
        key_id: "key_old".into(),
        method: "GET".into(),
        route: "/v1/me".into(),
        status: 200,
        latency_ms: 1.0,
        rate_limited: false,
        retry_after: None,
        request_id: Some(format!("req_{id}")),
        console,
    };
    store
        .ingest(vec![record(2, false), record(3, true)])
        .await
        .expect("ingest");
    assert_eq!(store.endpoints().await.expect("endpoints").len(), 1);
    assert!(
        !store
            .find_request("req_2")
            .await
            .expect("find")
            .expect("2")
            .console
    );
    assert!(
        store
            .find_request("req_3")
            .await
            .expect("find")
            .expect("3")
            .console
    );
}
