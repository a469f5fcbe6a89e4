//! The client against a real sandbox: retries on 5xx, waits out `Retry-After`, gives the
//! typed error after the last attempt, follows cursors to the end, and retries a POST only
//! under an `Idempotency-Key`, so that a lost response never creates twice.

use std::time::{Duration, Instant};

use botbat_api::{
    ApiKey, Client, ClientConfig, ClientError, CreateApiKeyRequest, CreatedApiKey, ErrorCode,
    FaultMode, FaultRequest, Idempotency, Plan,
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
    arm_fault(client, "GET", path, status, count, FaultMode::Reject).await;
}

async fn arm_fault(
    client: &Client,
    method: &str,
    path: &str,
    status: u16,
    count: u32,
    mode: FaultMode,
) {
    let _: botbat_api::Response<botbat_api::Fault> = client
        .post(
            "/sandbox/faults",
            &FaultRequest {
                method: method.into(),
                path: path.into(),
                status,
                count,
                mode,
            },
        )
        .await
        .expect("fault armed");
}

/// The next key creation commits, then its response is lost on the way back (a 503).
async fn lose_next_key_creation(client: &Client) {
    arm_fault(
        client,
        "POST",
        "/v1/api_keys",
        503,
        1,
        FaultMode::AfterCommit,
    )
    .await;
}

async fn all_keys(client: &Client) -> Vec<ApiKey> {
    client
        .paginate("/api_keys", vec![("limit", "100".to_string())])
        .try_collect()
        .await
        .expect("keys")
}

fn crm_key() -> CreateApiKeyRequest {
    CreateApiKeyRequest {
        name: "CRM".into(),
        scopes: vec!["contacts:read".into()],
    }
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

#[tokio::test]
async fn a_post_whose_response_was_lost_is_retried_and_creates_exactly_once() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    lose_next_key_creation(&client).await;
    let created = client
        .create_api_key(&crm_key())
        .await
        .expect("the retry succeeds");
    assert_eq!(created.attempts, 2);
    assert!(created.replayed, "the retry got the kept response");
    assert_eq!(created.status, 201);

    let keys = all_keys(&client).await;
    assert_eq!(keys.len(), 2, "the admin key and one created key");
    assert!(keys.iter().any(|k| k.id == created.data.key.id));
    // The replayed secret is the real one: the key created by the first attempt answers to it.
    let new_key = Client::new(
        ClientConfig::new(
            &fx.sandbox.base_url,
            Some(created.data.secret.clone().into()),
        )
        .expect("config"),
    )
    .expect("client");
    let me = new_key.me().await.expect("the replayed secret works");
    assert_eq!(me.data.key.id, created.data.key.id);
}

#[tokio::test]
async fn a_post_without_a_key_is_sent_once() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    lose_next_key_creation(&client).await;
    let error = client
        .post_with::<_, CreatedApiKey>("/api_keys", &crm_key(), Idempotency::None)
        .await
        .expect_err("not retried");
    assert_eq!(error.api().expect("platform error").status, 503);
    assert_eq!(
        all_keys(&client).await.len(),
        2,
        "the lost response created a key nobody saw, and nothing more"
    );

    arm_fault(&client, "POST", "/v1/api_keys", 500, 1, FaultMode::Reject).await;
    let created = client
        .create_api_key(&crm_key())
        .await
        .expect("a keyed POST is retried");
    assert_eq!(created.attempts, 2);
    assert!(!created.replayed, "the rejected attempt never ran");
    assert_eq!(all_keys(&client).await.len(), 3);
}

#[tokio::test]
async fn a_caller_chosen_key_is_sent_as_is_and_checked_first() {
    let fx = sandbox(Plan::Enterprise).await;
    let client = client(&fx);
    let key = Idempotency::Key("try-it-7".into());
    let first: botbat_api::Response<CreatedApiKey> = client
        .post_with("/api_keys", &crm_key(), key.clone())
        .await
        .expect("created");
    let second: botbat_api::Response<CreatedApiKey> = client
        .post_with("/api_keys", &crm_key(), key)
        .await
        .expect("replayed");
    assert!(!first.replayed);
    assert!(second.replayed);
    assert_eq!(second.data.key.id, first.data.key.id);
    assert_eq!(second.data.secret, first.data.secret);

    let error = client
        .post_with::<_, CreatedApiKey>("/api_keys", &crm_key(), Idempotency::Key("é".into()))
        .await
        .expect_err("not ASCII");
    assert!(matches!(error, ClientError::Invalid(_)), "{error}");
    let reused = client
        .post_with::<_, CreatedApiKey>(
            "/api_keys",
            &CreateApiKeyRequest {
                name: "Other".into(),
                scopes: vec!["contacts:read".into()],
            },
            Idempotency::Key("try-it-7".into()),
        )
        .await
        .expect_err("a reused key");
    let api = reused.api().expect("platform error");
    assert_eq!(api.code, ErrorCode::Conflict);
    assert!(
        api.message.contains("different request body"),
        "{}",
        api.message
    );
    assert_eq!(all_keys(&client).await.len(), 2);
}
