//! `Idempotency-Key` over real HTTP: a retried POST runs once and gets the first response
//! back, a reused key with a different request is refused, a duplicate that arrives while
//! the first still runs is told to retry, records expire with the sandbox clock, and the
//! kept response of a key creation never puts the secret on disk.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use botbat_api::Plan;
use common::{eventually, Reply, TestSandbox};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

/// A POST with an `Idempotency-Key`, the body sent as the exact text given.
async fn post_keyed(
    sb: &TestSandbox,
    path: &str,
    key: &str,
    idempotency_key: &str,
    body: &str,
) -> Reply {
    let response = sb
        .http
        .post(format!("{}{}", sb.base(), path))
        .bearer_auth(key)
        .header("Idempotency-Key", idempotency_key)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request reaches the sandbox");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

async fn key_count(sb: &TestSandbox) -> u64 {
    let keys = sb.get("/api_keys?limit=1", &sb.admin).await;
    keys.body["total"].as_u64().expect("total")
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_response() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let first = post_keyed(
        &sb,
        "/api_keys",
        &sb.admin,
        "create-crm-key-1",
        r#"{"name": "CRM", "scopes": ["contacts:read", "usage:read"]}"#,
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);

    // The same values serialised differently are the same request.
    let retry = post_keyed(
        &sb,
        "/api_keys",
        &sb.admin,
        "create-crm-key-1",
        r#"{"scopes":["contacts:read","usage:read"],"name":"CRM"}"#,
    )
    .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.body, first.body, "the replay is the first response");
    assert_eq!(
        retry.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_ne!(
        retry.header("x-request-id"),
        first.header("x-request-id"),
        "a replay is its own request"
    );
    assert_eq!(key_count(&sb).await, 2, "the admin key and one created key");

    let secret = retry.body["secret"]
        .as_str()
        .expect("the replay holds the secret");
    assert_eq!(sb.get("/me", secret).await.status, StatusCode::OK);

    // Records belong to an API key: another key with the same idempotency key is a new request.
    let (_, manager) = sb
        .create_key("manager", &["keys:manage", "contacts:read", "usage:read"])
        .await;
    let other = post_keyed(
        &sb,
        "/api_keys",
        &manager,
        "create-crm-key-1",
        r#"{"name": "CRM", "scopes": ["contacts:read", "usage:read"]}"#,
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    assert_eq!(other.header("idempotent-replayed"), None);
    assert_ne!(other.body["id"], first.body["id"]);
}

#[tokio::test]
async fn the_same_key_for_a_different_request_is_409() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let body = r#"{"name": "Ada", "phone": "+447700900123"}"#;
    let first = post_keyed(&sb, "/contacts", &sb.admin, "k-ada", body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);

    let changed = post_keyed(
        &sb,
        "/contacts",
        &sb.admin,
        "k-ada",
        r#"{"name": "Ada L.", "phone": "+447700900123"}"#,
    )
    .await;
    assert_eq!(changed.status, StatusCode::CONFLICT, "{}", changed.text);
    assert_eq!(changed.code(), "conflict");
    assert!(
        changed.message().contains("different request body")
            && changed.message().contains("new key"),
        "{}",
        changed.message()
    );

    let elsewhere = post_keyed(
        &sb,
        "/api_keys",
        &sb.admin,
        "k-ada",
        r#"{"name": "x", "scopes": ["usage:read"]}"#,
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::CONFLICT);
    assert!(
        elsewhere.message().contains("POST /v1/contacts"),
        "{}",
        elsewhere.message()
    );
    let contacts = sb.get("/contacts", &sb.admin).await;
    assert_eq!(contacts.body["total"], 1);
    assert_eq!(key_count(&sb).await, 1);
}

#[tokio::test]
async fn a_kept_validation_error_is_replayed_and_a_bad_header_is_400() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let invalid = r#"{"name": "", "scopes": ["usage:read"]}"#;
    let first = post_keyed(&sb, "/api_keys", &sb.admin, "k-invalid", invalid).await;
    assert_eq!(first.status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = post_keyed(&sb, "/api_keys", &sb.admin, "k-invalid", invalid).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, first.body);

    let long = "k".repeat(256);
    let valid = r#"{"name": "x", "scopes": ["usage:read"]}"#;
    let refused = post_keyed(&sb, "/api_keys", &sb.admin, &long, valid).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_eq!(refused.code(), "invalid_request");
    assert!(
        refused.message().contains("Idempotency-Key"),
        "{}",
        refused.message()
    );
    assert!(
        refused.message().contains("1 to 255"),
        "{}",
        refused.message()
    );
    let fits = post_keyed(&sb, "/api_keys", &sb.admin, &long[..255], valid).await;
    assert_eq!(fits.status, StatusCode::CREATED, "{}", fits.text);
    assert_eq!(
        key_count(&sb).await,
        2,
        "the refused request created nothing"
    );

    // A 403 describes the caller, not the request: it is not kept, so a retry runs again.
    let (_, manager) = sb
        .create_key("manager", &["keys:manage", "usage:read"])
        .await;
    let escalate = r#"{"name": "x", "scopes": ["contacts:read"]}"#;
    let forbidden = post_keyed(&sb, "/api_keys", &manager, "k-forbidden", escalate).await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.text
    );
    let again = post_keyed(&sb, "/api_keys", &manager, "k-forbidden", escalate).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(again.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn a_lost_response_is_replayed_to_the_retry_and_the_resource_exists_once() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let armed = sb
        .post(
            "/sandbox/faults",
            &sb.admin,
            json!({"method": "POST", "path": "/v1/contacts", "status": 503, "count": 2, "mode": "after_commit"}),
        )
        .await;
    assert_eq!(armed.status, StatusCode::CREATED, "{}", armed.text);
    assert_eq!(armed.body["mode"], "after_commit");

    // Without a key, the lost response hides a contact that was created.
    let unkeyed = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Grace", "phone": "+447700900201"}),
        )
        .await;
    assert_eq!(unkeyed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        unkeyed.message().contains("saved its changes"),
        "{}",
        unkeyed.message()
    );
    assert_eq!(sb.get("/contacts", &sb.admin).await.body["total"], 1);

    let body = r#"{"name": "Ada", "phone": "+447700900123"}"#;
    let lost = post_keyed(&sb, "/contacts", &sb.admin, "k-lost", body).await;
    assert_eq!(
        lost.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        lost.text
    );
    let retry = post_keyed(&sb, "/contacts", &sb.admin, "k-lost", body).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.body["name"], "Ada");
    let contacts = sb.get("/contacts", &sb.admin).await;
    assert_eq!(contacts.body["total"], 2, "Grace and Ada, each once");
    let ada: Vec<&Value> = contacts.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|c| c["name"] == "Ada")
        .collect();
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0]["id"], retry.body["id"]);

    // A reject fault fires before the request runs: nothing is kept, the retry runs it.
    let armed = sb
        .post(
            "/sandbox/faults",
            &sb.admin,
            json!({"method": "POST", "path": "/v1/contacts", "status": 500, "count": 1}),
        )
        .await;
    assert_eq!(armed.body["mode"], "reject");
    let body = r#"{"name": "Bea", "phone": "+447700900124"}"#;
    let rejected = post_keyed(&sb, "/contacts", &sb.admin, "k-rejected", body).await;
    assert_eq!(rejected.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sb.get("/contacts", &sb.admin).await.body["total"], 2);
    let retry = post_keyed(&sb, "/contacts", &sb.admin, "k-rejected", body).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), None);
    assert_eq!(sb.get("/contacts", &sb.admin).await.body["total"], 3);
}

