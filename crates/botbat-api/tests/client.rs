//! The client against a real sandbox: retries on 5xx, waits out `Retry-After`, gives the
//! typed error after the last attempt, and follows cursors to the end.

use std::time::{Duration, Instant};

use botbat_api::{
    Client, ClientConfig, ClientError, CreateApiKeyRequest, ErrorCode, FaultRequest, Plan,
};
use botbat_sandbox::{RunningSandbox, SandboxConfig};
use botbat_secrets::Sensitive;
use futures::TryStreamExt;

struct Fixture {
    sandbox: RunningSandbox,
    admin: Sensitive<String>,
    _dir: tempfile::TempDir,
}

async fn sandbox(plan: Plan) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
    config.plan = plan;
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    let admin = sandbox.generated_admin_key.clone().expect("admin key");
    Fixture {
        sandbox,
        admin,
        _dir: dir,
    }
}

fn client(fx: &Fixture) -> Client {
    let mut config =
        ClientConfig::new(&fx.sandbox.base_url, Some(fx.admin.clone())).expect("config");
    config.backoff_base = Duration::from_millis(20);
    Client::new(config).expect("client")
}

async fn arm(client: &Client, path: &str, status: u16, count: u32) {
    let _: botbat_api::Response<botbat_api::Fault> = client
        .post(
            "/sandbox/faults",
            &FaultRequest {
                method: "GET".into(),
                path: path.into(),
                status,
                count,
            },
        )
        .await
        .expect("fault armed");
}

#[tokio::test]
async fn retries_a_server_error_and_then_succeeds() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    arm(&client, "/v1/me", 500, 1).await;
    arm(&client, "/v1/me", 503, 1).await;
    let me = client.me().await.expect("third attempt succeeds");
    assert_eq!(me.attempts, 3);
    assert_eq!(me.status, 200);
    assert_eq!(me.data.key.name, "Sandbox admin");
    assert!(me.request_id.is_some_and(|id| id.starts_with("req_")));
    assert!(me.rate_limit.is_some());
}

#[tokio::test]
async fn returns_the_typed_error_after_the_last_attempt() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    arm(&client, "/v1/me", 502, 4).await;
    let error = client
        .me()
        .await
        .expect_err("four failures exhaust four attempts");
    let api = error.api().expect("a platform error");
    assert_eq!(api.code, ErrorCode::InternalError);
    assert_eq!(api.status, 502);
    assert!(api.request_id.starts_with("req_"));
    let faults: botbat_api::Response<Vec<botbat_api::Fault>> =
        client.get("/sandbox/faults", &[]).await.expect("faults");
    assert!(faults.data.is_empty(), "exactly four attempts were made");
}

#[tokio::test]
async fn does_not_retry_client_errors() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    let error = client
        .create_api_key(&CreateApiKeyRequest {
            name: String::new(),
            scopes: vec!["nope".into()],
        })
        .await
        .expect_err("invalid");
    let api = error.api().expect("platform error");
    assert_eq!(api.code, ErrorCode::ValidationError);
    assert_eq!(api.details.len(), 2);
}

#[tokio::test]
async fn waits_out_retry_after_on_429() {
    let fx = sandbox(Plan::Starter).await;
    let client = client(&fx);
    // Five a second per key: requests in a row meet the limit within two windows, wherever
    // the windows turn. The one that does is answered once its Retry-After is waited out.
    let mut waited = None;
    for _ in 0..12 {
        let started = Instant::now();
        let limits = client
            .rate_limits()
            .await
            .expect("succeeds, waiting if it must");
        if limits.attempts >= 2 {
            waited = Some(started.elapsed());
            break;
        }
    }
    let waited = waited.expect("twelve requests in a row were never limited");
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
}

#[tokio::test]
async fn reports_an_unreachable_platform() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut config =
        ClientConfig::new(&format!("http://127.0.0.1:{port}/v1"), None).expect("config");
    config.backoff_base = Duration::from_millis(5);
    let error = Client::new(config)
        .expect("client")
        .me()
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, ClientError::Unreachable { .. }), "{error}");
}

#[tokio::test]
async fn paginates_to_the_end() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    for i in 0..30 {
        client
            .create_api_key(&CreateApiKeyRequest {
                name: format!("k{i}"),
                scopes: vec!["usage:read".into()],
            })
            .await
            .expect("created");
    }
    let keys: Vec<botbat_api::ApiKey> = client
        .paginate("/api_keys", vec![("limit", "7".to_string())])
        .try_collect()
        .await
        .expect("all pages");
    assert_eq!(keys.len(), 31);
    let mut ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 31);
}
