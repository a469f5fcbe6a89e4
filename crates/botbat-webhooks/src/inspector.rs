//! The inspector: what happens to a webhook between the platform and the developer's
//! server. Requests arrive at the local receiver (any method and path on a loopback port)
//! or through the listen tunnel; each is verified, stored, then forwarded to the target or
//! answered with the mock response, and the UI is told.
//!
//! Verification and forwarding see each request as received; the store then masks its
//! credential headers, and a replay puts back those whose secret the console keeps.
//!
//! A request is stored before it is answered, so nothing the sender saw acknowledged can be
//! lost, even if the process is killed. Memory stays bounded: at most `max_in_flight`
//! requests are handled at once, bodies above the limit are refused with 413 (and recorded
//! as such) without being read, and a client that is slow to send its headers or body is
//! cut off.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use ts_rs::TS;
use url::Url;

use crate::capture::{CaptureStore, CaptureSummary, ForwardResult, NewCapture, ReplayKind};
use crate::credentials::{recognise, restore, CredentialStatus, KeptSecret};
use crate::forward::{forward, route_for, target_url, ForwardRoute};
use crate::{detect_scheme, verify, Candidate, Verdict, VerifyOptions};

/// What the receiver answers when no forward target is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MockResponse {
    pub status: u16,
    pub body: String,
    pub content_type: String,
    #[ts(type = "number")]
    pub delay_ms: u64,
}

impl Default for MockResponse {
    fn default() -> Self {
        Self {
            status: 200,
            body: "{\"received\":true}".to_string(),
            content_type: "application/json".to_string(),
            delay_ms: 0,
        }
    }
}

/// Settings that can change while the receiver and tunnel run.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Where requests go when no route matches their event type; `None`: the mock answers.
    pub forward_target: Option<Url>,
    /// Per-event-type targets, tried in order before `forward_target`.
    pub routes: Vec<ForwardRoute>,
    pub mock: MockResponse,
}

/// The secrets a capture is verified against; asked for each capture, so a secret kept in
/// the keychain a moment ago already counts.
pub type CandidateSource = Arc<dyn Fn() -> Vec<Candidate> + Send + Sync>;
/// Told about every new capture and every change of one (forward results).
pub type CaptureListener = Arc<dyn Fn(CaptureSummary) + Send + Sync>;

/// What the receiver and the tunnel share.
pub struct InspectorCore {
    pub store: CaptureStore,
    pub behaviour: RwLock<Behaviour>,
    /// The environment captures are expected to come from (`sandbox`, `production`).
    pub environment: String,
    pub candidates: CandidateSource,
    pub on_capture: CaptureListener,
    /// The signing secret of the current tunnel session, a candidate for its captures.
    pub tunnel_secret: RwLock<Option<String>>,
    pub http: reqwest::Client,
}

impl InspectorCore {
    pub fn new(
        store: CaptureStore,
        environment: impl Into<String>,
        candidates: CandidateSource,
        on_capture: CaptureListener,
    ) -> Self {
        Self {
            store,
            behaviour: RwLock::new(Behaviour::default()),
            environment: environment.into(),
            candidates,
            on_capture,
            tunnel_secret: RwLock::new(None),
            http: crate::forward::http_client(),
        }
    }

    pub fn behaviour(&self) -> Behaviour {
        self.behaviour
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.behaviour.write().unwrap_or_else(|p| p.into_inner()) = behaviour;
    }

