//! Who may call what, derived from the sandbox's own `/v1/openapi.json`, so an endpoint
//! added later is covered without editing this file: every operation refuses a request
//! without a key, and every scoped one refuses a key that holds every scope but its own,
//! naming that scope. Also: the sandbox controls need `sandbox:manage` and bound the armed
//! faults, a data dir from before that scope existed keeps its admin key working, and each
//! mode refuses the other mode's keys with a message that says why.

mod common;

use std::collections::BTreeMap;

use botbat_api::{Plan, Scope};
use botbat_sandbox::{Limits, SandboxConfig};
use botbat_secrets::Sensitive;
use common::TestSandbox;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn unlimited(config: &mut SandboxConfig) {
    config.plan = Plan::Enterprise;
    config.limits = Some(Limits {
        per_key_per_second: 100_000,
        per_org_per_minute: 1_000_000,
    });
}

fn unlimited_live(config: &mut SandboxConfig) {
    unlimited(config);
    config.live = true;
}

/// Who an operation admits, as its `security` says.
#[derive(Debug, PartialEq)]
enum Rule {
    Public,
    AnyKey,
    Scope(String),
}

fn rule_of(operation: &Value, label: &str) -> Rule {
    let security = operation["security"]
        .as_array()
        .unwrap_or_else(|| panic!("{label} publishes no `security`"));
    let scopes: Vec<&Value> = security
        .iter()
        .filter_map(|requirement| requirement.get("bearer_key"))
        .collect();
    match scopes.as_slice() {
        [] => Rule::Public,
        [list] => match list.as_array().expect("a list of scopes").as_slice() {
            [] => Rule::AnyKey,
            [scope] => Rule::Scope(scope.as_str().expect("scope").to_string()),
            more => panic!("{label} needs {} scopes", more.len()),
        },
        _ => panic!("{label} has alternative requirements"),
    }
}

/// The path with each `{param}` filled with a dummy id.
fn fill(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "id_does_not_exist"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Operation {
    method: Method,
    /// The route template, e.g. `/v1/contacts/{id}`.
    path: String,
    rule: Rule,
}

impl Operation {
    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The filled path, relative to the base URL (which ends in `/v1`).
    fn target(&self) -> String {
        fill(self.path.trim_start_matches("/v1"))
    }
}

async fn operations(sb: &TestSandbox) -> Vec<Operation> {
    let doc = sb.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK, "the document needs no key");
    let mut found = Vec::new();
    for (path, item) in doc.body["paths"].as_object().expect("paths") {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let method =
                Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
            let label = format!("{method} {path}");
            let rule = rule_of(operation, &label);
            if let Rule::Scope(scope) = &rule {
                assert_eq!(
                    operation["x-required-scope"].as_str(),
                    Some(scope.as_str()),
                    "{label}: x-required-scope agrees with security"
                );
                assert!(
                    operation["responses"]["403"].is_object(),
                    "{label} documents its 403"
                );
            }
            if rule != Rule::Public {
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{label} documents its 401"
                );
            }
            found.push(Operation {
                method,
                path: path.clone(),
                rule,
            });
        }
    }
    found
}

