//! An async client for the v1 API, shared by the console and the tests.
//!
//! It does what the API Reference asks of every integration, so the console behaves like a
//! well-written one: Bearer auth, exponential backoff with jitter on 5xx and unreachable
//! hosts (4 attempts at most), waiting out `Retry-After` on 429, following cursors to the
//! end, and timing every call so panels can show latency.
//!
//! Retrying a POST is safe only if the platform can tell a retry from a new request: a 5xx
//! or a timeout can come after the request took effect, and a blind retry would create a
//! second key whose secret nobody sees. So every POST carries an `Idempotency-Key`, fresh
//! for each logical request and the same on all its attempts, and a POST is retried only
//! when it carries one. GET, PUT and DELETE are idempotent by definition and retried as
//! before.

use std::time::{Duration, Instant};

use botbat_secrets::Sensitive;
use futures::Stream;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::error::{ClientError, ErrorBody};
use crate::ratelimit;
use crate::types::{
    ApiKey, CreateApiKeyRequest, CreatedApiKey, Me, Page, RateLimits, RotateApiKeyRequest,
    RotatedApiKey, ScopeInfo, UsageSummary, Webhook,
};

#[derive(Clone)]
pub struct ClientConfig {
    /// e.g. `http://127.0.0.1:8787/v1` or `https://api.botbat.com/v1`.
    pub base_url: Url,
    pub api_key: Option<Sensitive<String>>,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first retry waits about this long; each further one twice as long.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this is returned as an error instead of waited out.
    pub max_retry_after: Duration,
    pub timeout: Duration,
    /// Spaces this client's requests (each attempt) when set; see [`ratelimit::Pacer`].
    pub pacer: Option<std::sync::Arc<ratelimit::Pacer>>,
    /// Sent instead of the transport's [`CONSOLE_USER_AGENT`]: requests made on the user's
    /// behalf (the CLI, a burst test) must not pass for the console's own.
    pub user_agent: Option<String>,
}

impl ClientConfig {
    pub fn new(base_url: &str, api_key: Option<Sensitive<String>>) -> Result<Self, ClientError> {
        Ok(Self {
            base_url: parse_base_url(base_url)?,
            api_key,
            max_attempts: 4,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
            max_retry_after: ratelimit::MAX_WAIT,
            timeout: Duration::from_secs(15),
            pacer: None,
            user_agent: None,
        })
    }
}

/// The `User-Agent` of the console's own calls (its panels, polls and usage sync). The
/// platform records a request sent with exactly this product and no comment as the
/// console's, so charts and the dashboard can leave it out; Try It's requests say
/// `botbat-console/<version> (try-it)` and the CLI's `botbat-cli/<version>`: those are the
/// user's.
pub const CONSOLE_USER_AGENT: &str = concat!("botbat-console/", env!("CARGO_PKG_VERSION"));

/// Whether a `User-Agent` is the console's own: `botbat-console/<version>` alone, with no
/// comment such as `(try-it)` after it.
pub fn is_console_user_agent(user_agent: &str) -> bool {
    user_agent
        .trim()
        .strip_prefix("botbat-console/")
        .is_some_and(|version| !version.is_empty() && !version.contains(char::is_whitespace))
}

/// Checks that a base URL is usable and normalises it (no trailing slash, no query).
pub fn parse_base_url(base_url: &str) -> Result<Url, ClientError> {
    let url = Url::parse(base_url.trim()).map_err(|e| {
        ClientError::Invalid(format!(
            "base URL {base_url:?} is not a URL ({e}); expected e.g. https://api.botbat.com/v1"
        ))
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(ClientError::Invalid(format!(
            "base URL {base_url:?} must start with http:// or https://"
        )));
    }
    if url.host_str().is_none() {
        return Err(ClientError::Invalid(format!(
            "base URL {base_url:?} has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ClientError::Invalid(format!(
            "base URL {base_url:?} must not have a query or fragment"
        )));
    }
    let trimmed = url.as_str().trim_end_matches('/').to_string();
    Url::parse(&trimmed).map_err(|e| ClientError::Invalid(e.to_string()))
}

/// The rate-limit headers of one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitHeaders {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds at which the window resets.
    pub reset: i64,
}

/// A successful response and what the console shows about it.
#[derive(Debug, Clone)]
pub struct Response<T> {
    pub data: T,
    pub status: u16,
    pub request_id: Option<String>,
    pub rate_limit: Option<RateLimitHeaders>,
    /// Time of the last attempt alone.
    pub elapsed: Duration,
    pub attempts: u32,
    /// The platform answered with the kept response to an earlier attempt with the same
    /// `Idempotency-Key` (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

/// Whether a request carries an `Idempotency-Key`. Only POST uses one; other methods are
/// idempotent already and never send it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Idempotency {
    /// A fresh random key for this request, kept across its retries.
    #[default]
    Fresh,
    /// This key, e.g. one the user typed into Try It, or one kept to resend a request later.
    Key(String),
    /// No key: the POST is sent once and never retried.
    None,
}