    /// Every secret to verify against: the user's, and the tunnel session's.
    pub fn all_candidates(&self) -> Vec<Candidate> {
        let mut candidates = (self.candidates)();
        if let Some(secret) = self
            .tunnel_secret
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            candidates
                .push(Candidate::new("tunnel session", secret).in_environment(&self.environment));
        }
        candidates
    }

    /// The verdict for a request, or `None` when it carries no signature of a known scheme.
    pub fn verdict(&self, headers: &[(String, String)], body: &[u8]) -> Option<Verdict> {
        let scheme = detect_scheme(headers)?;
        let options =
            VerifyOptions::at(Utc::now().timestamp()).expecting_environment(&self.environment);
        Some(verify(
            scheme,
            headers,
            body,
            &self.all_candidates(),
            &options,
        ))
    }

    /// Stores a request, forwards it if a target is set, and tells the listener. Returns
    /// the capture id and the forward result.
    pub async fn capture(
        &self,
        mut capture: NewCapture,
    ) -> Result<(i64, Option<ForwardResult>), crate::capture::CaptureError> {
        let behaviour = self.behaviour();
        if capture.verdict.is_none() {
            capture.verdict = self.verdict(&capture.headers, &capture.body);
        }
        let (event_id, event_type) = event_of(&capture.headers, &capture.body);
        capture.event_id = capture.event_id.or(event_id);
        capture.event_type = capture.event_type.or(event_type);
        let target = route_for(
            &behaviour.routes,
            capture.event_type.as_deref(),
            behaviour.forward_target.as_ref(),
        )
        .cloned();
        if target.is_none() && capture.response_status.is_none() {
            capture.response_status = Some(behaviour.mock.status);
        }
        let refused = capture.note.is_some();
        let forward_to = target.filter(|_| !refused);
        let request = forward_to.as_ref().map(|_| {
            (
                capture.method.clone(),
                capture.path.clone(),
                capture.headers.clone(),
                capture.body.clone(),
            )
        });
        let mut summary = capture.summary(0);
        let id = self.store.record(capture).await?;
        summary.id = id;
        let mut forwarded = None;
        if let (Some(target), Some((method, path, headers, body))) = (forward_to, request) {
            let result = forward(
                &self.http,
                &target_url(&target, &path),
                &method,
                &headers,
                body,
                None,
            )
            .await;
            self.store.set_forward(id, &result).await?;
            summary.forward_status = result.status;
            summary.forward_error = result.error.clone();
            if summary.response_status.is_none() {
                summary.response_status = result.status;
            }
            forwarded = Some(result);
        }
        (self.on_capture)(summary);
        Ok((id, forwarded))
    }

    async fn announce(&self, id: i64) {
        if let Ok(Some(detail)) = self.store.get(id).await {
            (self.on_capture)(detail.summary);
        }
    }

    /// What a replay of capture `id` does with each of its masked headers, given the
    /// secrets this machine keeps.
    pub async fn credentials(
        &self,
        id: i64,
        kept: &[KeptSecret],
    ) -> Result<Vec<CredentialStatus>, ReplayError> {
        let detail = self.store.get(id).await?.ok_or(ReplayError::NotFound(id))?;
        Ok(recognise(&detail.masked, kept, self.store.credential_key()).0)
    }

    /// Sends a capture to the forward target again: as captured, with edits, or signed
    /// again with a fresh timestamp (Standard Webhooks, with `secret`). A masked header
    /// still carrying its mask gets the real value back when it is one of `kept`.
    pub async fn replay(
        &self,
        id: i64,
        replay: Replay,
        kept: &[KeptSecret],
    ) -> Result<ForwardResult, ReplayError> {
        let detail = self.store.get(id).await?.ok_or(ReplayError::NotFound(id))?;
        let behaviour = self.behaviour();
        let target = route_for(
            &behaviour.routes,
            detail.summary.event_type.as_deref(),
            behaviour.forward_target.as_ref(),
        )
        .cloned()
        .ok_or(ReplayError::NoTarget)?;
        let original = base64_bytes(&detail.body_base64);
        let (kind, mut headers, body) = match replay {
            Replay::AsCaptured => (ReplayKind::AsCaptured, detail.headers.clone(), original),
            Replay::Edited { headers, body } => (ReplayKind::Edited, headers, body.into_bytes()),
            Replay::Resigned { secret, body } => {
                let body = body.map(String::into_bytes).unwrap_or(original);
                let scheme = detect_scheme(&detail.headers).unwrap_or(crate::Scheme::Standard);
                let id = detail
                    .summary
                    .event_id
                    .clone()
                    .unwrap_or_else(|| format!("msg_replay_{id}"));
                let fresh = crate::sign(scheme, &secret, &body, Utc::now().timestamp(), &id);
                let mut headers: Vec<(String, String)> = detail
                    .headers
                    .iter()
                    .filter(|(name, _)| !fresh.iter().any(|(f, _)| f.eq_ignore_ascii_case(name)))
                    .cloned()
                    .collect();
                headers.extend(fresh);
                (ReplayKind::Resigned, headers, body)
            }
        };
        let (_, restores) = recognise(&detail.masked, kept, self.store.credential_key());
        restore(&mut headers, &restores);
        let result = forward(
            &self.http,
            &target_url(&target, &detail.summary.path),
            &detail.summary.method,
            &headers,
            body,
            Some(kind),
        )
        .await;
        self.store.set_forward(id, &result).await?;
        self.announce(id).await;
        Ok(result)
    }
}