/// Walks every operation of the document the sandbox serves.
async fn every_operation_enforces_its_rule(sb: &TestSandbox) -> Vec<Operation> {
    let operations = operations(sb).await;
    assert!(
        operations.len() > 40,
        "only {} operations",
        operations.len()
    );

    // One key per scope, holding every scope except that one.
    let mut all_but: BTreeMap<String, String> = BTreeMap::new();
    for scope in Scope::ALL {
        let others: Vec<&str> = Scope::ALL
            .iter()
            .filter(|s| **s != scope)
            .map(|s| s.as_str())
            .collect();
        let (_, secret) = sb.create_key(&format!("all but {scope}"), &others).await;
        all_but.insert(scope.as_str().to_string(), secret);
    }
    let (_, narrow) = sb.create_key("narrow", &["contacts:read"]).await;

    for operation in &operations {
        let label = operation.label();
        let target = operation.target();
        let keyless = sb.call(operation.method.clone(), &target, None, None).await;
        match &operation.rule {
            Rule::Public => assert!(
                !matches!(keyless.status.as_u16(), 401 | 403),
                "{label} is public but answered {}",
                keyless.status
            ),
            _ => {
                assert_eq!(keyless.status, StatusCode::UNAUTHORIZED, "{label}");
                if operation.method != Method::HEAD {
                    assert_eq!(keyless.code(), "unauthorized", "{label}");
                }
            }
        }
        if operation.method == Method::GET && operation.rule != Rule::Public {
            // HEAD is served by the GET handler, so it must be guarded like GET.
            let head = sb.call(Method::HEAD, &target, None, None).await;
            assert_eq!(
                head.status,
                StatusCode::UNAUTHORIZED,
                "HEAD {}",
                operation.path
            );
        }
        match &operation.rule {
            Rule::Scope(scope) => {
                let key = all_but
                    .get(scope)
                    .unwrap_or_else(|| panic!("{label} needs `{scope}`, which is not a scope"));
                let refused = sb
                    .call(operation.method.clone(), &target, Some(key), None)
                    .await;
                assert_eq!(
                    refused.status,
                    StatusCode::FORBIDDEN,
                    "{label}: {}",
                    refused.text
                );
                assert_eq!(refused.code(), "forbidden", "{label}");
                assert!(
                    refused.message().contains(&format!("`{scope}`")),
                    "{label}: {}",
                    refused.message()
                );
            }
            Rule::AnyKey => {
                let served = sb
                    .call(operation.method.clone(), &target, Some(&narrow), None)
                    .await;
                assert!(
                    !matches!(served.status.as_u16(), 401 | 403),
                    "{label} admits any key but answered {}: {}",
                    served.status,
                    served.text
                );
            }
            Rule::Public => {}
        }
    }
    operations
}

#[tokio::test]
async fn every_sandbox_operation_refuses_no_key_and_a_key_without_its_scope() {
    let sb = TestSandbox::configured(unlimited).await;
    let operations = every_operation_enforces_its_rule(&sb).await;

    // The sandbox controls act on every key's world, so each needs `sandbox:manage`.
    let controls: Vec<&Operation> = operations
        .iter()
        .filter(|o| o.path.starts_with("/v1/sandbox/"))
        .collect();
    for path in [
        "/v1/sandbox/clock",
        "/v1/sandbox/faults",
        "/v1/sandbox/events",
        "/v1/sandbox/inbound",
        "/v1/sandbox/usage/seed",
    ] {
        assert!(
            controls.iter().any(|o| o.path == path),
            "{path} is not in the document"
        );
    }
    for control in &controls {
        assert_eq!(
            control.rule,
            Rule::Scope("sandbox:manage".into()),
            "{}",
            control.label()
        );
    }
    let scopes = sb.get("/scopes", &sb.admin).await;
    let manage = scopes.body["data"]
        .as_array()
        .expect("scopes")
        .iter()
        .find(|s| s["scope"] == "sandbox:manage")
        .expect("GET /v1/scopes lists sandbox:manage")
        .clone();
    let mut listed: Vec<String> = manage["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap_or(""),
                e["path"].as_str().unwrap_or("")
            )
        })
        .collect();
    let mut expected: Vec<String> = controls.iter().map(|o| o.label()).collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    assert!(!manage["description"].as_str().unwrap_or("").is_empty());

    let public: Vec<String> = operations
        .iter()
        .filter(|o| o.rule == Rule::Public)
        .map(Operation::label)
        .collect();
    assert_eq!(public, ["GET /v1/openapi.json"]);
}

#[tokio::test]
async fn every_live_operation_refuses_no_key_and_a_key_without_its_scope() {
    let sb = TestSandbox::configured(unlimited_live).await;
    assert!(sb.admin.starts_with("bb_live_"));
    let operations = every_operation_enforces_its_rule(&sb).await;
    assert!(
        !operations
            .iter()
            .any(|o| o.path.starts_with("/v1/sandbox/")),
        "the live stand-in has no sandbox controls"
    );
}

