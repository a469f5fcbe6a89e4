//! A server whose `Retry-After` and `X-RateLimit-Reset` are absurd (a day, numbers longer
//! than any integer type, a reset in the year 3 trillion): nothing overflows, no wait
//! exceeds the console's cap, and every place that would have waited says so. The sandbox
//! never sends such headers, so a small server on loopback stands in for a broken or
//! hostile gateway in front of the platform.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use botbat_api::ratelimit::MAX_WAIT_SECONDS;
use botbat_api::ErrorCode;
use botbat_console_core::tryit::{TryIt, TryRequest, TrySendOptions, MANAGEMENT_CREDENTIAL};
use botbat_console_core::{Console, Environment, SandboxState};
use botbat_secrets::{MemoryStore, SecretId, SecretStore, Sensitive};
use serde_json::json;

const DAY: &str = "86400";
const HUGE: &str = "99999999999999999999999999";

fn limited(retry_after: &str) -> axum::response::Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        "retry-after",
        HeaderValue::from_str(retry_after).expect("header"),
    );
    headers.insert("x-ratelimit-limit", HeaderValue::from_static("5"));
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    headers.insert("x-ratelimit-reset", HeaderValue::from_static(HUGE));
    (
        StatusCode::TOO_MANY_REQUESTS,
        headers,
        axum::Json(json!({"error": {
            "code": "rate_limited",
            "message": "Too many requests.",
            "status": 429,
            "request_id": "req_hostile",
            "details": []
        }})),
    )
        .into_response()
}

/// `/v1/me` and `/v1/slow` answer 429 with `Retry-After` of a day and of a number too long
/// for any integer; `/v1/contacts` answers a first page whose window is "exhausted" until
/// a reset that never comes. Counts what it serves.
async fn hostile_server() -> (String, Arc<AtomicU32>) {
    let served = Arc::new(AtomicU32::new(0));
    let count = served.clone();
    let app = axum::Router::new()
        .route("/v1/me", axum::routing::get(|| async { limited(DAY) }))
        .route("/v1/slow", axum::routing::get(|| async { limited(HUGE) }))
        .route(
            "/v1/contacts",
            axum::routing::get(|| async {
                let mut headers = HeaderMap::new();
                headers.insert("x-ratelimit-limit", HeaderValue::from_static("5"));
                headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
                headers.insert("x-ratelimit-reset", HeaderValue::from_static(HUGE));
                (
                    headers,
                    axum::Json(json!({"data": [{"id": "ct_1"}], "cursor": "next", "total": 2})),
                )
            }),
        )
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let count = count.clone();
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    next.run(request).await
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/v1"), served)
}

async fn console_against(base_url: &str, dir: &std::path::Path) -> Console {
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    secrets
        .set(
            &SecretId::new("sandbox", "management-key"),
            &Sensitive::new(botbat_sandbox::ids::api_key_secret()),
        )
        .expect("key");
    let console = common::console_in(dir, secrets);
    console.set_sandbox_state(SandboxState {
        running: true,
        base_url: Some(base_url.to_string()),
        data_dir: None,
        error: None,
    });
    console
}

fn get(path: &str) -> TryRequest {
    TryRequest {
        method: "GET".into(),
        path: path.into(),
        credential: MANAGEMENT_CREDENTIAL.into(),
        ..TryRequest::default()
    }
}

#[tokio::test]
async fn absurd_waits_are_capped_and_explained_everywhere_the_console_would_wait() {
    let (base_url, served) = hostile_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let console = console_against(&base_url, dir.path()).await;
    let env = Environment::Sandbox;
    let tryit = TryIt::new();

    // Try It's countdown: capped, with the note, no auto-retry countdown of a day.
    for (path, asked) in [("/v1/me", 86_400), ("/v1/slow", u32::MAX)] {
        let response = tryit
            .send(&console, env, &get(path), TrySendOptions::default())
            .await
            .expect("sent");
        assert_eq!(response.status, 429);
        assert_eq!(response.retry_after, Some(asked));
        let wait = response.retry_wait.expect("a countdown");
        assert_eq!(wait.wait_seconds, MAX_WAIT_SECONDS);
        assert_eq!(
            wait.note.as_deref(),
            Some(
                format!(
                    "Retry-After says {asked} s; the console waits at most 60 s — retry later."
                )
                .as_str()
            )
        );
        let limit = response.rate_limit.expect("read despite the absurd reset");
        assert_eq!(limit.reset, i64::MAX);
    }

    // The client behind every panel: no retry, the note in the error.
    let before = served.load(Ordering::SeqCst);
    let error = console
        .test_connection(env)
        .await
        .expect_err("a day is not waited out");
    assert_eq!(
        served.load(Ordering::SeqCst) - before,
        1,
        "asked once, not retried"
    );
    assert_eq!(error.code, ErrorCode::RateLimited);
    assert!(
        error
            .message
            .ends_with("Retry-After says 86400 s; the console waits at most 60 s — retry later."),
        "{}",
        error.message
    );

    // Fetch all: a 429 asking for a day stops the run at once, with the note.
    let stopped = tryit
        .fetch_all(&console, env, &get("/v1/slow"), "run-429", |_| {})
        .await
        .expect("run");
    assert_eq!(stopped.rate_limited, 1);
    assert_eq!(stopped.failure.map(|f| f.status), Some(429));
    assert!(
        stopped.note.is_some_and(|n| n.contains("retry later")),
        "the run says why it stopped"
    );

    // Fetch all: a window that resets "never" is waited out a minute at most, and the
    // progress says so; cancelled as soon as it does.
    let tryit = Arc::new(tryit);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let run = {
        let tryit = tryit.clone();
        let console = console_against(&base_url, dir.path()).await;
        tokio::spawn(async move {
            tryit
                .fetch_all(&console, env, &get("/v1/contacts"), "run-reset", move |p| {
                    let _ = tx.send(p.clone());
                })
                .await
        })
    };
    let waiting = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let event = rx.recv().await.expect("progress");
            if event.waiting_seconds.is_some() {
                return event;
            }
        }
    })
    .await
    .expect("the run reports its wait");
    assert_eq!(waiting.waiting_seconds, Some(MAX_WAIT_SECONDS));
    assert!(
        waiting
            .wait_note
            .as_deref()
            .is_some_and(|n| n.contains("waits at most 60 s, then asks again")),
        "{waiting:?}"
    );
    assert!(tryit.cancel("run-reset"));
    let cancelled = run.await.expect("task").expect("result");
    assert!(cancelled.cancelled && cancelled.pages == 1, "{cancelled:?}");

    // The burst test's countdown.
    let report = console
        .burst_test(env, None, 3, |_| {})
        .await
        .expect("burst");
    assert_eq!(report.limited, 3);
    assert_eq!(report.max_retry_after, Some(86_400));
    let wait = report.retry_wait.expect("a countdown");
    assert_eq!(wait.wait_seconds, MAX_WAIT_SECONDS);
    assert!(wait.note.is_some());
    assert!(report.results.iter().all(|r| r
        .retry_wait
        .as_ref()
        .is_some_and(|w| w.wait_seconds == MAX_WAIT_SECONDS)));
}
