//! The Inspector panel's operations, per [`InspectorScope`]: the local receiver, the listen
//! tunnel, forwarding and the mock response, the capture list and detail, replays and
//! exports. Captures live in `<environment>/inspector.sqlite` for a BotBat environment and
//! in `connections/<id>/inspector.sqlite` for a Botbiz or Botmaker connection, and survive
//! restarts: what reaches one connection's receiver is never listed in another's, nor in
//! Sandbox's or Production's.
//!
//! Captures are verified against every signing secret kept in the keychain (see
//! `webhooks.rs`) and the tunnel session's secret; the candidate list is cached in memory
//! and refreshed when secrets change, so verifying costs no keychain round trip.
//!
//! Credential headers are stored masked with a fingerprint under a key kept in the
//! keychain (one per environment). A replay looks for a secret this machine keeps with the
//! same fingerprint (the management keys, kept API keys, and the secrets captures are
//! verified against, a Botmaker token among them) and sends it in place of the mask; the
//! keychain is read only for a capture that has a masked header.
//!
//! The settings (port, forward target, mock, limits, retention) are kept in the
//! environment's `inspector.sqlite`, beside the captures they govern.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use botbat_api::ApiKey;
use botbat_api::ErrorCode;
use botbat_secrets::SecretId;
use botbat_webhooks::capture::{
    CaptureDetail, CaptureFilter, CapturePage, CaptureStore, CaptureSummary, ForwardResult,
    Retention,
};
use botbat_webhooks::credentials::{CredentialKey, CredentialStatus, KeptSecret, MaskedHeader};
use botbat_webhooks::forward::{parse_target, ForwardRoute};
use botbat_webhooks::inspector::{
    start_receiver, Behaviour, InspectorCore, MockResponse, ReceiverConfig, Replay,
    RunningReceiver, DEFAULT_BODY_LIMIT,
};
use botbat_webhooks::tunnel::{
    start_tunnel, TunnelConfig, TunnelHandle, TunnelState, TunnelStatus,
};
use botbat_webhooks::Candidate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::connections::connection_secret;
use crate::embedded::management_key_id;
use crate::keys::key_secret_id;
use crate::{CommandError, Console, ConsoleCode, Environment};

type Result<T> = std::result::Result<T, CommandError>;

/// Whose webhooks an inspector keeps: a BotBat environment's, or one saved connection's.
/// On the wire it is the environment's name (`sandbox`, `production`) or
/// `connection:<id>`, so the panels pass one string whichever target is active.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InspectorScope {
    Environment(Environment),
    Connection(String),
}

const CONNECTION_SCOPE: &str = "connection:";

impl InspectorScope {
    /// The name the scope's captures and exports carry.
    pub fn as_str(&self) -> String {
        match self {
            InspectorScope::Environment(environment) => environment.as_str().to_string(),
            InspectorScope::Connection(id) => format!("{CONNECTION_SCOPE}{id}"),
        }
    }

    /// The BotBat environment, for what only BotBat has (the tunnel, API keys).
    fn environment(&self) -> Option<Environment> {
        match self {
            InspectorScope::Environment(environment) => Some(*environment),
            InspectorScope::Connection(_) => None,
        }
    }
}

impl From<Environment> for InspectorScope {
    fn from(environment: Environment) -> Self {
        InspectorScope::Environment(environment)
    }
}

impl std::str::FromStr for InspectorScope {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        if let Some(id) = text.strip_prefix(CONNECTION_SCOPE) {
            return Ok(InspectorScope::Connection(id.to_string()));
        }
        Environment::ALL
            .into_iter()
            .find(|e| e.as_str() == text)
            .map(InspectorScope::Environment)
            .ok_or_else(|| {
                format!("{text:?} is not an inspector: use sandbox, production or connection:<id>")
            })
    }
}