/// The header that makes a POST safe to retry.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
pub const MAX_IDEMPOTENCY_KEY_LENGTH: usize = 255;

/// A new random key in the UUID v4 format, the kind payment APIs recommend.
pub fn fresh_idempotency_key() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Checks a caller-supplied key the way the platform does: 1 to 255 printable ASCII
/// characters.
pub fn check_idempotency_key(key: &str) -> Result<(), ClientError> {
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY_LENGTH
        || !key.bytes().all(|b| (0x20..=0x7e).contains(&b))
    {
        return Err(ClientError::Invalid(format!(
            "an {IDEMPOTENCY_HEADER} must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, e.g. a UUID"
        )));
    }
    Ok(())
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.config.base_url.as_str())
            .field("api_key", &self.config.api_key)
            .finish()
    }
}

/// One request as each attempt sends it.
struct Sent<'a> {
    method: &'a Method,
    url: &'a Url,
    query: &'a [(&'a str, String)],
    body: Option<&'a serde_json::Value>,
    idempotency_key: Option<&'a str>,
}

enum Attempt {
    Done(reqwest::Response, Duration),
    Retry(Duration, ClientError),
    Fail(ClientError),
}

/// The HTTP side a [`Client`] sends through: a connection pool and the TLS roots, loaded
/// once. Building one costs far more than a request on a warm connection, so a program that
/// makes clients often (the console makes one per command) builds this once and hands it to
/// [`Client::with_http`]. The timeout is per request, from each client's config.
pub fn http_transport() -> Result<reqwest::Client, ClientError> {
    reqwest::Client::builder()
        .user_agent(CONSOLE_USER_AGENT)
        .build()
        .map_err(|e| ClientError::Invalid(e.to_string()))
}

