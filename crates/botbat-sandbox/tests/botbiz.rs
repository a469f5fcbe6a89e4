//! The Botbiz stand-in over real HTTP on loopback, with its SQLite file in a temp dir: the
//! documented auth, errors, limits, accounts, messages and signed webhooks.

mod common;

use axum::body::Bytes;
use axum::http::HeaderMap;
use botbat_api::platforms::botbiz::{
    ErrorBody, ErrorCode, List, WebhookEvent, WhatsAppAccount, MESSAGE_RECEIVED, OPENAPI_JSON,
};
use botbat_sandbox::standins::botbiz::{self, Plan};
use botbat_sandbox::standins::RunningStandIn;
use botbat_webhooks::{Candidate, Scheme, VerifyOptions};
use common::Receiver;
use reqwest::StatusCode;
use serde_json::{json, Value};

struct StandIn {
    server: RunningStandIn,
    key: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start(plan: Plan) -> StandIn {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = botbiz::start(botbiz::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        plan,
        key: None,
    })
    .await
    .expect("the stand-in starts");
    let key = server
        .generated_key
        .as_ref()
        .expect("an empty data dir makes a key")
        .expose()
        .to_string();
    StandIn {
        server,
        key,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl StandIn {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Bytes) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, self.url(path)).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the stand-in answers");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.expect("body"))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, _, bytes) = self.call(method, path, &self.key, body).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{method} {path}: {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).expect("JSON")
    }
}

fn error(status: StatusCode, bytes: &[u8], code: ErrorCode) -> String {
    let body: ErrorBody = serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "not the documented error format ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    });
    assert_eq!(body.error.code, code, "{}", body.error.message);
    assert_eq!(
        body.error.status,
        status.as_u16(),
        "the body's status is the response's"
    );
    assert_eq!(status.as_u16(), code.status());
    body.error.message
}

#[tokio::test]
async fn keys_are_bearer_and_errors_are_the_documented_shape() {
    let s = start(Plan::Free).await;
    let (status, headers, bytes) = s.call("GET", "/users", "bz_wrong", None).await;
    let message = error(status, &bytes, ErrorCode::Unauthorized);
    assert!(message.contains("No valid API key"), "{message}");
    assert!(
        headers.get("x-ratelimit-limit").is_none(),
        "an unknown key has no window"
    );

    let response = s.http.get(s.url("/users")).send().await.expect("answers");
    let status = response.status();
    error(
        status,
        &response.bytes().await.expect("body"),
        ErrorCode::Unauthorized,
    );

    // A missing parameter is worded as the docs word it.
    let (status, _, bytes) = s
        .call(
            "POST",
            "/whatsapp/accounts",
            &s.key,
            Some(json!({"name": "Support"})),
        )
        .await;
    assert_eq!(
        error(status, &bytes, ErrorCode::InvalidRequest),
        "Missing required parameter: phone_number"
    );
    let (status, _, bytes) = s
        .call(
            "POST",
            "/whatsapp/accounts",
            &s.key,
            Some(json!({"phone_number": "12345", "name": "Support"})),
        )
        .await;
    assert!(error(status, &bytes, ErrorCode::InvalidRequest).contains("country code"));

    // Malformed and oversized bodies say what to fix.
    let response = s
        .http
        .post(s.url("/whatsapp/accounts"))
        .bearer_auth(&s.key)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("answers");
    let status = response.status();
    let message = error(
        status,
        &response.bytes().await.expect("body"),
        ErrorCode::InvalidRequest,
    );
    assert!(message.contains("not valid JSON"), "{message}");
    let huge = json!({"name": "x".repeat(botbiz::MAX_BODY), "phone_number": "+1234567890"});
    let (status, _, bytes) = s
        .call("POST", "/whatsapp/accounts", &s.key, Some(huge))
        .await;
    assert!(error(status, &bytes, ErrorCode::InvalidRequest).contains("larger than 64 KiB"));

    let (status, _, bytes) = s
        .call("GET", "/whatsapp/accounts/wha_nope", &s.key, None)
        .await;
    error(status, &bytes, ErrorCode::NotFound);
    let (status, _, bytes) = s.call("GET", "/nowhere", &s.key, None).await;
    error(status, &bytes, ErrorCode::NotFound);

    // A read-only key reads, and gets 403 on a write.
    let made = s
        .ok(
            "POST",
            "/sandbox/api_keys",
            Some(json!({"name": "Reporting", "access": "read"})),
        )
        .await;
    let read_key = made["key"].as_str().expect("the new key").to_string();
    let (status, _, _) = s.call("GET", "/whatsapp/accounts", &read_key, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, bytes) = s
        .call(
            "POST",
            "/whatsapp/accounts",
            &read_key,
            Some(json!({"phone_number": "+1234567890", "name": "Support"})),
        )
        .await;
    assert!(error(status, &bytes, ErrorCode::Forbidden).contains("read-only"));

    // The description it serves is the one the console ships, and needs no key.
    let served = s
        .http
        .get(s.url("/openapi.json"))
        .send()
        .await
        .expect("answers");
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.text().await.expect("text"), OPENAPI_JSON);
    s.server.shutdown().await;
}