impl Serialize for InspectorScope {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for InspectorScope {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Something the UI should hear about without asking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InspectorEvent {
    Capture {
        #[ts(type = "string")]
        scope: InspectorScope,
        capture: CaptureSummary,
    },
    Tunnel {
        #[ts(type = "string")]
        scope: InspectorScope,
        status: TunnelStatus,
    },
}

pub type InspectorNotifier = Arc<dyn Fn(InspectorEvent) + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InspectorSettings {
    /// The receiver's loopback port; 0 picks a free one.
    pub port: u16,
    /// Where captures are forwarded; `None` answers with the mock response.
    pub forward_target: Option<String>,
    pub mock: MockResponse,
    /// Bodies above this many MiB are answered 413.
    pub body_limit_mib: u32,
    /// How many captures, and how many days of them, `inspector.sqlite` keeps.
    #[serde(default)]
    pub retention: Retention,
}

impl Default for InspectorSettings {
    fn default() -> Self {
        Self {
            port: 4040,
            forward_target: None,
            mock: MockResponse::default(),
            body_limit_mib: (DEFAULT_BODY_LIMIT / (1024 * 1024)) as u32,
            retention: Retention::default(),
        }
    }
}

/// The most captures a user can ask to keep.
pub const MAX_KEPT_CAPTURES: u64 = 10_000_000;
/// The longest a user can ask to keep captures, in days.
pub const MAX_KEPT_DAYS: u32 = 3_650;
/// Each scope's store of captures and settings.
const INSPECTOR_FILE: &str = "inspector.sqlite";
/// The keychain entry of a scope's fingerprint key.
pub(crate) const CREDENTIAL_KEY: &str = "inspector-credential-key";
/// The meta key of the settings in `inspector.sqlite`.
const SETTINGS_KEY: &str = "inspector_settings";

/// How much `inspector.sqlite` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptureStorage {
    #[ts(type = "number")]
    pub captures: u64,
    /// The file with its write-ahead log, in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InspectorStatus {
    #[ts(type = "string")]
    pub scope: InspectorScope,
    /// `http://127.0.0.1:4040` while the receiver runs.
    pub receiver_url: Option<String>,
    pub tunnel: TunnelStatus,
    pub settings: InspectorSettings,
    pub storage: CaptureStorage,
    /// How many signing secrets captures are verified against.
    pub secrets_known: u32,
}

/// What a tunnel receives and how often the platform proves it is alive.
#[derive(Debug, Clone, PartialEq)]
pub struct TunnelOptions {
    /// Exact event types (or `*`); every type when `None`.
    pub types: Option<Vec<String>>,
    /// 1 to 60; the tunnel declares itself stale after about twice this long in silence.
    pub heartbeat_seconds: u32,
}

impl Default for TunnelOptions {
    fn default() -> Self {
        Self {
            types: None,
            heartbeat_seconds: 15,
        }
    }
}

/// How to replay a capture, as the UI asks for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplayInput {
    AsCaptured,
    Edited {
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Signed again now with the secret that matched the capture (or the endpoint's current
    /// one), optionally over an edited body.
    Resigned {
        body: Option<String>,
    },
}

struct Station {
    /// `inspector.sqlite`.
    path: std::path::PathBuf,
    core: Arc<InspectorCore>,
    candidates: Arc<RwLock<Vec<Candidate>>>,
    settings: Mutex<InspectorSettings>,
    receiver: tokio::sync::Mutex<Option<RunningReceiver>>,
    tunnel: tokio::sync::Mutex<Option<TunnelHandle>>,
    tunnel_status: Arc<Mutex<TunnelStatus>>,
}

/// The inspector of each environment and connection, opened on first use.
pub struct Inspectors {
    console: Arc<Console>,
    notify: InspectorNotifier,
    stations: tokio::sync::Mutex<HashMap<InspectorScope, Arc<Station>>>,
}

fn disconnected() -> TunnelStatus {
    TunnelStatus {
        state: TunnelState::Disconnected,
        last_event_id: None,
        events_received: 0,
        last_heartbeat: None,
    }
}

fn storage_error(error: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ConsoleCode::LocalStorage,
        format!("The inspector's store failed: {error}"),
    )
}

impl Inspectors {
    pub fn new(console: Arc<Console>, notify: InspectorNotifier) -> Self {
        Self {
            console,
            notify,
            stations: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    async fn station(&self, scope: impl Into<InspectorScope>) -> Result<Arc<Station>> {
        let scope = scope.into();
        let mut stations = self.stations.lock().await;
        if let Some(station) = stations.get(&scope) {
            return Ok(station.clone());
        }
        let path = match &scope {
            InspectorScope::Environment(environment) => {
                self.console.local_file(*environment, INSPECTOR_FILE)?
            }
            InspectorScope::Connection(id) => {
                // Fail closed: only a saved connection has an inspector.
                if let Some(connections) = self.console.connections() {
                    connections.get(id)?;
                }
                self.console.connection_file(id, INSPECTOR_FILE)?
            }
        };
        let key = self.credential_key(scope.clone()).await;
        let store = CaptureStore::open_with_key(&path, key)
            .await
            .map_err(storage_error)?;
        let settings = load_settings(&store).await;
        store
            .set_retention(settings.retention)
            .await
            .map_err(storage_error)?;
        let candidates = Arc::new(RwLock::new(self.candidates(&scope).await));
        let source = candidates.clone();
        let notify = self.notify.clone();
        let core = Arc::new(InspectorCore::new(
            store,
            scope.as_str(),
            Arc::new(move || source.read().unwrap_or_else(|p| p.into_inner()).clone()),
            {
                let scope = scope.clone();
                Arc::new(move |capture| {
                    notify(InspectorEvent::Capture {
                        scope: scope.clone(),
                        capture,
                    })
                })
            },
        ));
        core.set_behaviour(Behaviour {
            forward_target: settings
                .forward_target
                .as_deref()
                .and_then(|t| parse_target(t).ok()),
            mock: settings.mock.clone(),
            routes: Vec::new(),
        });
        let station = Arc::new(Station {
            path,
            core,
            candidates,
            settings: Mutex::new(settings),
            receiver: tokio::sync::Mutex::new(None),
            tunnel: tokio::sync::Mutex::new(None),
            tunnel_status: Arc::new(Mutex::new(disconnected())),
        });
        stations.insert(scope, station.clone());
        Ok(station)
    }

    /// The secrets a scope's captures are verified against: an environment's signing
    /// secrets (with the other environment's and the connections', so a misdirected
    /// delivery is named), or only the connection's own secret and tokens.
    async fn candidates(&self, scope: &InspectorScope) -> Vec<Candidate> {
        match scope {
            InspectorScope::Environment(environment) => {
                self.console.webhook_candidates(*environment).await
            }
            InspectorScope::Connection(id) => {
                self.console.connection_webhook_candidates(Some(id)).await
            }
        }
    }

    /// The scope's fingerprint key from the keychain, made on first use. Without a
    /// keychain it lasts for this run: captures stay masked, and only this run's replays
    /// recognise their credentials.
    async fn credential_key(&self, scope: impl Into<InspectorScope>) -> CredentialKey {
        let scope = scope.into();
        let id = match &scope {
            InspectorScope::Environment(environment) => {
                SecretId::new(environment.as_str(), CREDENTIAL_KEY)
            }
            InspectorScope::Connection(id) => connection_secret(id, CREDENTIAL_KEY),
        };
        // Read, and mint when missing, in one keychain call so two openings cannot race.
        let kept = self
            .console
            .secrets
            .run(move |store| {
                if let Some(kept) = store.get(&id)? {
                    if let Some(key) = CredentialKey::from_hex(kept.expose()) {
                        return Ok(key);
                    }
                }
                let key = CredentialKey::random();
                store.set(&id, &key.to_hex())?;
                Ok(key)
            })
            .await;
        kept.unwrap_or_else(|error| {
            tracing::warn!(%error, "no keychain for the inspector's credential key; it lasts for this run");
            CredentialKey::random()
        })
    }

    /// Re-reads the kept signing secrets (after one is kept, rotated or deleted).
    pub async fn refresh_secrets(&self, scope: impl Into<InspectorScope>) -> Result<()> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let candidates = self.candidates(&scope).await;
        *station
            .candidates
            .write()
            .unwrap_or_else(|p| p.into_inner()) = candidates;
        Ok(())
    }

    /// Re-reads the kept secrets of every inspector opened so far (after a connection's
    /// webhook secret or token changed: those count in every environment).
    pub async fn refresh_all_secrets(&self) -> Result<()> {
        let open: Vec<InspectorScope> = self.stations.lock().await.keys().cloned().collect();
        for scope in open {
            self.refresh_secrets(scope).await?;
        }
        Ok(())
    }

    pub async fn status(&self, scope: impl Into<InspectorScope>) -> Result<InspectorStatus> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let receiver_url = station
            .receiver
            .lock()
            .await
            .as_ref()
            .map(|r| format!("http://{}", r.addr));
        let tunnel = station
            .tunnel_status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let settings = station
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(InspectorStatus {
            scope,
            receiver_url,
            tunnel,
            settings,
            storage: storage_of(&station),
            secrets_known: station.core.all_candidates().len() as u32,
        })
    }

