//! The client against a server whose rate-limit headers are absurd or in forms the sandbox
//! never sends: nothing overflows, a `Retry-After` beyond the client's cap fails at once
//! instead of parking the call, and the HTTP-date form is waited out like the seconds form.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use botbat_api::{Client, ClientConfig, ErrorCode};
use botbat_secrets::Sensitive;
use serde_json::json;

fn error_body() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"error": {
        "code": "rate_limited",
        "message": "Too many requests.",
        "status": 429,
        "request_id": "req_hostile",
        "details": []
    }}))
}

/// Answers `/v1/me` with what `answer` returns for the n-th request (0-based).
async fn server(answer: fn(u32) -> axum::response::Response) -> (Client, Arc<AtomicU32>) {
    let served = Arc::new(AtomicU32::new(0));
    let count = served.clone();
    let app = axum::Router::new().route(
        "/v1/me",
        axum::routing::get(move || {
            let n = count.fetch_add(1, Ordering::SeqCst);
            async move { answer(n) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let config = ClientConfig::new(
        &format!("http://{addr}/v1"),
        Some(Sensitive::new("bb_test_x".to_string())),
    )
    .expect("config");
    (Client::new(config).expect("client"), served)
}

fn limited(retry_after: &str) -> axum::response::Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        "retry-after",
        HeaderValue::from_str(retry_after).expect("value"),
    );
    (StatusCode::TOO_MANY_REQUESTS, headers, error_body()).into_response()
}

fn me_with(reset: &'static str) -> axum::response::Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-ratelimit-limit",
        HeaderValue::from_static("99999999999999999999"),
    );
    headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    headers.insert("x-ratelimit-reset", HeaderValue::from_static(reset));
    let me = json!({
        "key": {"id": "key_1", "name": "n", "prefix": "bb_test_", "last_four": "abcd",
                "masked": "bb_test_…abcd", "scopes": [], "status": "active",
                "created_at": "2026-01-01T00:00:00Z", "last_used_at": null,
                "expires_at": null, "revoked_at": null, "rotated_from": null,
                "replaced_by": null},
        "organization": {"id": "org_1", "name": "o", "plan": "starter", "livemode": false}
    });
    (headers, axum::Json(me)).into_response()
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_at_once() {
    for value in ["86400", "99999999999999999999999999999"] {
        let (client, served) = server(if value == "86400" {
            |_| limited("86400")
        } else {
            |_| limited("99999999999999999999999999999")
        })
        .await;
        let error = client.me().await.expect_err("not waited out");
        assert_eq!(served.load(Ordering::SeqCst), 1, "{value}: asked once");
        assert_eq!(error.api().map(|e| e.code), Some(ErrorCode::RateLimited));
        let expected = if value == "86400" { 86_400 } else { u32::MAX };
        assert_eq!(error.retry_after(), Some(expected), "{value}");
    }
}

#[tokio::test]
async fn a_retry_after_date_is_waited_out_and_junk_is_not_a_wait() {
    let (client, served) = server(|n| {
        if n == 0 {
            let at = SystemTime::now() + Duration::from_secs(1);
            limited(&httpdate::fmt_http_date(at))
        } else {
            me_with("1700000000")
        }
    })
    .await;
    let me = client.me().await.expect("retried after the date");
    assert_eq!(served.load(Ordering::SeqCst), 2);
    assert_eq!(me.attempts, 2);

    let (client, served) = server(|_| limited("-5")).await;
    let error = client.me().await.expect_err("429");
    assert_eq!(error.retry_after(), None, "a negative wait is no wait");
    assert_eq!(served.load(Ordering::SeqCst), 1, "and no reason to retry");
}

#[tokio::test]
async fn absurd_rate_limit_headers_are_read_without_overflow() {
    let (client, _) = server(|_| me_with("99999999999999999999999999")).await;
    let me = client.me().await.expect("200");
    let limit = me.rate_limit.expect("read");
    assert_eq!((limit.limit, limit.reset), (u32::MAX, i64::MAX));
    assert_eq!(
        limit.until_reset().wait_seconds,
        botbat_api::ratelimit::MAX_WAIT_SECONDS
    );
}