#[tokio::test]
async fn every_answer_carries_the_window_and_the_limit_ends_in_a_429() {
    let s = start(Plan::Enterprise(5)).await;
    // The window is a calendar minute: a run that crosses one starts over, at most twice.
    let mut seen_429 = None;
    'windows: for _ in 0..3 {
        let mut reset_of_window = None;
        for _ in 0..6 {
            let (status, headers, bytes) = s.call("GET", "/whatsapp/accounts", &s.key, None).await;
            let header = |name: &str| -> i64 {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{name} on every answer"))
            };
            assert_eq!(header("x-ratelimit-limit"), 5);
            let reset = header("x-ratelimit-reset");
            if reset_of_window.is_some_and(|r| r != reset) {
                continue 'windows;
            }
            reset_of_window = Some(reset);
            if status == StatusCode::TOO_MANY_REQUESTS {
                assert_eq!(header("x-ratelimit-remaining"), 0);
                let retry_after = header("retry-after");
                assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
                seen_429 = Some(error(status, &bytes, ErrorCode::RateLimitExceeded));
                break 'windows;
            }
            assert_eq!(status, StatusCode::OK);
            assert!(header("x-ratelimit-remaining") < 5);
        }
    }
    let message = seen_429.expect("the sixth request in a minute is refused");
    assert!(message.contains("5 requests a minute"), "{message}");
    s.server.shutdown().await;
}

