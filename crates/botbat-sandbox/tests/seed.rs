//! Request history for usage charts: `botbat-sandbox seed-usage` on a data dir whose
//! sandbox is not running, and `POST /v1/sandbox/usage/seed` on a running one. The history
//! is paged by `GET /v1/usage/requests` like real traffic and has the shape the charts are
//! for: several keys and endpoints, a daily rhythm, errors and 429 bursts.

mod common;

use std::collections::{HashMap, HashSet};
use std::process::Command;

use botbat_api::Plan;
use common::TestSandbox;
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;

/// id, time, key_id, route, status, rate_limited, retry_after of one seeded request.
type SeededRow = (i64, i64, String, String, i64, bool, Option<i64>);
#[tokio::test]
async fn the_command_seeds_a_stopped_sandbox_which_then_serves_the_history() {
    let mut sandbox = TestSandbox::start(Plan::Enterprise).await;
    if let Some(running) = sandbox.sandbox.take() {
        running.shutdown().await;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_botbat-sandbox"))
        .args([
            "seed-usage",
            "--days",
            "14",
            "--requests",
            "20000",
            "--data-dir",
        ])
        .arg(sandbox.dir.path())
        .output()
        .expect("seed-usage runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("seeded 20000 requests over 14 days"),
        "{stdout}"
    );

    let db = SqlitePool::connect_with(
        SqliteConnectOptions::new()
            .filename(sandbox.dir.path().join(botbat_sandbox::DB_FILE))
            .read_only(true),
    )
    .await
    .expect("db");
    let rows: Vec<SeededRow> = sqlx::query_as(
        "SELECT id, time, key_id, route, status, rate_limited, retry_after FROM usage_requests ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .expect("rows");
    db.close().await;
    assert_eq!(rows.len(), 20_000);
    assert!(
        rows.windows(2).all(|w| w[0].1 <= w[1].1),
        "written in time order, so ids follow time"
    );
    let span_ms = rows[rows.len() - 1].1 - rows[0].1;
    assert!(
        span_ms > 13 * 86_400_000 && span_ms <= 14 * 86_400_000,
        "{span_ms}"
    );
    let keys: HashSet<_> = rows.iter().map(|r| r.2.as_str()).collect();
    let routes: HashSet<_> = rows.iter().map(|r| r.3.as_str()).collect();
    assert_eq!(keys.len(), 5, "five integrations");
    assert!(routes.len() >= 15, "{routes:?}");
    let limited: Vec<_> = rows.iter().filter(|r| r.5).collect();
    assert!(!limited.is_empty() && limited.iter().all(|r| r.4 == 429 && r.6 == Some(1)));
    assert!(rows.iter().any(|r| r.4 >= 500), "incidents left 5xx");
    // Afternoons are busier than nights (UTC).
    let mut by_hour: HashMap<i64, usize> = HashMap::new();
    for row in &rows {
        *by_hour.entry(row.1 / 3_600_000 % 24).or_default() += 1;
    }
    assert!(by_hour[&15] > 2 * by_hour[&5], "{by_hour:?}");

    // The sandbox starts on the seeded data dir and pages the history like any traffic.
    sandbox.restart(Plan::Enterprise).await;
    let page = sandbox
        .get("/usage/requests?limit=100", &sandbox.admin)
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["total"], 20_000);
    let listed = sandbox.get("/api_keys?limit=100", &sandbox.admin).await;
    let names: Vec<&str> = listed.body["data"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["name"].as_str())
        .collect();
    assert!(names.contains(&"Checkout bot (seeded)"), "{names:?}");
}

#[tokio::test]
async fn the_route_seeds_a_running_sandbox_within_bounds_one_at_a_time() {
    let sandbox = TestSandbox::unlimited().await;
    let seeded = sandbox
        .post(
            "/sandbox/usage/seed",
            &sandbox.admin,
            json!({"days": 3, "requests": 1500}),
        )
        .await;
    assert_eq!(seeded.status, 201, "{}", seeded.text);
    assert_eq!(seeded.body["requests"], 1500);
    assert_eq!(seeded.body["days"], 3);
    assert_eq!(seeded.body["key_ids"].as_array().map(Vec::len), Some(5));
    let page = sandbox.get("/usage/requests?limit=1", &sandbox.admin).await;
    // The history and the seed request itself, metered after it.
    assert_eq!(page.body["total"], 1501);

    // Seeding again reuses the integrations' keys.
    let again = sandbox
        .post(
            "/sandbox/usage/seed",
            &sandbox.admin,
            json!({"days": 1, "requests": 10}),
        )
        .await;
    assert_eq!(again.body["key_ids"], seeded.body["key_ids"]);

    for (body, field) in [
        (json!({"days": 0, "requests": 10}), "days"),
        (json!({"days": 91, "requests": 10}), "days"),
        (json!({"days": 1, "requests": 0}), "requests"),
        (json!({"days": 1, "requests": 100001}), "requests"),
    ] {
        let refused = sandbox
            .post("/sandbox/usage/seed", &sandbox.admin, body)
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(refused.body["error"]["details"][0]["field"], field);
    }

    let (_, manager) = sandbox
        .create_key("key manager", &["usage:read", "keys:manage"])
        .await;
    let forbidden = sandbox
        .post(
            "/sandbox/usage/seed",
            &manager,
            json!({"days": 1, "requests": 10}),
        )
        .await;
    assert_eq!(forbidden.status, 403);
    assert!(forbidden.message().contains("sandbox:manage"));

    // Two large seeds at once: one writes, the other is told to wait.
    let body = json!({"days": 30, "requests": 100000});
    let (a, b) = tokio::join!(
        sandbox.post("/sandbox/usage/seed", &sandbox.admin, body.clone()),
        sandbox.post("/sandbox/usage/seed", &sandbox.admin, body.clone()),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.text, b.text);
    let conflict = if a.status == 409 { &a } else { &b };
    assert_eq!(conflict.code(), "conflict");
}

#[tokio::test]
async fn a_live_stand_in_has_no_seed_route() {
    let sandbox = TestSandbox::configured(|config| config.live = true).await;
    let missing = sandbox
        .post(
            "/sandbox/usage/seed",
            &sandbox.admin,
            json!({"days": 1, "requests": 10}),
        )
        .await;
    assert_eq!(missing.status, 404);
}
