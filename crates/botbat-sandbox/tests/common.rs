//! A real sandbox on 127.0.0.1:0 with its own temp data dir, and a raw HTTP client, so the
//! tests see exactly the headers and bodies an integration would.

#![allow(dead_code)]

use std::net::SocketAddr;

use botbat_api::Plan;
use botbat_sandbox::{Limits, RunningSandbox, SandboxConfig};
use botbat_secrets::Sensitive;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

pub struct TestSandbox {
    pub sandbox: Option<RunningSandbox>,
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
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = SandboxConfig::new(loopback(), dir.path());
        config.plan = plan;
        config.limits = limits;
        let sandbox = botbat_sandbox::start(config).await.expect("sandbox starts");
        let admin = sandbox
            .generated_admin_key
            .as_ref()
            .expect("an empty data dir generates an admin key")
            .expose()
            .clone();
        Self {
            sandbox: Some(sandbox),
            dir,
            admin,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the server and starts a new one on the same data dir.
    pub async fn restart(&mut self, plan: Plan) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
        let mut config = SandboxConfig::new(loopback(), self.dir.path());
        config.plan = plan;
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