/// A webhook receiver that answers only as many requests as it is given permits.
struct GatedReceiver {
    url: String,
    arrived: Arc<AtomicUsize>,
    permits: Arc<Semaphore>,
}

impl GatedReceiver {
    async fn start() -> Self {
        let arrived = Arc::new(AtomicUsize::new(0));
        let permits = Arc::new(Semaphore::new(0));
        let (a, p) = (arrived.clone(), permits.clone());
        let app = axum::Router::new().fallback(move || {
            let (a, p) = (a.clone(), p.clone());
            async move {
                a.fetch_add(1, Ordering::SeqCst);
                p.acquire().await.expect("semaphore open").forget();
                "ok"
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            arrived,
            permits,
        }
    }

    async fn wait_for_arrivals(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.arrived.load(Ordering::SeqCst) < count {
            assert!(Instant::now() < deadline, "the receiver was not called");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn a_duplicate_while_the_first_runs_is_told_to_retry_and_then_gets_the_replay() {
    let sb = TestSandbox::fast().await;
    let receiver = GatedReceiver::start().await;
    let webhook = sb
        .post(
            "/webhooks",
            &sb.admin,
            json!({"url": receiver.url, "event_types": ["message.delivered"]}),
        )
        .await;
    assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.text);
    let webhook = webhook.body["id"].as_str().expect("id").to_string();
    receiver.permits.add_permits(1);
    let event = sb
        .post(
            "/sandbox/events",
            &sb.admin,
            json!({"type": "message.delivered"}),
        )
        .await;
    assert_eq!(event.status, StatusCode::CREATED, "{}", event.text);
    let listed = eventually(&sb, &format!("/webhooks/{webhook}/deliveries"), 10, |b| {
        b["data"][0]["status"] == "succeeded"
    })
    .await;
    let delivery = listed["data"][0]["id"]
        .as_str()
        .expect("delivery")
        .to_string();
    let path = format!("/webhooks/{webhook}/deliveries/{delivery}/resend");

    // The resend waits on the receiver, so it is still running when the duplicate arrives.
    let first = {
        let (http, url, admin) = (
            sb.http.clone(),
            format!("{}{}", sb.base(), path),
            sb.admin.clone(),
        );
        tokio::spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(admin)
                .header("Idempotency-Key", "k-resend")
                .header("Content-Type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("sent");
            (response.status(), response.text().await.expect("body"))
        })
    };
    receiver.wait_for_arrivals(2).await;
    let duplicate = post_keyed(&sb, &path, &sb.admin, "k-resend", "{}").await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.text);
    assert!(
        duplicate.message().contains("in progress"),
        "{}",
        duplicate.message()
    );
    assert_eq!(duplicate.header("retry-after").as_deref(), Some("1"));

    receiver.permits.add_permits(10);
    let (status, text) = first.await.expect("first request");
    assert_eq!(status, StatusCode::OK, "{text}");
    let retry = post_keyed(&sb, &path, &sb.admin, "k-resend", "{}").await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.text, text);
    assert_eq!(
        receiver.arrived.load(Ordering::SeqCst),
        2,
        "the delivery and one resend, not two"
    );
}

#[tokio::test]
async fn a_multipart_import_retried_with_a_new_boundary_is_replayed() {
    let sb = TestSandbox::fast().await;
    let csv = "name,phone\nAda,+447700900123\nBea,+447700900124\n";
    let upload = || async {
        // Each form gets its own random boundary, as a client rebuilding it for a retry would.
        let form = Form::new().part(
            "file",
            Part::bytes(csv.as_bytes().to_vec())
                .file_name("contacts.csv")
                .mime_str("text/csv")
                .expect("mime"),
        );
        let response = sb
            .http
            .post(format!("{}/contacts/import", sb.base()))
            .bearer_auth(&sb.admin)
            .header("Idempotency-Key", "k-import")
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let replayed = response.headers().get("idempotent-replayed").is_some();
        let status = response.status();
        (
            status,
            replayed,
            response.json::<Value>().await.expect("json"),
        )
    };
    let (status, replayed, job) = upload().await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert!(!replayed);
    let (status, replayed, again) = upload().await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    assert!(replayed, "a new boundary is the same request");
    assert_eq!(again["id"], job["id"]);
    let id = job["id"].as_str().expect("job id");
    eventually(&sb, &format!("/jobs/{id}"), 10, |b| {
        b["status"] == "completed"
    })
    .await;
    assert_eq!(sb.get("/contacts", &sb.admin).await.body["total"], 2);
}

async fn records(sb: &TestSandbox) -> i64 {
    let path = sb.dir.path().join(botbat_sandbox::DB_FILE);
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&options)
        .await
        .expect("the sandbox database opens");
    sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_records")
        .fetch_one(&mut connection)
        .await
        .expect("count")
}

