//! The tunnel's client: a WebSocket to the platform's `GET /v1/webhooks/listen` that
//! captures every event, forwards it, acks it, and never silently goes stale.
//!
//! The last acked event id is kept in the capture store, so a reconnect (after a network
//! drop, a laptop sleeping or a restart of the console) resumes exactly after it. Events
//! are deduplicated by id on capture, so an event that was captured but not yet acked when
//! the connection fell is not captured twice. If no frame arrives for twice the heartbeat
//! interval the connection is declared stale, dropped and re-made, with backoff.

use std::sync::Arc;
use std::time::Duration;

use botbat_api::{ListenFrame, ListenReply};
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use ts_rs::TS;

use crate::capture::{CaptureSource, NewCapture};
use crate::inspector::InspectorCore;

/// The store key of the last event acked to the platform.
pub const LAST_ACKED: &str = "tunnel_last_acked_event";

/// Where the tunnel is, for the always-visible status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TunnelState {
    Disconnected,
    Connecting {
        attempt: u32,
    },
    Connected {
        since: DateTime<Utc>,
        last_heartbeat: Option<DateTime<Utc>>,
        resumed_after: Option<String>,
    },
    /// Connection lost; the next try is at `retry_at`.
    Reconnecting {
        attempt: u32,
        retry_at: DateTime<Utc>,
        error: String,
    },
    /// No frame (event or heartbeat) since `since`: the connection is being re-made.
    Stale {
        since: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TunnelStatus {
    pub state: TunnelState,
    pub last_event_id: Option<String>,
    /// Events received in this console session.
    #[ts(type = "number")]
    pub events_received: u64,
    pub last_heartbeat: Option<DateTime<Utc>>,
}

pub type StatusListener = Arc<dyn Fn(TunnelStatus) + Send + Sync>;

#[derive(Clone)]
pub struct TunnelConfig {
    /// The environment's API base, e.g. `http://127.0.0.1:8787/v1`.
    pub base_url: String,
    pub key: String,
    /// Event types to receive; all when `None`.
    pub types: Option<Vec<String>>,
    pub heartbeat_seconds: u32,
}

/// A running tunnel; dropping the handle does not stop it, [`TunnelHandle::stop`] does.
pub struct TunnelHandle {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl TunnelHandle {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

struct Status {
    current: TunnelStatus,
    listener: StatusListener,
}

impl Status {
    fn set(&mut self, state: TunnelState) {
        self.current.state = state;
        (self.listener)(self.current.clone());
    }
}

pub fn start_tunnel(
    core: Arc<InspectorCore>,
    config: TunnelConfig,
    listener: StatusListener,
) -> TunnelHandle {
    let (stop, mut stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let mut status = Status {
            current: TunnelStatus {
                state: TunnelState::Disconnected,
                last_event_id: None,
                events_received: 0,
                last_heartbeat: None,
            },
            listener,
        };
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            status.set(TunnelState::Connecting { attempt });
            let outcome = tokio::select! {
                _ = &mut stopped => break,
                outcome = session(&core, &config, &mut status) => outcome,
            };
            let error = match outcome {
                Session::Ended { connected, error } => {
                    if connected {
                        attempt = 1;
                    }
                    error
                }
            };
            let wait = backoff(attempt);
            let retry_at = Utc::now()
                + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::zero());
            if !matches!(status.current.state, TunnelState::Stale { .. }) {
                status.set(TunnelState::Reconnecting {
                    attempt,
                    retry_at,
                    error,
                });
            }
            tokio::select! {
                _ = &mut stopped => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
        status.set(TunnelState::Disconnected);
    });
    TunnelHandle {
        stop: Some(stop),
        task,
    }
}

/// 0.5 s doubling to 30 s, with up to 25 % jitter so a fleet of consoles does not
/// reconnect in lockstep.
fn backoff(attempt: u32) -> Duration {
    let base = 500u64
        .saturating_mul(1 << attempt.saturating_sub(1).min(6))
        .min(30_000);
    let jitter = rand::rng().random_range(0..=base / 4);
    Duration::from_millis(base + jitter)
}

enum Session {
    Ended { connected: bool, error: String },
}

fn listen_url(config: &TunnelConfig, after: Option<&str>) -> String {
    let base = config
        .base_url
        .trim_end_matches('/')
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    let mut url = format!(
        "{base}/webhooks/listen?heartbeat_seconds={}",
        config.heartbeat_seconds
    );
    if let Some(after) = after {
        url.push_str(&format!("&after={after}"));
    }
    if let Some(types) = &config.types {
        url.push_str(&format!("&types={}", types.join(",")));
    }
    url
}

async fn session(core: &InspectorCore, config: &TunnelConfig, status: &mut Status) -> Session {
    let ended = |connected: bool, error: String| Session::Ended { connected, error };
    let after = core.store.get_meta(LAST_ACKED).await.ok().flatten();
    let mut request = match listen_url(config, after.as_deref()).into_client_request() {
        Ok(request) => request,
        Err(error) => return ended(false, format!("bad listen URL: {error}")),
    };
    match format!("Bearer {}", config.key).parse() {
        Ok(value) => {
            request.headers_mut().insert("authorization", value);
        }
        Err(_) => return ended(false, "the key cannot be sent as a header".into()),
    }
    let socket = match tokio::time::timeout(
        Duration::from_secs(15),
        tokio_tungstenite::connect_async(request),
    )
    .await
    {
        Err(_) => return ended(false, "no answer within 15 s".into()),
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
            let body = response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or(body);
            if response.status().as_u16() == 404 && after.is_some() {
                // The platform no longer knows the resume point (a reset sandbox): start
                // from now rather than retrying forever.
                let _ = core.store.set_meta(LAST_ACKED, "").await;
            }
            return ended(
                false,
                format!(
                    "the platform refused the tunnel ({}): {message}",
                    response.status()
                ),
            );
        }
        Ok(Err(error)) => return ended(false, format!("cannot connect: {error}")),
        Ok(Ok((socket, _))) => socket,
    };
    let (mut sink, mut stream) = socket.split();
    let silence = Duration::from_secs(u64::from(config.heartbeat_seconds.max(1)) * 2 + 2);
    let mut connected = false;
    let mut last_frame = Utc::now();
    loop {
        let next = match tokio::time::timeout(silence, stream.next()).await {
            Err(_) => {
                status.set(TunnelState::Stale { since: last_frame });
                return ended(connected, "no heartbeat: the connection went stale".into());
            }
            Ok(next) => next,
        };
        let text = match next {
            None => return ended(connected, "the platform closed the connection".into()),
            Some(Err(error)) => return ended(connected, format!("connection lost: {error}")),
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) => {
                return ended(connected, "the platform closed the connection".into())
            }
            Some(Ok(_)) => continue,
        };
        last_frame = Utc::now();
        let Ok(frame) = serde_json::from_str::<ListenFrame>(&text) else {
            continue;
        };
        match frame {
            ListenFrame::Ready {
                signing_secret,
                resumed_after,
                ..
            } => {
                *core
                    .tunnel_secret
                    .write()
                    .unwrap_or_else(|p| p.into_inner()) = Some(signing_secret);
                connected = true;
                status.set(TunnelState::Connected {
                    since: Utc::now(),
                    last_heartbeat: None,
                    resumed_after,
                });
            }
            ListenFrame::Heartbeat { at, .. } => {
                status.current.last_heartbeat = Some(at);
                if let TunnelState::Connected {
                    since,
                    resumed_after,
                    ..
                } = status.current.state.clone()
                {
                    status.set(TunnelState::Connected {
                        since,
                        last_heartbeat: Some(at),
                        resumed_after,
                    });
                }
            }
            ListenFrame::Event {
                event_id,
                event_type,
                headers,
                body,
            } => {
                let (forward_status, error) =
                    match receive(core, &event_id, &event_type, headers, body).await {
                        Ok(result) => result,
                        Err(error) => {
                            return ended(connected, format!("cannot store an event: {error}"))
                        }
                    };
                if core.store.set_meta(LAST_ACKED, &event_id).await.is_err() {
                    return ended(connected, "cannot record the last acked event".into());
                }
                status.current.events_received += 1;
                status.current.last_event_id = Some(event_id.clone());
                (status.listener)(status.current.clone());
                let ack = ListenReply::Ack {
                    event_id,
                    status: forward_status,
                    error,
                };
                let text = serde_json::to_string(&ack).unwrap_or_default();
                if sink.send(Message::Text(text.into())).await.is_err() {
                    return ended(connected, "connection lost while acking".into());
                }
            }
        }
    }
}

/// Captures one tunnel event (once) and forwards it; returns what to ack.
async fn receive(
    core: &InspectorCore,
    event_id: &str,
    event_type: &str,
    headers: std::collections::BTreeMap<String, String>,
    body: String,
) -> Result<(Option<u16>, Option<String>), crate::capture::CaptureError> {
    if core.store.has_event(event_id).await? {
        return Ok((None, Some("already captured".into())));
    }
    let headers: Vec<(String, String)> = headers.into_iter().collect();
    let capture = NewCapture {
        source: CaptureSource::Tunnel,
        received_at: Utc::now(),
        method: "POST".into(),
        path: "/".into(),
        headers,
        body_size: body.len() as u64,
        body: body.into_bytes(),
        response_status: None,
        event_id: Some(event_id.to_string()),
        event_type: Some(event_type.to_string()),
        verdict: None,
        note: None,
    };
    let (_, forwarded) = core.capture(capture).await?;
    Ok(match forwarded {
        Some(result) => (result.status, result.error),
        None => (None, None),
    })
}