    /// How many captures `inspector.sqlite` holds and its size on disk.
    pub async fn storage(&self, scope: impl Into<InspectorScope>) -> Result<CaptureStorage> {
        let scope = scope.into();
        Ok(storage_of(&*self.station(scope.clone()).await?))
    }

    pub async fn update_settings(
        &self,
        scope: impl Into<InspectorScope>,
        settings: InspectorSettings,
    ) -> Result<InspectorStatus> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let target = match settings
            .forward_target
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(raw) => Some(
                parse_target(raw)
                    .map_err(|issue| CommandError::invalid_input("forward_target", issue))?,
            ),
        };
        if !(100..=599).contains(&settings.mock.status) {
            return Err(CommandError::invalid_input(
                "mock.status",
                "must be an HTTP status from 100 to 599",
            ));
        }
        if settings.mock.delay_ms > 60_000 {
            return Err(CommandError::invalid_input(
                "mock.delay_ms",
                "must be at most 60000 ms",
            ));
        }
        if !(1..=100).contains(&settings.body_limit_mib) {
            return Err(CommandError::invalid_input(
                "body_limit_mib",
                "must be 1 to 100 MiB",
            ));
        }
        if !(1..=MAX_KEPT_CAPTURES).contains(&settings.retention.max_captures) {
            return Err(CommandError::invalid_input(
                "retention.max_captures",
                format!("must be 1 to {MAX_KEPT_CAPTURES} captures"),
            ));
        }
        if !(1..=MAX_KEPT_DAYS).contains(&settings.retention.max_age_days) {
            return Err(CommandError::invalid_input(
                "retention.max_age_days",
                format!("must be 1 to {MAX_KEPT_DAYS} days"),
            ));
        }
        let settings = InspectorSettings {
            forward_target: target.as_ref().map(|t| t.to_string()),
            ..settings
        };
        let json = serde_json::to_string(&settings).map_err(storage_error)?;
        station
            .core
            .store
            .set_meta(SETTINGS_KEY, &json)
            .await
            .map_err(storage_error)?;
        station.core.set_behaviour(Behaviour {
            forward_target: target,
            mock: settings.mock.clone(),
            routes: station.core.behaviour().routes,
        });
        station
            .core
            .store
            .set_retention(settings.retention)
            .await
            .map_err(storage_error)?;
        *station.settings.lock().unwrap_or_else(|p| p.into_inner()) = settings;
        self.status(scope.clone()).await
    }

    pub async fn start_receiver(
        &self,
        scope: impl Into<InspectorScope>,
    ) -> Result<InspectorStatus> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        {
            let mut receiver = station.receiver.lock().await;
            if receiver.is_none() {
                let settings = station
                    .settings
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone();
                let addr = SocketAddr::from(([127, 0, 0, 1], settings.port));
                let mut config = ReceiverConfig::new(addr);
                config.body_limit = settings.body_limit_mib as usize * 1024 * 1024;
                let running = start_receiver(station.core.clone(), config)
                    .await
                    .map_err(|e| {
                        CommandError::invalid_input(
                            "port",
                            format!("cannot listen on 127.0.0.1:{}: {e}. Pick another port, or 0 for any free one.", settings.port),
                        )
                    })?;
                *receiver = Some(running);
            }
        }
        self.status(scope.clone()).await
    }

    pub async fn stop_receiver(&self, scope: impl Into<InspectorScope>) -> Result<InspectorStatus> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        if let Some(running) = station.receiver.lock().await.take() {
            running.stop().await;
        }
        self.status(scope.clone()).await
    }

    pub async fn connect_tunnel(
        &self,
        scope: impl Into<InspectorScope>,
    ) -> Result<InspectorStatus> {
        let scope = scope.into();
        self.connect_tunnel_with(scope.clone(), TunnelOptions::default())
            .await
    }

    /// Sends events whose type matches a route's pattern to that route's target, before
    /// the forward target of the settings (`botbat listen --forward TYPE_GLOB=URL`).
    pub async fn set_routes(
        &self,
        scope: impl Into<InspectorScope>,
        routes: Vec<ForwardRoute>,
    ) -> Result<()> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let mut behaviour = station.core.behaviour();
        behaviour.routes = routes;
        station.core.set_behaviour(behaviour);
        Ok(())
    }

    /// The secret the platform signs this tunnel session's events with, once connected:
    /// the local server verifies forwarded events with it.
    pub async fn tunnel_secret(&self, scope: impl Into<InspectorScope>) -> Result<Option<String>> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let secret = station
            .core
            .tunnel_secret
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(secret)
    }

    /// [`Inspectors::connect_tunnel`] receiving only some event types, with its own
    /// heartbeat interval.
    pub async fn connect_tunnel_with(
        &self,
        scope: impl Into<InspectorScope>,
        options: TunnelOptions,
    ) -> Result<InspectorStatus> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let Some(environment) = scope.environment() else {
            return Err(CommandError::invalid_input(
                "tunnel",
                "the tunnel is BotBat's: for a Botbiz or Botmaker connection, start the receiver and set its URL as the webhook's URL",
            ));
        };
        let key = self.console.management_key(environment).await?;
        let base_url = self.console.request_base_url(environment).await?;
        let mut tunnel = station.tunnel.lock().await;
        if tunnel.is_none() {
            let status = station.tunnel_status.clone();
            let notify = self.notify.clone();
            let scope = scope.clone();
            *tunnel = Some(start_tunnel(
                station.core.clone(),
                TunnelConfig {
                    base_url,
                    key: key.expose().clone(),
                    types: options.types,
                    heartbeat_seconds: options.heartbeat_seconds,
                },
                Arc::new(move |s: TunnelStatus| {
                    *status.lock().unwrap_or_else(|p| p.into_inner()) = s.clone();
                    notify(InspectorEvent::Tunnel {
                        scope: scope.clone(),
                        status: s,
                    });
                }),
            ));
        }
        drop(tunnel);
        self.status(scope.clone()).await
    }

    pub async fn disconnect_tunnel(
        &self,
        scope: impl Into<InspectorScope>,
    ) -> Result<InspectorStatus> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        if let Some(handle) = station.tunnel.lock().await.take() {
            handle.stop().await;
        }
        self.status(scope.clone()).await
    }

    pub async fn list_captures(
        &self,
        scope: impl Into<InspectorScope>,
        filter: CaptureFilter,
        offset: u64,
        limit: u32,
    ) -> Result<CapturePage> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        station
            .core
            .store
            .list(&filter, offset, limit.clamp(1, 500))
            .await
            .map_err(storage_error)
    }

    /// The captures of one event, by `webhook-id` or the body's event id.
    pub async fn captures_of_event(
        &self,
        scope: impl Into<InspectorScope>,
        event_id: &str,
    ) -> Result<Vec<CaptureSummary>> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        station
            .core
            .store
            .with_event_id(event_id)
            .await
            .map_err(storage_error)
    }

    pub async fn get_capture(
        &self,
        scope: impl Into<InspectorScope>,
        id: i64,
    ) -> Result<CaptureDetail> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        station
            .core
            .store
            .get(id)
            .await
            .map_err(storage_error)?
            .ok_or_else(|| CommandError::new(ErrorCode::NotFound, format!("No capture {id}.")))
    }

    /// The secrets this machine keeps that a masked header of a capture may stand for: the
    /// secrets captures are verified against (a Botmaker token among them) and, for a
    /// BotBat environment, both environments' management keys and a kept API key whose
    /// mask is the header's (listed from the platform, only then).
    async fn kept_secrets(
        &self,
        scope: &InspectorScope,
        masked: &[MaskedHeader],
    ) -> Vec<KeptSecret> {
        if masked.is_empty() {
            return Vec::new();
        }
        let mut kept: Vec<KeptSecret> = self
            .candidates(scope)
            .await
            .into_iter()
            .map(|candidate| {
                KeptSecret::new(
                    format!("the signing secret of {}", candidate.label),
                    candidate.secret,
                )
            })
            .collect();
        let Some(environment) = scope.environment() else {
            return kept;
        };
        let secrets = &self.console.secrets;
        for env in Environment::ALL {
            if let Ok(Some(key)) = secrets.get(management_key_id(env)).await {
                kept.push(KeptSecret::new(
                    format!("the {} management key", env.label()),
                    key.expose().clone(),
                ));
            }
        }
        let prefix = environment.key_prefix();
        let wanted: Vec<String> = masked
            .iter()
            .map(|m| m.masked[m.prefix.len().min(m.masked.len())..].to_string())
            .filter(|credential| credential.starts_with(prefix))
            .collect();
        if !wanted.is_empty() {
            if let Ok(keys) = self.listed_keys(environment).await {
                for key in keys.iter().filter(|k| wanted.contains(&k.masked)) {
                    if let Ok(Some(secret)) = secrets.get(key_secret_id(environment, &key.id)).await
                    {
                        kept.push(KeptSecret::new(
                            format!("API key “{}” ({})", key.name, key.id),
                            secret.expose().clone(),
                        ));
                    }
                }
            }
        }
        kept
    }

    async fn listed_keys(&self, environment: Environment) -> Result<Vec<ApiKey>> {
        use futures::TryStreamExt;
        Ok(self
            .console
            .client(environment)
            .await?
            .paginate("/api_keys", vec![("limit", "100".to_string())])
            .try_collect()
            .await?)
    }

    /// What a replay of capture `id` sends for each masked header: the secret this machine
    /// keeps, or the mask.
    pub async fn capture_credentials(
        &self,
        scope: impl Into<InspectorScope>,
        id: i64,
    ) -> Result<Vec<CredentialStatus>> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let detail = self.get_capture(scope.clone(), id).await?;
        let kept = self.kept_secrets(&scope, &detail.masked).await;
        station
            .core
            .credentials(id, &kept)
            .await
            .map_err(replay_error)
    }

    pub async fn replay_capture(
        &self,
        scope: impl Into<InspectorScope>,
        id: i64,
        input: ReplayInput,
    ) -> Result<ForwardResult> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let detail = self.get_capture(scope.clone(), id).await?;
        let kept = self.kept_secrets(&scope, &detail.masked).await;
        let replay = match input {
            ReplayInput::AsCaptured => Replay::AsCaptured,
            ReplayInput::Edited { headers, body } => Replay::Edited { headers, body },
            ReplayInput::Resigned { body } => {
                let matched = detail.verdict.as_ref().and_then(|v| v.matched.clone());
                let candidates = station.core.all_candidates();
                let secret = candidates
                    .iter()
                    .find(|c| Some(&c.label) == matched.as_ref())
                    .or_else(|| {
                        candidates
                            .iter()
                            .find(|c| match scope.environment() {
                                Some(environment) => {
                                    c.environment.as_deref() == Some(environment.as_str())
                                }
                                // A connection's inspector knows only its own secrets.
                                None => true,
                            })
                    })
                    .map(|c| c.secret.clone())
                    .ok_or_else(|| {
                        CommandError::new(
                            ConsoleCode::NoSecret,
                            "No signing secret to sign with: keep an endpoint's secret in the keychain (Webhooks panel), or capture through the tunnel.",
                        )
                    })?;
                Replay::Resigned { secret, body }
            }
        };
        station
            .core
            .replay(id, replay, &kept)
            .await
            .map_err(replay_error)
    }

    pub async fn delete_captures(
        &self,
        scope: impl Into<InspectorScope>,
        ids: Vec<i64>,
    ) -> Result<u64> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        station.core.store.delete(&ids).await.map_err(storage_error)
    }

    pub async fn clear_captures(&self, scope: impl Into<InspectorScope>) -> Result<u64> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        station.core.store.clear().await.map_err(storage_error)
    }

    /// A cURL command that sends the capture to the forward target (or the receiver).
    pub async fn capture_curl(&self, scope: impl Into<InspectorScope>, id: i64) -> Result<String> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let detail = self.get_capture(scope.clone(), id).await?;
        let settings = station
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let url = match settings
            .forward_target
            .as_deref()
            .and_then(|t| parse_target(t).ok())
        {
            Some(target) => botbat_webhooks::forward::target_url(&target, &detail.summary.path),
            None => format!("http://127.0.0.1:{}{}", settings.port, detail.summary.path),
        };
        Ok(botbat_webhooks::export::curl(&detail, &url))
    }

    /// Writes the captures as a HAR file in `dir` and returns its path.
    pub async fn export_har(
        &self,
        scope: impl Into<InspectorScope>,
        ids: Vec<i64>,
        dir: &std::path::Path,
    ) -> Result<String> {
        let scope = scope.into();
        let station = self.station(scope.clone()).await?;
        let details = station
            .core
            .store
            .details(&ids)
            .await
            .map_err(storage_error)?;
        if details.is_empty() {
            return Err(CommandError::invalid_input(
                "ids",
                "choose at least one capture",
            ));
        }
        let port = station
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .port;
        let path = botbat_webhooks::export::write_har(
            dir,
            &scope.as_str().replace(':', "-"),
            &details,
            &format!("http://127.0.0.1:{port}"),
        )
        .map_err(|e| {
            CommandError::new(
                ConsoleCode::LocalStorage,
                format!("Could not write the HAR file in {}: {e}", dir.display()),
            )
        })?;
        Ok(path.display().to_string())
    }

    /// Stops every receiver and tunnel (on exit).
    pub async fn shutdown(&self) {
        let stations: Vec<Arc<Station>> = self.stations.lock().await.values().cloned().collect();
        for station in stations {
            if let Some(r) = station.receiver.lock().await.take() {
                r.stop().await;
            }
            if let Some(t) = station.tunnel.lock().await.take() {
                t.stop().await;
            }
        }
    }
}