impl Client {
    /// A client with a transport of its own.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        Ok(Self::with_http(http_transport()?, config))
    }

    /// A client that sends through a shared [`http_transport`].
    pub fn with_http(http: reqwest::Client, config: ClientConfig) -> Self {
        Self { http, config }
    }

    pub fn base_url(&self) -> &Url {
        &self.config.base_url
    }

    /// The same client sending `user_agent` (see [`ClientConfig::user_agent`]).
    pub fn identified_as(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = Some(user_agent.into());
        self
    }

    fn url(&self, path: &str) -> Result<Url, ClientError> {
        let joined = format!(
            "{}/{}",
            self.config.base_url.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        Url::parse(&joined).map_err(|e| ClientError::Invalid(format!("{joined}: {e}")))
    }

    /// Sends one request with retries and decodes a JSON body (an empty body decodes as
    /// `null`, so `T = ()` suits 204 responses). A POST gets a fresh `Idempotency-Key`.
    pub async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response<T>, ClientError> {
        self.send_with(method, path, query, body, Idempotency::Fresh)
            .await
    }

    /// [`Client::send`] with a chosen [`Idempotency`] for a POST.
    pub async fn send_with<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<Response<T>, ClientError> {
        let url = self.url(path)?;
        let key = match idempotency {
            _ if method != Method::POST => None,
            Idempotency::Fresh => Some(fresh_idempotency_key()),
            Idempotency::Key(key) => {
                check_idempotency_key(&key)?;
                Some(key)
            }
            Idempotency::None => None,
        };
        let retries = method != Method::POST || key.is_some();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.config.max_attempts || !retries;
            let sent = Sent {
                method: &method,
                url: &url,
                query,
                body,
                idempotency_key: key.as_deref(),
            };
            match self.attempt(&sent, attempt).await {
                Attempt::Done(response, elapsed) => {
                    return decode(response, elapsed, attempt).await;
                }
                Attempt::Retry(_, error) if last => return Err(error),
                Attempt::Retry(wait, error) => {
                    tracing::debug!(%url, attempt, ?wait, %error, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Attempt::Fail(error) => return Err(error),
            }
        }
    }

    async fn attempt(&self, sent: &Sent<'_>, attempt: u32) -> Attempt {
        if let Some(pacer) = &self.config.pacer {
            pacer.admit().await;
        }
        let url = sent.url;
        let mut request = self
            .http
            .request(sent.method.clone(), url.clone())
            .timeout(self.config.timeout)
            .header("Accept", "application/json");
        if !sent.query.is_empty() {
            request = request.query(sent.query);
        }
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose());
        }
        if let Some(key) = sent.idempotency_key {
            request = request.header(IDEMPOTENCY_HEADER, key);
        }
        if let Some(user_agent) = &self.config.user_agent {
            request = request.header(reqwest::header::USER_AGENT, user_agent);
        }
        if let Some(body) = sent.body {
            request = request.json(body);
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let error = ClientError::Unreachable {
                    url: url.to_string(),
                    message: describe_transport_error(&e),
                };
                return Attempt::Retry(self.backoff(attempt), error);
            }
        };
        let elapsed = started.elapsed();
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let error = error_from(response).await;
            return match error.retry_after().map(|s| Duration::from_secs(s.into())) {
                Some(wait) if wait <= self.config.max_retry_after => Attempt::Retry(wait, error),
                _ => Attempt::Fail(error),
            };
        }
        if status.is_server_error() {
            let error = error_from(response).await;
            return Attempt::Retry(self.backoff(attempt), error);
        }
        // The first request with this key is still running: its response will be kept.
        if status == StatusCode::CONFLICT && sent.idempotency_key.is_some() {
            let error = error_from(response).await;
            return match error.retry_after().map(|s| Duration::from_secs(s.into())) {
                Some(wait) if wait <= self.config.max_retry_after => Attempt::Retry(wait, error),
                _ => Attempt::Fail(error),
            };
        }
        if !status.is_success() {
            return Attempt::Fail(error_from(response).await);
        }
        Attempt::Done(response, elapsed)
    }

    /// Exponential backoff with "equal jitter": half the step fixed, half random, so
    /// clients that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .config
            .backoff_base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.config.backoff_max);
        let half = step / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Response<T>, ClientError> {
        self.send(Method::GET, path, query, None).await
    }

    /// A POST with a fresh `Idempotency-Key`, retried like any other request.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Response<T>, ClientError> {
        self.post_with(path, body, Idempotency::Fresh).await
    }

    pub async fn post_with<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency: Idempotency,
    ) -> Result<Response<T>, ClientError> {
        let body = serde_json::to_value(body).map_err(|e| ClientError::Invalid(e.to_string()))?;
        self.send_with(Method::POST, path, &[], Some(&body), idempotency)
            .await
    }

    pub async fn delete(&self, path: &str) -> Result<Response<()>, ClientError> {
        self.send(Method::DELETE, path, &[], None).await
    }

    /// Every item of a list endpoint, following `cursor` until it is `null`.
    pub fn paginate<T: DeserializeOwned + 'static>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
    ) -> impl Stream<Item = Result<T, ClientError>> + '_ {
        let path = path.to_string();
        let state = (Some(None::<String>), Vec::<T>::new().into_iter());
        futures::stream::try_unfold(state, move |(mut next, mut buffered)| {
            let path = path.clone();
            let query = query.clone();
            async move {
                loop {
                    if let Some(item) = buffered.next() {
                        return Ok(Some((item, (next, buffered))));
                    }
                    let Some(cursor) = next.take() else {
                        return Ok(None);
                    };
                    let mut q = query.clone();
                    if let Some(cursor) = cursor {
                        q.push(("cursor", cursor));
                    }
                    let page: Response<Page<T>> = self.get(&path, &q).await?;
                    next = page.data.cursor.map(Some);
                    buffered = page.data.data.into_iter();
                }
            }
        })
    }

    pub async fn me(&self) -> Result<Response<Me>, ClientError> {
        self.get("/me", &[]).await
    }

    pub async fn scopes(&self) -> Result<Response<Page<ScopeInfo>>, ClientError> {
        self.get("/scopes", &[]).await
    }

    pub async fn rate_limits(&self) -> Result<Response<RateLimits>, ClientError> {
        self.get("/rate_limits", &[]).await
    }

    pub async fn list_api_keys(
        &self,
        query: &[(&str, String)],
    ) -> Result<Response<Page<ApiKey>>, ClientError> {
        self.get("/api_keys", query).await
    }

    pub async fn create_api_key(
        &self,
        request: &CreateApiKeyRequest,
    ) -> Result<Response<CreatedApiKey>, ClientError> {
        self.post("/api_keys", request).await
    }

    /// Rotates a key; `name` names the replacement (`None` keeps the old key's name).
    pub async fn rotate_api_key(
        &self,
        id: &str,
        grace_period_seconds: u64,
        name: Option<&str>,
    ) -> Result<Response<RotatedApiKey>, ClientError> {
        self.post(
            &format!("/api_keys/{id}/rotate"),
            &RotateApiKeyRequest {
                grace_period_seconds,
                name: name.map(str::to_string),
            },
        )
        .await
    }

    pub async fn revoke_api_key(&self, id: &str) -> Result<Response<()>, ClientError> {
        self.delete(&format!("/api_keys/{id}")).await
    }

    /// Counts over `[from, to)`; with `include_console` false, without the console's own
    /// requests.
    pub async fn usage_summary(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        include_console: bool,
    ) -> Result<Response<UsageSummary>, ClientError> {
        let mut query = vec![("from", from.to_rfc3339()), ("to", to.to_rfc3339())];
        if !include_console {
            query.push(("console", "false".to_string()));
        }
        self.get("/usage/summary", &query).await
    }

    pub async fn list_webhooks(
        &self,
        query: &[(&str, String)],
    ) -> Result<Response<Page<Webhook>>, ClientError> {
        self.get("/webhooks", query).await
    }
}