#[tokio::test]
async fn an_account_connects_by_qr_scan_then_sends_and_receives_signed_messages() {
    let s = start(Plan::Pro).await;
    let created: WhatsAppAccount = serde_json::from_value(
        s.ok(
            "POST",
            "/whatsapp/accounts",
            Some(json!({"phone_number": "+1234567890", "name": "Customer Support"})),
        )
        .await,
    )
    .expect("the documented account");
    assert!(created.id.starts_with("wha_"), "{}", created.id);
    assert_eq!(
        serde_json::to_value(created.status).expect("status"),
        json!("pending")
    );
    assert_eq!(
        created.qr_code_url,
        s.url(&format!("/whatsapp/accounts/{}/qr-code", created.id))
    );

    // Nothing can be sent before the phone scans the code.
    let message = json!({"to": "+1987654321", "type": "text", "content": "Hello!"});
    let (status, _, bytes) = s
        .call("POST", "/whatsapp/messages", &s.key, Some(message.clone()))
        .await;
    assert!(error(status, &bytes, ErrorCode::InvalidRequest).contains("scan its QR code"));

    let qr = s
        .http
        .get(&created.qr_code_url)
        .bearer_auth(&s.key)
        .send()
        .await
        .expect("answers");
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    let svg = qr.text().await.expect("svg");
    assert!(
        svg.starts_with("<?xml") && svg.contains("<svg") && svg.len() > 1000,
        "{svg}"
    );

    let scanned: WhatsAppAccount = serde_json::from_value(
        s.ok(
            "POST",
            &format!("/sandbox/whatsapp/accounts/{}/scan", created.id),
            None,
        )
        .await,
    )
    .expect("account");
    assert_eq!(
        serde_json::to_value(scanned.status).expect("status"),
        json!("connected")
    );
    let listed: List<WhatsAppAccount> =
        serde_json::from_value(s.ok("GET", "/whatsapp/accounts", None).await).expect("list");
    assert_eq!(listed.data, vec![scanned.clone()]);

    let sent = s.ok("POST", "/whatsapp/messages", Some(message)).await;
    assert_eq!(sent["account_id"], json!(created.id));
    assert_eq!(sent["status"], json!("queued"));
    let id = sent["id"].as_str().expect("id");
    assert_eq!(
        s.ok("GET", &format!("/whatsapp/messages/{id}"), None).await,
        sent
    );
    let (status, _, bytes) = s
        .call(
            "POST",
            "/whatsapp/messages",
            &s.key,
            Some(json!({"to": "+1987654321", "type": "image", "content": "cat.png"})),
        )
        .await;
    assert!(error(status, &bytes, ErrorCode::InvalidRequest).contains("http(s) URL"));

    // An incoming message reaches the webhook as documented, signed with its secret.
    let receiver = Receiver::start(&[]).await;
    let hook = s
        .ok(
            "PUT",
            "/sandbox/webhook",
            Some(json!({"url": receiver.url})),
        )
        .await;
    let secret = hook["secret"].as_str().expect("secret").to_string();
    let played = s
        .ok(
            "POST",
            "/sandbox/inbound",
            Some(json!({"from": "+1987654321", "content": "I need help with my order."})),
        )
        .await;
    assert_eq!(played["delivery"]["status"], json!(200), "{played}");
    let got = receiver.received();
    assert_eq!(got.len(), 1, "one delivery");
    let event: WebhookEvent = serde_json::from_str(&got[0].body).expect("the documented payload");
    assert_eq!(event.kind, MESSAGE_RECEIVED);
    assert_eq!(event.data.account_id, created.id);
    assert_eq!(event.data.from, "+1987654321");
    assert!(
        (event.created - chrono::Utc::now().timestamp()).abs() < 300,
        "created is Unix seconds"
    );
    let pairs: Vec<(String, String)> = got[0].headers.clone().into_iter().collect();
    let options = VerifyOptions::at(chrono::Utc::now().timestamp());
    let verdict = botbat_webhooks::verify(
        Scheme::Botbiz,
        &pairs,
        got[0].body.as_bytes(),
        &[Candidate::new("kept", &secret)],
        &options,
    );
    assert!(verdict.valid, "{}", verdict.detail);
    let wrong = botbat_webhooks::verify(
        Scheme::Botbiz,
        &pairs,
        got[0].body.as_bytes(),
        &[Candidate::new("other", "bzwh_other")],
        &options,
    );
    assert!(!wrong.valid, "a wrong secret must fail: the check can fail");

    // State is in the data file: a restart keeps the account and the key.
    let dir = s._dir;
    s.server.shutdown().await;
    let again = botbiz::start(botbiz::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        plan: Plan::Pro,
        key: None,
    })
    .await
    .expect("restarts");
    assert!(
        again.generated_key.is_none(),
        "no second key on a kept data dir"
    );
    let listed = reqwest::Client::new()
        .get(format!("{}/whatsapp/accounts", again.base_url))
        .bearer_auth(&s.key)
        .send()
        .await
        .expect("answers");
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: List<WhatsAppAccount> = listed.json().await.expect("list");
    assert_eq!(listed.data.len(), 1);
    again.shutdown().await;
}
