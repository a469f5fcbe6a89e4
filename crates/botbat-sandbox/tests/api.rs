//! The sandbox over real HTTP: auth, scopes, errors, pagination, rate limits, keys,
//! metering, persistence and the OpenAPI document.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use botbat_api::Plan;
use common::TestSandbox;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn every_kind_of_bad_key_gets_401_with_a_reason() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (id, revoked) = sb.create_key("to revoke", &["contacts:read"]).await;
    let reply = sb
        .call(
            Method::DELETE,
            &format!("/api_keys/{id}"),
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let (id, expired) = sb.create_key("to expire", &["contacts:read"]).await;
    let reply = sb
        .post(
            &format!("/api_keys/{id}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 0}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);

    let missing = sb.call(Method::GET, "/me", None, None).await;
    let malformed_header = sb
        .http
        .get(format!("{}/me", sb.base()))
        .header("Authorization", format!("Basic {}", sb.admin))
        .send()
        .await
        .expect("sent");
    let malformed_key = sb.get("/me", "bb_test_tooshort").await;
    let unknown = sb
        .get("/me", "bb_test_0000000000000000000000000000ABCD")
        .await;
    let revoked = sb.get("/me", &revoked).await;
    let expired = sb.get("/me", &expired).await;

    assert_eq!(malformed_header.status(), StatusCode::UNAUTHORIZED);
    for (reply, expect) in [
        (&missing, "No API key"),
        (&malformed_key, "Malformed API key"),
        (&unknown, "Unknown API key"),
        (&revoked, "revoked"),
        (&expired, "expired"),
    ] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
        assert_eq!(reply.code(), "unauthorized");
        assert!(reply.message().contains(expect), "{}", reply.message());
        assert_eq!(reply.body["error"]["status"], 401);
        let request_id = reply.header("x-request-id").expect("X-Request-Id");
        assert!(request_id.starts_with("req_"));
        assert_eq!(reply.body["error"]["request_id"], Value::String(request_id));
    }
}

#[tokio::test]
async fn a_key_without_the_scope_gets_403_naming_it() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (_, reader) = sb.create_key("reader", &["usage:read"]).await;
    let reply = sb
        .post(
            "/api_keys",
            &reader,
            json!({"name": "x", "scopes": ["usage:read"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "forbidden");
    assert!(
        reply.message().contains("keys:manage"),
        "{}",
        reply.message()
    );
    assert_eq!(
        sb.get("/usage/requests", &reader).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_key_cannot_grant_scopes_it_lacks() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (_, manager) = sb
        .create_key("manager", &["keys:manage", "contacts:read"])
        .await;
    let reply = sb
        .post(
            "/api_keys",
            &manager,
            json!({"name": "escalate", "scopes": ["contacts:read", "messages:send"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.message().contains("messages:send"),
        "{}",
        reply.message()
    );
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_creates_nothing() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let url = format!("{}/api_keys", sb.base());
    let send = |body: &'static str, content_type: &'static str| {
        sb.http
            .post(&url)
            .bearer_auth(&sb.admin)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let malformed = send("{\"name\": \"x\",", "application/json")
        .await
        .expect("sent");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_request");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("line 1"));

    let wrong_type = send("{}", "text/plain").await.expect("sent");
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);

    let reply = sb
        .post(
            "/api_keys",
            &sb.admin,
            json!({"name": " ", "scopes": ["contacts:reed"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = reply.body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "scopes[0]"]);

    let huge = "x".repeat(2 * 1024 * 1024);
    let reply = sb
        .post(
            "/api_keys",
            &sb.admin,
            json!({"name": huge, "scopes": ["usage:read"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.code(), "payload_too_large");

    let keys = sb.get("/api_keys", &sb.admin).await;
    assert_eq!(keys.body["total"], 1, "only the admin key exists");

    let unknown = sb.get("/nope", &sb.admin).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "not_found");
    let wrong_method = sb
        .call(Method::PATCH, "/api_keys", Some(&sb.admin), None)
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.code(), "method_not_allowed");
    assert!(wrong_method.header("x-request-id").is_some());
}

#[tokio::test]
async fn two_hundred_fifty_items_page_without_loss_or_repeat() {
    let sb = TestSandbox::unlimited().await;
    for i in 0..249 {
        sb.create_key(&format!("key {i}"), &["usage:read"]).await;
    }
    let first = sb.get("/api_keys", &sb.admin).await;
    assert_eq!(
        first.body["data"].as_array().expect("data").len(),
        25,
        "default page size"
    );
    assert_eq!(first.body["total"], 250);

    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api_keys?limit=100&cursor={c}"),
            None => "/api_keys?limit=100".to_string(),
        };
        let page = sb.get(&path, &sb.admin).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        if pages == 0 {
            // A key created mid-way must not shift later pages.
            sb.create_key("created while paging", &["usage:read"]).await;
        }
        pages += 1;
        for item in page.body["data"].as_array().expect("data") {
            assert!(item.get("secret").is_none());
            assert!(
                seen.insert(item["id"].as_str().expect("id").to_string()),
                "repeat"
            );
        }
        match page.body["cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);

    for bad in ["0", "101"] {
        let reply = sb.get(&format!("/api_keys?limit={bad}"), &sb.admin).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit={bad}"
        );
        assert_eq!(reply.body["error"]["details"][0]["field"], "limit");
    }
    let reply = sb.get("/api_keys?cursor=garbage", &sb.admin).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_burst_over_the_starter_rate_gets_429_and_succeeds_after_retry_after() {
    let sb = TestSandbox::start(Plan::Starter).await;
    let mut limited = None;
    for _ in 0..20 {
        let reply = sb.get("/rate_limits", &sb.admin).await;
        for header in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert!(reply.header(header).is_some(), "{header} missing");
        }
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
            break;
        }
    }
    let limited = limited.expect("20 requests at once exceed 5 per second");
    assert_eq!(limited.code(), "rate_limited");
    assert_eq!(
        limited.header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert_eq!(limited.header("x-ratelimit-limit").as_deref(), Some("5"));
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1);
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let reply = sb.get("/rate_limits", &sb.admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["plan"], "starter");
    assert_eq!(reply.body["per_key"]["limit"], 5);
    assert_eq!(reply.body["per_org"]["limit"], 300);

    let usage = sb.get("/usage/requests?limit=100", &sb.admin).await;
    let records = usage.body["data"].as_array().expect("data");
    assert!(records
        .iter()
        .any(|r| r["status"] == 429 && r["rate_limited"] == true));
}

#[tokio::test]
async fn a_rotation_names_the_replacement_when_asked_and_keeps_the_name_otherwise() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (named, _) = sb.create_key("CRM sync", &["usage:read"]).await;
    let refused = sb
        .post(
            &format!("/api_keys/{named}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 3600, "name": "   "}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["error"]["details"][0]["field"], "name");
    let still = sb.get(&format!("/api_keys/{named}"), &sb.admin).await;
    assert_eq!(
        still.body["status"], "active",
        "a refused rotation changes nothing"
    );

    let reply = sb
        .post(
            &format!("/api_keys/{named}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 3600, "name": " CRM sync (rotated 29 Nov) "}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["new_key"]["name"], "CRM sync (rotated 29 Nov)");
    assert_eq!(reply.body["old_key"]["name"], "CRM sync");

    let (unnamed, _) = sb.create_key("worker", &["usage:read"]).await;
    let kept = sb
        .post(
            &format!("/api_keys/{unnamed}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 0, "name": null}),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.text);
    assert_eq!(kept.body["new_key"]["name"], "worker");
}

#[tokio::test]
async fn rotation_keeps_the_old_key_for_the_grace_period_only() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (id, old_secret) = sb.create_key("crm", &["contacts:read", "usage:read"]).await;
    let reply = sb
        .post(
            &format!("/api_keys/{id}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 3600}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let new_secret = reply.body["new_key"]["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(
        reply.body["new_key"]["scopes"],
        json!(["contacts:read", "usage:read"])
    );
    assert_eq!(reply.body["old_key"]["status"], "expiring");
    assert_eq!(reply.body["new_key"]["rotated_from"], json!(id));

    assert_eq!(sb.get("/me", &old_secret).await.status, StatusCode::OK);
    assert_eq!(sb.get("/me", &new_secret).await.status, StatusCode::OK);

    let again = sb
        .post(
            &format!("/api_keys/{id}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 0}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let bad = sb
        .post(
            &format!(
                "/api_keys/{}/rotate",
                reply.body["new_key"]["id"].as_str().expect("id")
            ),
            &sb.admin,
            json!({"grace_period_seconds": 60}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let moved = sb
        .post("/sandbox/clock", &sb.admin, json!({"seconds": 3601}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let rejected = sb.get("/me", &old_secret).await;
    assert_eq!(rejected.status, StatusCode::UNAUTHORIZED);
    assert!(
        rejected.message().contains("expired"),
        "{}",
        rejected.message()
    );
    assert_eq!(sb.get("/me", &new_secret).await.status, StatusCode::OK);
    let old = sb.get(&format!("/api_keys/{id}"), &sb.admin).await;
    assert_eq!(old.body["status"], "expired");
}

#[tokio::test]
async fn no_secret_is_ever_shown_again_or_written_to_disk() {
    let mut sb = TestSandbox::start(Plan::Enterprise).await;
    let (id, secret) = sb.create_key("secretive", &["usage:read"]).await;
    let (rotated_id, _) = sb.create_key("rotated", &["usage:read"]).await;
    let rotation = sb
        .post(
            &format!("/api_keys/{rotated_id}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 86400}),
        )
        .await;
    let rotated_secret = rotation.body["new_key"]["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(sb.get("/me", &secret).await.status, StatusCode::OK);

    let secrets = [sb.admin.clone(), secret.clone(), rotated_secret.clone()];
    let mut responses = vec![
        sb.get("/api_keys?limit=100", &sb.admin).await.text,
        sb.get(&format!("/api_keys/{id}"), &sb.admin).await.text,
        sb.get("/me", &secret).await.text,
        sb.get("/usage/requests?limit=100", &sb.admin).await.text,
    ];
    let listed = sb.get(&format!("/api_keys/{id}"), &sb.admin).await;
    assert_eq!(
        listed.body["masked"],
        format!("bb_test_…{}", &secret[secret.len() - 4..])
    );
    assert!(listed.body["last_used_at"].is_string(), "last_used_at kept");
    responses.push(listed.text);
    for text in &responses {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "a secret leaked into a response"
            );
        }
    }

    sb.restart(Plan::Enterprise).await;
    assert_eq!(
        sb.get("/me", &secret).await.status,
        StatusCode::OK,
        "keys survive a restart"
    );
    let sandbox = sb.sandbox.take().expect("running");
    sandbox.shutdown().await;
    let mut files = 0;
    for entry in std::fs::read_dir(sb.dir.path()).expect("data dir") {
        // SQLite's -wal and -shm files may be removed as the last connection closes.
        let bytes = match std::fs::read(entry.expect("entry").path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("unreadable data dir file: {e}"),
        };
        files += 1;
        for s in &secrets {
            let needle = &s.as_bytes()[8..];
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "a key secret is stored in the data dir"
            );
        }
    }
    assert!(files >= 1);
}

#[tokio::test]
async fn every_authenticated_request_is_metered_and_summarised() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (key_id, reader) = sb.create_key("reader", &["usage:read"]).await;
    sb.get("/me", &reader).await;
    sb.get("/api_keys", &reader).await;
    sb.get("/api_keys/key_missing", &sb.admin).await;
    let page = sb
        .get(&format!("/usage/requests?key_id={key_id}"), &sb.admin)
        .await;
    let records = page.body["data"].as_array().expect("data");
    let routes: Vec<(&str, i64)> = records
        .iter()
        .map(|r| {
            (
                r["route"].as_str().unwrap_or(""),
                r["status"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(routes, [("/v1/me", 200), ("/v1/api_keys", 403)]);
    assert!(records[0]["latency_ms"].as_f64().expect("latency") >= 0.0);

    let summary = sb.get("/usage/summary", &sb.admin).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert!(summary.body["requests"].as_u64().expect("requests") >= 5);
    assert!(summary.body["errors"].as_u64().expect("errors") >= 2);
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint_with_its_scope() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let doc = sb.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().expect("paths");
    for (path, method, scope) in [
        ("/v1/api_keys", "post", Some("keys:manage")),
        ("/v1/api_keys/{id}/rotate", "post", Some("keys:manage")),
        ("/v1/usage/requests", "get", Some("usage:read")),
        ("/v1/webhooks", "get", Some("webhooks:read")),
        ("/v1/webhooks/{id}", "delete", Some("webhooks:manage")),
        ("/v1/sandbox/clock", "post", Some("sandbox:manage")),
        ("/v1/sandbox/usage/seed", "post", Some("sandbox:manage")),
        ("/v1/rate_limits", "get", None),
        ("/v1/scopes", "get", None),
    ] {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} missing");
        assert_eq!(
            operation["x-required-scope"].as_str(),
            scope,
            "{method} {path}"
        );
        if scope.is_some() {
            assert!(operation["responses"]["403"].is_object());
        }
    }
    assert!(doc.body["components"]["schemas"]["ApiKey"].is_object());

    let scopes = sb.get("/scopes", &sb.admin).await;
    assert_eq!(scopes.body["total"], 15);
    let keys_manage = scopes.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|s| s["scope"] == "keys:manage")
        .expect("keys:manage");
    assert!(keys_manage["endpoints"]
        .as_array()
        .expect("endpoints")
        .contains(&json!({"method": "POST", "path": "/v1/api_keys/{id}/rotate"})));
}

#[tokio::test]
async fn webhooks_validate_urls_and_show_the_secret_once() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let bad = sb
        .post(
            "/webhooks",
            &sb.admin,
            json!({"url": "http://example.com/hook", "event_types": ["message.sent", "nope"]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.body["error"]["details"]
            .as_array()
            .expect("details")
            .len(),
        2
    );
    let created = sb
        .post(
            "/webhooks",
            &sb.admin,
            json!({"url": "http://localhost:3000/hook", "event_types": ["message.delivered"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let secret = created.body["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_"));
    let id = created.body["id"].as_str().expect("id");
    let listed = sb.get("/webhooks", &sb.admin).await;
    assert_eq!(listed.body["total"], 1);
    assert!(!listed.text.contains(secret));
    let updated = sb
        .call(
            Method::PUT,
            &format!("/webhooks/{id}"),
            Some(&sb.admin),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(updated.body["enabled"], false);
    let deleted = sb
        .call(
            Method::DELETE,
            &format!("/webhooks/{id}"),
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}