#[tokio::test]
async fn records_expire_after_24_hours_on_the_sandbox_clock() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let body = r#"{"name": "Ada", "phone": "+447700900123"}"#;
    let first = post_keyed(&sb, "/contacts", &sb.admin, "k-day", body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let other = post_keyed(
        &sb,
        "/contacts",
        &sb.admin,
        "k-other",
        r#"{"name": "Bea", "phone": "+447700900124"}"#,
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED);
    let almost = sb
        .post("/sandbox/clock", &sb.admin, json!({"seconds": 86_390}))
        .await;
    assert_eq!(almost.status, StatusCode::OK, "{}", almost.text);
    let kept = post_keyed(&sb, "/contacts", &sb.admin, "k-day", body).await;
    assert_eq!(kept.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(records(&sb).await, 2);

    sb.post("/sandbox/clock", &sb.admin, json!({"seconds": 11}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while records(&sb).await > 0 {
        assert!(Instant::now() < deadline, "expired records were not pruned");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The key is free again: a request under it runs.
    let after = post_keyed(
        &sb,
        "/contacts",
        &sb.admin,
        "k-day",
        r#"{"name": "Ada again", "phone": "+447700900125"}"#,
    )
    .await;
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.text);
    assert_eq!(after.header("idempotent-replayed"), None);
    assert_ne!(after.body["id"], first.body["id"]);
}

#[tokio::test]
async fn a_kept_key_creation_puts_no_secret_on_disk() {
    let mut sb = TestSandbox::start(Plan::Enterprise).await;
    let canary = format!("canary-{}", std::process::id());
    let body = json!({"name": canary, "scopes": ["usage:read"]}).to_string();
    let created = post_keyed(&sb, "/api_keys", &sb.admin, "k-secret", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let replayed = post_keyed(&sb, "/api_keys", &sb.admin, "k-secret", &body).await;
    assert_eq!(
        replayed.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    let secret = replayed.body["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(created.body["secret"], replayed.body["secret"]);
    let rotated = post_keyed(
        &sb,
        &format!(
            "/api_keys/{}/rotate",
            created.body["id"].as_str().expect("id")
        ),
        &sb.admin,
        "k-rotate",
        r#"{"grace_period_seconds": 0}"#,
    )
    .await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.text);
    let rotated_secret = rotated.body["new_key"]["secret"]
        .as_str()
        .expect("secret")
        .to_string();

    // The kept responses survive a restart and still open for the same caller.
    sb.restart(Plan::Enterprise).await;
    let after_restart = post_keyed(&sb, "/api_keys", &sb.admin, "k-secret", &body).await;
    assert_eq!(after_restart.body["secret"], json!(secret));

    let sandbox = sb.sandbox.take().expect("running");
    sandbox.shutdown().await;
    let mut data = Vec::new();
    for entry in std::fs::read_dir(sb.dir.path()).expect("data dir") {
        match std::fs::read(entry.expect("entry").path()) {
            Ok(bytes) => data.push(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("unreadable data dir file: {e}"),
        }
    }
    let found = |needle: &[u8]| {
        data.iter()
            .any(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
    };
    assert!(
        found(canary.as_bytes()),
        "the scan finds what is stored in clear"
    );
    for s in [&secret, &rotated_secret] {
        assert!(
            !found(&s.as_bytes()[8..]),
            "a key secret is stored in the data dir"
        );
    }
    assert!(!found(b"k-secret"), "idempotency keys are stored as hashes");
}

#[tokio::test]
async fn get_put_and_delete_ignore_the_header_and_the_document_publishes_it() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let created = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Ada", "phone": "+447700900123"}),
        )
        .await;
    let id = created.body["id"].as_str().expect("id");
    for _ in 0..2 {
        let response = sb
            .http
            .put(format!("{}/contacts/{id}", sb.base()))
            .bearer_auth(&sb.admin)
            .header("Idempotency-Key", "k-put")
            .json(&json!({"name": "Ada L."}))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("idempotent-replayed").is_none());
    }

    let doc = sb.call(Method::GET, "/openapi.json", None, None).await;
    let paths = doc.body["paths"].as_object().expect("paths");
    let mut posts = 0;
    for (path, item) in paths {
        if let Some(operation) = item.get("post") {
            posts += 1;
            let parameter = operation["parameters"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == "Idempotency-Key"))
                .unwrap_or_else(|| panic!("POST {path} does not publish Idempotency-Key"));
            assert_eq!(parameter["in"], "header");
            assert_eq!(parameter["required"], false);
            assert_eq!(parameter["schema"]["maxLength"], 255);
            let conflict = operation["responses"]["409"]["description"]
                .as_str()
                .unwrap_or_else(|| panic!("POST {path} has no 409"));
            assert!(
                conflict.contains("Idempotency-Key"),
                "POST {path}: {conflict}"
            );
            let success = operation["responses"]
                .as_object()
                .expect("responses")
                .iter()
                .find(|(status, _)| status.starts_with('2'))
                .map(|(_, r)| r)
                .expect("a success response");
            assert!(
                success["headers"]["Idempotent-Replayed"].is_object(),
                "POST {path}"
            );
        }
        for method in ["get", "put", "delete"] {
            if let Some(operation) = item.get(method) {
                let published = operation["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
                assert!(!published, "{method} {path} publishes Idempotency-Key");
            }
        }
    }
    assert!(posts >= 15, "{posts} POST operations");
    let rotate = &paths["/v1/api_keys/{id}/rotate"]["post"]["responses"]["409"]["description"];
    assert!(
        rotate.as_str().expect("409").contains("already rotated"),
        "an existing 409 keeps its meaning: {rotate}"
    );
}