#[tokio::test]
async fn a_contacts_key_cannot_move_the_clock_or_break_other_keys() {
    let sb = TestSandbox::configured(unlimited).await;
    let (_, reader) = sb.create_key("crm", &["contacts:read"]).await;
    for (method, path, body) in [
        (
            Method::POST,
            "/sandbox/clock",
            Some(json!({"seconds": 86_400})),
        ),
        (
            Method::POST,
            "/sandbox/faults",
            Some(json!({"method": "GET", "path": "/v1/me", "status": 503, "count": 5})),
        ),
        (Method::DELETE, "/sandbox/faults", None),
        (
            Method::POST,
            "/sandbox/events",
            Some(json!({"type": "contact.created"})),
        ),
        (
            Method::POST,
            "/sandbox/inbound",
            Some(json!({"from": "+447700900123", "channel": "sms", "body": "hi"})),
        ),
        (
            Method::POST,
            "/sandbox/usage/seed",
            Some(json!({"days": 1, "requests": 10})),
        ),
    ] {
        let refused = sb.call(method.clone(), path, Some(&reader), body).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert!(
            refused.message().contains("`sandbox:manage`"),
            "{}",
            refused.message()
        );
    }
    let clock = sb.get("/sandbox/clock", &sb.admin).await;
    assert_eq!(clock.status, StatusCode::OK, "{}", clock.text);
    assert_eq!(
        clock.body["offset_seconds"], 0,
        "the refused move did nothing"
    );
    assert_eq!(
        sb.get("/sandbox/faults", &sb.admin).await.body,
        json!([]),
        "the refused fault was not armed"
    );
    assert_eq!(sb.get("/contacts", &reader).await.status, StatusCode::OK);

    // The admin key holds the scope, and can hand it on.
    let (_, tester) = sb.create_key("test harness", &["sandbox:manage"]).await;
    let moved = sb
        .post("/sandbox/clock", &tester, json!({"seconds": 60}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
}

#[tokio::test]
async fn the_armed_faults_are_bounded_and_the_refusal_says_how_to_make_room() {
    let sb = TestSandbox::configured(unlimited).await;
    let fault = json!({"method": "GET", "path": "/v1/contacts", "status": 503, "count": 1});
    for n in 1..=50 {
        let armed = sb.post("/sandbox/faults", &sb.admin, fault.clone()).await;
        assert_eq!(
            armed.status,
            StatusCode::CREATED,
            "fault {n}: {}",
            armed.text
        );
    }
    let refused = sb.post("/sandbox/faults", &sb.admin, fault.clone()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.code(), "conflict");
    assert!(
        refused.message().contains("50 faults"),
        "{}",
        refused.message()
    );
    assert!(
        refused.message().contains("DELETE /v1/sandbox/faults"),
        "{}",
        refused.message()
    );
    let listed = sb.get("/sandbox/faults", &sb.admin).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(50));

    // One fires and makes room for one more.
    assert_eq!(
        sb.get("/contacts", &sb.admin).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let armed = sb.post("/sandbox/faults", &sb.admin, fault.clone()).await;
    assert_eq!(armed.status, StatusCode::CREATED, "{}", armed.text);
    let cleared = sb
        .call(Method::DELETE, "/sandbox/faults", Some(&sb.admin), None)
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(sb.get("/contacts", &sb.admin).await.status, StatusCode::OK);
}

/// Starts on `dir` in the given mode with `admin` as the configured admin key.
async fn start_on(
    dir: &std::path::Path,
    live: bool,
    admin: Option<&str>,
) -> botbat_sandbox::RunningSandbox {
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir);
    config.live = live;
    config.admin_key = admin.map(|a| Sensitive::new(a.to_string()));
    botbat_sandbox::start(config).await.expect("starts")
}

async fn me(http: &reqwest::Client, base: &str, key: &str) -> (u16, Value) {
    let response = http
        .get(format!("{base}/me"))
        .bearer_auth(key)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn each_mode_refuses_the_other_modes_keys_and_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let http = reqwest::Client::new();
    let sandbox = start_on(dir.path(), false, None).await;
    let test_key = sandbox
        .generated_admin_key
        .as_ref()
        .expect("generated")
        .expose()
        .clone();
    assert_eq!(me(&http, &sandbox.base_url, &test_key).await.0, 200);
    sandbox.shutdown().await;

    // The same data dir as a live stand-in: the sandbox key is still on file, and refused.
    let live_key = botbat_sandbox::ids::key_secret(true);
    let live = start_on(dir.path(), true, Some(&live_key)).await;
    let (status, body) = me(&http, &live.base_url, &test_key).await;
    assert_eq!(status, 401, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("sandbox key"), "{message}");
    assert!(message.contains("bb_live_"), "{message}");
    assert!(message.contains("--live"), "{message}");
    assert_eq!(me(&http, &live.base_url, &live_key).await.0, 200);
    live.shutdown().await;

    // And back: the live key is on file, and the sandbox refuses it.
    let sandbox = start_on(dir.path(), false, None).await;
    let (status, body) = me(&http, &sandbox.base_url, &live_key).await;
    assert_eq!(status, 401, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or("");
    assert!(message.contains("live key"), "{message}");
    assert!(message.contains("bb_test_"), "{message}");
    assert_eq!(me(&http, &sandbox.base_url, &test_key).await.0, 200);
    sandbox.shutdown().await;
}

const OLD_SCOPES: [&str; 14] = [
    "contacts:read",
    "contacts:write",
    "messages:read",
    "messages:send",
    "campaigns:read",
    "campaigns:write",
    "conversations:read",
    "conversations:write",
    "templates:read",
    "templates:write",
    "webhooks:read",
    "webhooks:manage",
    "usage:read",
    "keys:manage",
];

#[tokio::test]
async fn a_data_dir_from_before_sandbox_manage_keeps_its_admin_key_working() {
    let mut sb = TestSandbox::start(Plan::Enterprise).await;
    let (ticked_id, ticked) = sb.create_key("every box ticked", &OLD_SCOPES).await;
    let (partial_id, partial) = sb.create_key("almost", &OLD_SCOPES[..13]).await;
    let admin_id = sb.get("/me", &sb.admin).await.body["key"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    sb.sandbox.take().expect("running").shutdown().await;

    // Make the file look like one written before the scope existed: keys without it, and the
    // migration that adds it not yet applied.
    let db_path = sb.dir.path().join(botbat_sandbox::DB_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db_path.display()))
        .await
        .expect("open the sandbox file");
    let old = serde_json::to_string(&OLD_SCOPES).expect("json");
    for id in [&admin_id, &ticked_id] {
        sqlx::query("UPDATE api_keys SET scopes = ? WHERE id = ?")
            .bind(&old)
            .bind(id)
            .execute(&pool)
            .await
            .expect("update");
    }
    let removed =
        sqlx::query("DELETE FROM _sqlx_migrations WHERE description LIKE '%sandbox manage%'")
            .execute(&pool)
            .await
            .expect("forget the migration");
    assert_eq!(
        removed.rows_affected(),
        1,
        "the migration's record was found"
    );
    pool.close().await;

    sb.restart(Plan::Enterprise).await;
    for (key, name) in [(&sb.admin, "admin"), (&ticked, "every box ticked")] {
        let scopes = &sb.get("/me", key).await.body["key"]["scopes"];
        assert!(
            scopes
                .as_array()
                .expect("scopes")
                .contains(&json!("sandbox:manage")),
            "{name}: {scopes}"
        );
        let moved = sb.post("/sandbox/clock", key, json!({"seconds": 1})).await;
        assert_eq!(moved.status, StatusCode::OK, "{name}: {}", moved.text);
    }
    let refused = sb
        .post("/sandbox/clock", &partial, json!({"seconds": 1}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let partial_scopes = sb
        .get(&format!("/api_keys/{partial_id}"), &sb.admin)
        .await
        .body["scopes"]
        .clone();
    assert_eq!(partial_scopes, json!(&OLD_SCOPES[..13]));
}