fn replay_error(error: botbat_webhooks::inspector::ReplayError) -> CommandError {
    use botbat_webhooks::inspector::ReplayError;
    match error {
        ReplayError::NoTarget => CommandError::invalid_input("forward_target", error.to_string()),
        ReplayError::NotFound(_) => CommandError::new(ErrorCode::NotFound, error.to_string()),
        other => storage_error(other),
    }
}

/// The settings kept in the store, or the defaults when there are none (or they no longer
/// read, which the log says).
async fn load_settings(store: &CaptureStore) -> InspectorSettings {
    match store.get_meta(SETTINGS_KEY).await {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_else(|error| {
            tracing::warn!(%error, "the inspector's saved settings do not read; using the defaults");
            InspectorSettings::default()
        }),
        Ok(None) => InspectorSettings::default(),
        Err(error) => {
            tracing::warn!(%error, "the inspector's saved settings could not be read; using the defaults");
            InspectorSettings::default()
        }
    }
}

fn storage_of(station: &Station) -> CaptureStorage {
    let size = |path: &std::path::Path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut wal = station.path.clone().into_os_string();
    wal.push("-wal");
    CaptureStorage {
        captures: station.core.store.stored(),
        bytes: size(&station.path) + size(std::path::Path::new(&wal)),
    }
}