fn describe_transport_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn rate_limit_headers(response: &reqwest::Response) -> Option<RateLimitHeaders> {
    Some(RateLimitHeaders {
        limit: ratelimit::parse_count(&header(response, "x-ratelimit-limit")?)?,
        remaining: ratelimit::parse_count(&header(response, "x-ratelimit-remaining")?)?,
        reset: ratelimit::parse_reset(&header(response, "x-ratelimit-reset")?)?,
    })
}

async fn decode<T: DeserializeOwned>(
    response: reqwest::Response,
    elapsed: Duration,
    attempts: u32,
) -> Result<Response<T>, ClientError> {
    let status = response.status().as_u16();
    let url = response.url().to_string();
    let request_id = header(&response, "x-request-id");
    let rate_limit = rate_limit_headers(&response);
    let replayed = header(&response, "idempotent-replayed").is_some_and(|v| v == "true");
    let bytes = response
        .bytes()
        .await
        .map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            message: describe_transport_error(&e),
        })?;
    let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
    let data = serde_json::from_slice(body).map_err(|e| ClientError::Protocol {
        url,
        status,
        message: format!("the body is not the expected JSON: {e}"),
    })?;
    Ok(Response {
        data,
        status,
        request_id,
        rate_limit,
        elapsed,
        attempts,
        replayed,
    })
}

async fn error_from(response: reqwest::Response) -> ClientError {
    let status = response.status().as_u16();
    let retry_after = header(&response, "retry-after")
        .and_then(|v| ratelimit::parse_retry_after(&v, std::time::SystemTime::now()));
    let url = response.url().to_string();
    let request_id = header(&response, "x-request-id");
    let bytes = response.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => ClientError::Api {
            error: body.error,
            retry_after,
        },
        Err(_) => ClientError::Protocol {
            url,
            status,
            message: format!(
                "no platform error body (request id {}): {}",
                request_id.as_deref().unwrap_or("none"),
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_validated_with_a_hint() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:8787/v1/")
                .expect("valid")
                .as_str(),
            "http://127.0.0.1:8787/v1"
        );
        let err = parse_base_url("api.botbat.com/v1").expect_err("no scheme");
        assert!(
            err.to_string().contains("https://api.botbat.com/v1"),
            "{err}"
        );
        let err = parse_base_url("ftp://x/v1").expect_err("bad scheme");
        assert!(err.to_string().contains("http://"), "{err}");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut config = ClientConfig::new("http://127.0.0.1:1/v1", None).expect("config");
        config.backoff_base = Duration::from_millis(100);
        config.backoff_max = Duration::from_millis(400);
        let client = Client::new(config).expect("client");
        for _ in 0..50 {
            let first = client.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = client.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let tenth = client.backoff(10);
            assert!(tenth <= Duration::from_millis(400));
        }
    }

    #[test]
    fn fresh_idempotency_keys_are_uuid_v4_and_never_repeat() {
        let keys: std::collections::HashSet<String> =
            (0..1000).map(|_| fresh_idempotency_key()).collect();
        assert_eq!(keys.len(), 1000);
        for key in keys.iter().take(20) {
            assert_eq!(key.len(), 36);
            assert_eq!(&key[14..15], "4", "{key}");
            assert!("89ab".contains(&key[19..20]), "{key}");
            check_idempotency_key(key).expect("a fresh key is valid");
        }
        for bad in ["", "tab\there", &"k".repeat(256)] {
            let error = check_idempotency_key(bad).expect_err("refused");
            assert!(error.to_string().contains("1 to 255"), "{error}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let key = Sensitive::new("bb_test_SECRETSECRETSECRETSECRETSECRET12".to_string());
        let client =
            Client::new(ClientConfig::new("http://127.0.0.1:1/v1", Some(key)).expect("config"))
                .expect("client");
        assert!(!format!("{client:?}").contains("SECRET"));
    }
}