fn base64_bytes(encoded: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap_or_default()
}

/// How to replay a capture.
#[derive(Debug, Clone)]
pub enum Replay {
    AsCaptured,
    Edited {
        headers: Vec<(String, String)>,
        body: String,
    },
    Resigned {
        secret: String,
        /// An edited body to sign instead of the captured one.
        body: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("no capture {0}")]
    NotFound(i64),
    #[error("set a forward target first: a replay goes to your server")]
    NoTarget,
    #[error(transparent)]
    Store(#[from] crate::capture::CaptureError),
}

/// The two fields of a platform event the list shows; everything else is skipped without
/// building a JSON tree.
#[derive(Deserialize)]
struct EventHead {
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    /// Botmaker's Message and Status notifications say which filter let them through.
    #[serde(rename = "messageType")]
    message_type: Option<String>,
}

/// The event id and type of a platform webhook, from its headers and JSON body.
fn event_of(headers: &[(String, String)], body: &[u8]) -> (Option<String>, Option<String>) {
    let head: Option<EventHead> = serde_json::from_slice(body).ok();
    let (id, event_type) = head
        .map(|h| {
            let event_type =
                crate::botmaker::event_type(h.event_type.as_deref(), h.message_type.as_deref())
                    .or(h.event_type);
            (h.id, event_type)
        })
        .unwrap_or((None, None));
    let event_id = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("webhook-id"))
        .map(|(_, v)| v.clone())
        .or(id);
    (event_id, event_type)
}

/// Limits of the local receiver.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    pub listen: SocketAddr,
    /// Bodies above this are answered 413 and recorded without their body.
    pub body_limit: usize,
    /// Requests handled at once; more wait for a slot before their body is read.
    pub max_in_flight: usize,
    /// How long a client may take to send its headers, and then its body.
    pub read_timeout: Duration,
}

pub const DEFAULT_BODY_LIMIT: usize = 5 * 1024 * 1024;

impl ReceiverConfig {
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            body_limit: DEFAULT_BODY_LIMIT,
            max_in_flight: 64,
            read_timeout: Duration::from_secs(10),
        }
    }
}

