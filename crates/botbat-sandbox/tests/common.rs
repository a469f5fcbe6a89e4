//! A real sandbox on 127.0.0.1:0 with its own temp data dir, and a raw HTTP client, so the
//! tests see exactly the headers and bodies an integration would.

#![allow(dead_code)]

use std::net::SocketAddr;

use botbat_api::Plan;
use botbat_sandbox::{Limits, RetrySchedule, RunningSandbox, SandboxConfig};
use botbat_secrets::Sensitive;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

pub struct TestSandbox {
    pub sandbox: Option<RunningSandbox>,
    /// Applied to every (re)start's config.
    configure: fn(&mut SandboxConfig),
    pub dir: TempDir,
    pub admin: String,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("loopback address")
}

impl TestSandbox {
    pub async fn start(plan: Plan) -> Self {
        Self::start_with(plan, None).await
    }

    /// Limits high enough never to be hit, for tests that make many requests quickly.
    pub async fn unlimited() -> Self {
        Self::start_with(
            Plan::Enterprise,
            Some(Limits {
                per_key_per_second: 100_000,
                per_org_per_minute: 1_000_000,
            }),
        )
        .await
    }

    pub async fn start_with(plan: Plan, limits: Option<Limits>) -> Self {
        let mut sandbox = Self::configured(|_| {}).await;
        sandbox.restart_with(plan, limits).await;
        sandbox
    }

    /// Unlimited, with the fast webhook retry schedule and one-second message steps.
    pub async fn fast() -> Self {
        Self::configured(|config| {
            config.retry_schedule = RetrySchedule::Fast;
            config.plan = Plan::Enterprise;
            config.limits = Some(Limits {
                per_key_per_second: 100_000,
                per_org_per_minute: 1_000_000,
            });
        })
        .await
    }

    /// A sandbox whose every start's config is adjusted by `configure`.
    pub async fn configured(configure: fn(&mut SandboxConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = SandboxConfig::new(loopback(), dir.path());
        configure(&mut config);
        let sandbox = botbat_sandbox::start(config).await.expect("sandbox starts");
        let admin = sandbox
            .generated_admin_key
            .as_ref()
            .expect("an empty data dir generates an admin key")
            .expose()
            .clone();
        Self {
            sandbox: Some(sandbox),
            configure,
            dir,
            admin,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the server and starts a new one on the same data dir.
    pub async fn restart(&mut self, plan: Plan) {
        self.restart_with(plan, None).await;
    }

    async fn restart_with(&mut self, plan: Plan, limits: Option<Limits>) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
        let mut config = SandboxConfig::new(loopback(), self.dir.path());
        (self.configure)(&mut config);
        config.plan = plan;
        if limits.is_some() {
            config.limits = limits;
        }
        let sandbox = botbat_sandbox::start(config).await.expect("restart");
        assert!(
            sandbox.generated_admin_key.is_none(),
            "a data dir with keys must not generate another admin key"
        );
        self.sandbox = Some(sandbox);
    }

    pub fn base(&self) -> String {
        self.sandbox.as_ref().expect("running").base_url.clone()
    }

    pub fn admin_key(&self) -> Sensitive<String> {
        Sensitive::new(self.admin.clone())
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base(), path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the sandbox");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, key: &str) -> Reply {
        self.call(Method::GET, path, Some(key), None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(key), Some(body)).await
    }

    /// Creates a key with `scopes` and returns (id, secret).
    pub async fn create_key(&self, name: &str, scopes: &[&str]) -> (String, String) {
        let reply = self
            .post(
                "/api_keys",
                &self.admin,
                serde_json::json!({"name": name, "scopes": scopes}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        (
            reply.body["id"].as_str().expect("id").to_string(),
            reply.body["secret"].as_str().expect("secret").to_string(),
        )
    }
}

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: std::collections::BTreeMap<String, String>,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or("").to_string()
    }
}

/// A webhook receiver on loopback that records every request and answers with the next
/// scripted status (200 once the script is used up).
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    script: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<u16>>>,
}

impl Receiver {
    pub async fn start(script: &[u16]) -> Self {
        use axum::body::Bytes;
        use axum::http::{HeaderMap, StatusCode as Status};
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let script = std::sync::Arc::new(std::sync::Mutex::new(
            script
                .iter()
                .copied()
                .collect::<std::collections::VecDeque<u16>>(),
        ));
        let (r, s) = (received.clone(), script.clone());
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (r, s) = (r.clone(), s.clone());
            async move {
                let headers = headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                r.lock().expect("lock").push(Received {
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let status = s.lock().expect("lock").pop_front().unwrap_or(200);
                (
                    Status::from_u16(status).expect("status"),
                    format!("receiver answered {status}"),
                )
            }
        });
        let listener = tokio::net::TcpListener::bind(loopback())
            .await
            .expect("receiver binds");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/hooks"),
            received,
            script,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits up to `seconds` for at least `count` requests, failing the test after that.
    pub async fn wait_for(&self, count: usize, seconds: u64) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let got = self.received();
            if got.len() >= count {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} of {count} requests arrived within {seconds} s",
                got.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

/// Polls `path` until `done` holds for its body, failing the test after `seconds`.
pub async fn eventually(
    sb: &TestSandbox,
    path: &str,
    seconds: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let reply = sb.get(path, &sb.admin).await;
        if done(&reply.body) {
            return reply.body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} did not get there within {seconds} s: {}",
            reply.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Moves the sandbox clock `seconds` ahead and returns once the scheduler has run a whole
/// step at the new time, so that a test can tell what did *not* happen by then. The proof
/// is a campaign to a segment nobody is in, scheduled for the new time: the scheduler
/// starts due campaigns after it has emitted due events and settled due reviews, so once
/// that campaign has left `scheduled`, everything due earlier has been done.
pub async fn advance_clock_and_settle(sb: &TestSandbox, seconds: i64) {
    let clock = sb.get("/sandbox/clock", &sb.admin).await;
    let now = chrono::DateTime::parse_from_rfc3339(clock.body["now"].as_str().expect("now"))
        .expect("clock time");
    let draft = sb
        .post(
            "/campaigns",
            &sb.admin,
            serde_json::json!({"name": "scheduler step", "segment": "no-one-at-all", "channel": "sms", "body": "-"}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let id = draft.body["id"].as_str().expect("campaign id").to_string();
    let send_at = (now + chrono::Duration::seconds(seconds)).to_rfc3339();
    let scheduled = sb
        .post(
            &format!("/campaigns/{id}/send"),
            &sb.admin,
            serde_json::json!({ "send_at": send_at }),
        )
        .await;
    assert_eq!(scheduled.body["status"], "scheduled", "{}", scheduled.text);
    let moved = sb
        .post(
            "/sandbox/clock",
            &sb.admin,
            serde_json::json!({ "seconds": seconds }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    eventually(sb, &format!("/campaigns/{id}"), 30, |b| {
        b["status"] != "scheduled"
    })
    .await;
}