/// A receiver accepting connections until [`RunningReceiver::stop`].
pub struct RunningReceiver {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningReceiver {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

pub async fn start_receiver(
    core: Arc<InspectorCore>,
    config: ReceiverConfig,
) -> std::io::Result<RunningReceiver> {
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = oneshot::channel::<()>();
    let slots = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
    let config = Arc::new(config);
    let task = tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => accepted,
            };
            let Ok((stream, _)) = accepted else { continue };
            let (core, slots, config) = (core.clone(), slots.clone(), config.clone());
            tokio::spawn(async move {
                let read_timeout = config.read_timeout;
                let service = service_fn(move |request| {
                    let (core, slots, config) = (core.clone(), slots.clone(), config.clone());
                    async move { Ok::<_, Infallible>(handle(core, slots, config, request).await) }
                });
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(read_timeout)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(RunningReceiver {
        addr,
        stop: Some(stop),
        task,
    })
}

fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert("content-type", value);
    }
    response
}

async fn handle(
    core: Arc<InspectorCore>,
    slots: Arc<Semaphore>,
    config: Arc<ReceiverConfig>,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let Ok(_slot) = slots.acquire().await else {
        return reply(503, "text/plain", "the inspector is shutting down");
    };
    let received_at = Utc::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.to_string();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let declared: Option<u64> = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let limit = config.body_limit;
    let refusal = |note: String, status: u16, size: u64| NewCapture {
        source: crate::capture::CaptureSource::Receiver,
        received_at,
        method: method.clone(),
        path: path.clone(),
        headers: headers.clone(),
        body: Vec::new(),
        body_size: size,
        response_status: Some(status),
        event_id: None,
        event_type: None,
        verdict: None,
        note: Some(note),
    };
    let too_large = |size: u64| {
        format!(
            "Body of {size} bytes refused: the inspector's limit is {} MiB.",
            limit / (1024 * 1024)
        )
    };
    if declared.is_some_and(|size| size > limit as u64) {
        let size = declared.unwrap_or_default();
        let _ = core.capture(refusal(too_large(size), 413, size)).await;
        return reply(413, "text/plain", too_large(size));
    }
    let collected =
        tokio::time::timeout(config.read_timeout, Limited::new(body, limit).collect()).await;
    let body = match collected {
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
        Ok(Err(error)) => {
            if error.is::<http_body_util::LengthLimitError>() {
                let note = format!(
                    "Body refused: more than the inspector's limit of {} MiB.",
                    limit / (1024 * 1024)
                );
                let _ = core
                    .capture(refusal(note.clone(), 413, limit as u64 + 1))
                    .await;
                return reply(413, "text/plain", note);
            }
            let note = format!("The client broke off while sending the body: {error}");
            let _ = core.capture(refusal(note.clone(), 400, 0)).await;
            return reply(400, "text/plain", note);
        }
        Err(_) => {
            let note = format!(
                "The client did not finish sending its body within {} s.",
                config.read_timeout.as_secs()
            );
            let _ = core.capture(refusal(note.clone(), 408, 0)).await;
            return reply(408, "text/plain", note);
        }
    };
    let capture = NewCapture {
        source: crate::capture::CaptureSource::Receiver,
        received_at,
        method,
        path,
        headers,
        body_size: body.len() as u64,
        body,
        response_status: None,
        event_id: None,
        event_type: None,
        verdict: None,
        note: None,
    };
    let mock = core.behaviour().mock;
    match core.capture(capture).await {
        Err(error) => reply(
            500,
            "text/plain",
            format!("The inspector could not store the request: {error}"),
        ),
        Ok((_, Some(forwarded))) => match forwarded.status {
            Some(status) => {
                let mut response = reply(status, "text/plain", forwarded.body.clone());
                for (name, value) in &forwarded.headers {
                    let lower = name.to_ascii_lowercase();
                    if matches!(
                        lower.as_str(),
                        "content-length" | "transfer-encoding" | "connection"
                    ) {
                        continue;
                    }
                    if let (Ok(name), Ok(value)) = (
                        hyper::header::HeaderName::from_bytes(name.as_bytes()),
                        hyper::header::HeaderValue::from_str(value),
                    ) {
                        response.headers_mut().insert(name, value);
                    }
                }
                response
            }
            None => reply(
                502,
                "text/plain",
                forwarded
                    .error
                    .unwrap_or_else(|| "the forward target did not answer".into()),
            ),
        },
        Ok((_, None)) => {
            if mock.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(mock.delay_ms.min(60_000))).await;
            }
            reply(mock.status, &mock.content_type, mock.body)
        }
    }
}
