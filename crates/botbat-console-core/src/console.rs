//! The console's state and operations, one method per command.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use botbat_api::client::parse_base_url;
use botbat_api::{ApiKey, Client, ClientConfig, ErrorCode, KeyStatus, Webhook};
use botbat_secrets::{mask_secret, AsyncSecrets, SecretStore, Sensitive};
use chrono::Utc;
use futures::TryStreamExt;
use url::{Host, Url};

use crate::embedded::management_key_id;
use crate::{
    AppStatus, CommandError, ConnectionReport, ConsoleCode, DashboardSummary, Environment,
    EnvironmentInfo, KeyLocation, KeyPresence, KeychainState, Preferences, PreferencesStore,
    SandboxState, SettingsInput, DEFAULT_PRODUCTION_BASE_URL,
};

type Result<T> = std::result::Result<T, CommandError>;

pub struct Console {
    preferences: RwLock<Preferences>,
    store: Box<dyn PreferencesStore>,
    /// Every keychain call goes through here, off the async workers.
    pub(crate) secrets: AsyncSecrets,
    /// Held while an index of kept secrets is read, changed and written back, so two
    /// changes at once cannot lose one another.
    pub(crate) kept_index: tokio::sync::Mutex<()>,
    keychain: KeychainState,
    /// The embedded sandbox's state; requests for it wait on changes while it starts (see
    /// [`Console::sandbox_settled`]).
    sandbox: tokio::sync::watch::Sender<SandboxState>,
    version: String,
    timeout: Duration,
    /// Secrets just issued, until the user says whether to keep them in the keychain. They
    /// never leave memory otherwise.
    pub(crate) issued: Mutex<HashMap<String, (Environment, Sensitive<String>)>>,
    /// Where the per-environment local databases live (usage cache, Try It history,
    /// inspector captures): `<data_dir>/<environment>/<file>`.
    data_dir: Option<PathBuf>,
    /// One connection pool for every platform client the console makes (one per command):
    /// TLS roots load once, and polls reuse warm connections.
    transport: crate::transport::LazyTransport,
    /// The Botbiz and Botmaker connections: see [`Console::connections`].
    connections: std::sync::OnceLock<Arc<crate::connections::Connections>>,
    /// One pacer per environment for the console's own calls with its management key, so
    /// panels, polls and the usage sync together never burst past the key's limit.
    pacers: [Arc<botbat_api::Pacer>; 2],
    /// Sent instead of [`botbat_api::CONSOLE_USER_AGENT`]: see [`Console::with_user_agent`].
    user_agent: Option<String>,
    /// Management keys read from the keychain, and when. A keychain read is a D-Bus round
    /// trip with a key exchange, and the dashboard and status polls need the key every few
    /// seconds. A key is kept for [`KEYCHAIN_CACHE_TTL`]; the console's own changes replace
    /// it at once, a restarted sandbox and a 401 from the connection test drop it.
    management_keys: Mutex<HashMap<Environment, (Sensitive<String>, Instant)>>,
}

/// How long a secret read from the keychain is used before it is read again, so a key
/// changed outside the console is picked up within this time.
pub(crate) const KEYCHAIN_CACHE_TTL: Duration = Duration::from_secs(300);

/// How long a request for the Sandbox waits for the embedded sandbox to start: long enough
/// for a first run's start (its database created, its key stored), after which the request
/// says the sandbox has not started and Settings shows its state.
pub const SANDBOX_START_WAIT: Duration = Duration::from_secs(30);

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(|p| p.into_inner()).clone()
}

impl Console {
    pub fn new(
        store: Box<dyn PreferencesStore>,
        secrets: Arc<dyn SecretStore>,
        keychain: KeychainState,
        version: impl Into<String>,
    ) -> Self {
        let preferences = store.load().unwrap_or_default();
        Self {
            preferences: RwLock::new(preferences),
            store,
            secrets: AsyncSecrets::new(secrets),
            kept_index: tokio::sync::Mutex::new(()),
            keychain,
            sandbox: tokio::sync::watch::Sender::new(SandboxState {
                running: false,
                base_url: None,
                data_dir: None,
                error: None,
            }),
            version: version.into(),
            timeout: Duration::from_secs(15),
            issued: Mutex::new(HashMap::new()),
            data_dir: None,
            transport: Default::default(),
            connections: std::sync::OnceLock::new(),
            user_agent: None,
            pacers: [
                Arc::new(botbat_api::Pacer::for_console()),
                Arc::new(botbat_api::Pacer::for_console()),
            ],
            management_keys: Mutex::new(HashMap::new()),
        }
    }

    /// Gives the console a directory for its local databases (the app data dir).
    pub fn with_data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The connections to Botbiz and Botmaker kept in the data dir, with this console's
    /// keychain and transport; `None` without a data dir. There is one per console, so
    /// every change to the list or to a connection's secrets is serialised in one place.
    pub fn connections(&self) -> Option<Arc<crate::connections::Connections>> {
        let dir = self.data_dir.as_deref()?;
        let made = self.connections.get_or_init(|| {
            let connections = crate::connections::Connections::new(dir, self.secrets.clone());
            Arc::new(match self.transport() {
                Ok(http) => connections.with_transport(http),
                Err(_) => connections,
            })
        });
        Some(made.clone())
    }

    /// `<data_dir>/<environment>/<file>`, creating the environment's directory. Each
    /// environment has its own files, so nothing cached from one can show in the other.
    pub fn local_file(&self, environment: Environment, file: &str) -> Result<PathBuf> {
        self.file_under(Path::new(environment.as_str()), file)
    }

    /// `<data_dir>/connections/<id>/<file>`: a saved connection's own files, apart from
    /// every environment's and every other connection's.
    pub fn connection_file(&self, connection_id: &str, file: &str) -> Result<PathBuf> {
        let plain = !connection_id.is_empty()
            && connection_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !plain {
            return Err(CommandError::invalid_input(
                "connection_id",
                format!("{connection_id:?} is not a connection id (conn_…)"),
            ));
        }
        self.file_under(&Path::new("connections").join(connection_id), file)
    }

    fn file_under(&self, relative: &Path, file: &str) -> Result<PathBuf> {
        let dir = self
            .data_dir
            .as_ref()
            .ok_or_else(|| {
                CommandError::new(
                    ConsoleCode::LocalStorage,
                    "the console has no data directory",
                )
            })?
            .join(relative);
        std::fs::create_dir_all(&dir).map_err(|e| {
            CommandError::new(
                ConsoleCode::LocalStorage,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        Ok(dir.join(file))
    }

    /// The `User-Agent` of every platform call, for a program that calls the platform for
    /// its user (the CLI): its requests are then not taken for the console's own.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// How long one request may take; the connection test and dashboard use it.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn set_sandbox_state(&self, state: SandboxState) {
        self.sandbox.send_replace(state);
        // A sandbox that (re)started may have stored a new key.
        self.forget_management_key(Environment::Sandbox);
    }

    fn cached_keys(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<Environment, (Sensitive<String>, Instant)>> {
        self.management_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The next use of `environment`'s management key reads it from the keychain again.
    pub fn forget_management_key(&self, environment: Environment) {
        self.cached_keys().remove(&environment);
    }

    /// The stored management key, from memory when it was read less than
    /// [`KEYCHAIN_CACHE_TTL`] ago.
    async fn stored_management_key(
        &self,
        environment: Environment,
    ) -> Result<Option<Sensitive<String>>> {
        if let Some((key, read_at)) = self.cached_keys().get(&environment) {
            if read_at.elapsed() < KEYCHAIN_CACHE_TTL {
                return Ok(Some(key.clone()));
            }
        }
        let key = self.secrets.get(management_key_id(environment)).await?;
        match &key {
            Some(key) => {
                self.cached_keys()
                    .insert(environment, (key.clone(), Instant::now()));
            }
            None => self.forget_management_key(environment),
        }
        Ok(key)
    }

    pub fn preferences(&self) -> Preferences {
        read(&self.preferences)
    }

    fn update_preferences(&self, change: impl FnOnce(&mut Preferences)) -> Result<Preferences> {
        let mut guard = self.preferences.write().unwrap_or_else(|p| p.into_inner());
        let mut next = guard.clone();
        change(&mut next);
        self.store.save(&next).map_err(|e| {
            CommandError::new(
                ConsoleCode::PreferencesNotSaved,
                format!("Could not save preferences: {e}"),
            )
        })?;
        *guard = next.clone();
        Ok(next)
    }

    /// The base URL requests of `environment` go to, or an empty string when the embedded
    /// sandbox has not started.
    pub fn base_url(&self, environment: Environment) -> String {
        let preferences = self.preferences();
        match environment {
            Environment::Sandbox => preferences
                .sandbox_base_url_override
                .or_else(|| self.sandbox.borrow().base_url.clone())
                .unwrap_or_default(),
            Environment::Production => preferences.production_base_url,
        }
    }

    /// Returns once a request for `environment` can be addressed: at once for Production,
    /// for a Sandbox URL set in Settings and for an embedded sandbox that runs or failed;
    /// otherwise when the embedded sandbox has started or failed, or after
    /// [`SANDBOX_START_WAIT`]. A click made while the window is still starting gets its
    /// answer instead of "still starting", and on a first run the management key the
    /// sandbox's start stores is there to be read.
    pub async fn sandbox_settled(&self, environment: Environment) {
        if environment != Environment::Sandbox {
            return;
        }
        let mut changes = self.sandbox.subscribe();
        let settled = async {
            // A Sandbox URL saved in Settings meanwhile ends the wait too (see
            // `save_settings`).
            while self.preferences().sandbox_base_url_override.is_none() {
                let state = changes.borrow_and_update().clone();
                if state.base_url.is_some()
                    || state.error.is_some()
                    || changes.changed().await.is_err()
                {
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(SANDBOX_START_WAIT, settled).await;
    }

    /// The base URL a request carrying `environment`'s key may go to, once the embedded
    /// sandbox has settled ([`Console::sandbox_settled`]): refused while it has not started,
    /// and for Production unless it is `https://` or on this machine. A preferences file
    /// written by hand or by an older version is checked here too, so no path sends a
    /// `bb_live_` key in cleartext.
    pub async fn request_base_url(&self, environment: Environment) -> Result<String> {
        self.sandbox_settled(environment).await;
        let base_url = self.base_url(environment);
        if base_url.is_empty() {
            return Err(CommandError::new(
                ConsoleCode::Unreachable,
                match self.sandbox.borrow().error.clone() {
                    Some(error) => format!("The embedded sandbox is not running: {error}"),
                    None => format!(
                        "The embedded sandbox has not started in {} s; Settings shows its state.",
                        SANDBOX_START_WAIT.as_secs()
                    ),
                },
            ));
        }
        if environment == Environment::Production {
            let url = parse_base_url(&base_url)
                .map_err(|e| CommandError::new(ConsoleCode::InsecureBaseUrl, e.to_string()))?;
            require_tls_off_loopback(&url)
                .map_err(|message| CommandError::new(ConsoleCode::InsecureBaseUrl, message))?;
        }
        Ok(base_url)
    }

    pub async fn app_status(&self) -> AppStatus {
        let environment = self.preferences().active_environment;
        let has_management_key =
            matches!(self.stored_management_key(environment).await, Ok(Some(_)));
        AppStatus {
            environment,
            base_url: self.base_url(environment),
            sandbox: self.sandbox.borrow().clone(),
            keychain: self.keychain.clone(),
            version: self.version.clone(),
            has_management_key,
        }
    }

    pub fn set_environment(&self, environment: Environment) -> Result<()> {
        self.update_preferences(|p| p.active_environment = environment)
            .map(|_| ())
    }

    /// Makes a connection (its id) or BotBat (`None`) the window's target at the next start
    /// too. Only the choice is written: nothing is called, so switching is instant.
    pub fn set_active_connection(&self, id: Option<String>) -> Result<Preferences> {
        self.update_preferences(|p| p.active_connection = id)
    }

    /// After a connection is removed: BotBat is the target again if it was the active one.
    pub fn forget_connection(&self, id: &str) -> Result<Preferences> {
        if self.preferences().active_connection.as_deref() != Some(id) {
            return Ok(self.preferences());
        }
        self.set_active_connection(None)
    }

    pub fn save_settings(&self, input: SettingsInput) -> Result<Preferences> {
        let sandbox_override = match input.sandbox_base_url_override.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(
                parse_base_url(url)
                    .map_err(|e| {
                        CommandError::invalid_input("sandbox_base_url_override", e.to_string())
                    })?
                    .to_string(),
            ),
        };
        let production = match input.production_base_url.trim() {
            "" => DEFAULT_PRODUCTION_BASE_URL.to_string(),
            url => parse_base_url(url)
                .map_err(|e| e.to_string())
                .and_then(|url| require_tls_off_loopback(&url).map(|()| url))
                .map_err(|e| CommandError::invalid_input("production_base_url", e))?
                .to_string(),
        };
        let saved = self.update_preferences(|p| {
            p.sandbox_base_url_override = sandbox_override;
            p.production_base_url = production;
            p.theme = input.theme;
            p.utc_times = input.utc_times;
        })?;
        // Requests waiting for the embedded sandbox look again: they may go to the URL just
        // saved.
        self.sandbox.send_modify(|_| {});
        Ok(saved)
    }

    async fn key_presence(&self, environment: Environment) -> KeyPresence {
        match self.stored_management_key(environment).await {
            Ok(Some(key)) => KeyPresence {
                stored: true,
                masked: Some(mask_secret(key.expose())),
                location: if self.secrets.location() == "keychain" {
                    KeyLocation::Keychain
                } else {
                    KeyLocation::Memory
                },
            },
            Ok(None) | Err(_) => KeyPresence {
                stored: false,
                masked: None,
                location: KeyLocation::None,
            },
        }
    }

    pub async fn environment_info(&self, environment: Environment) -> EnvironmentInfo {
        let management_key = self.key_presence(environment).await;
        let preferences = self.preferences();
        EnvironmentInfo {
            environment,
            base_url: self.base_url(environment),
            base_url_is_default: match environment {
                Environment::Sandbox => preferences.sandbox_base_url_override.is_none(),
                Environment::Production => {
                    preferences.production_base_url == DEFAULT_PRODUCTION_BASE_URL
                }
            },
            management_key,
        }
    }

    /// Both environments, their keychain reads made side by side.
    pub async fn list_environments(&self) -> Vec<EnvironmentInfo> {
        futures::future::join_all(Environment::ALL.map(|e| self.environment_info(e))).await
    }

    /// Stores the key an environment's panels use. A key of the other environment is
    /// refused: a `bb_test_` key can never end up driving Production, nor the reverse.
    pub async fn set_management_key(
        &self,
        environment: Environment,
        key: String,
    ) -> Result<EnvironmentInfo> {
        let key = key.trim().to_string();
        let prefix = environment.key_prefix();
        if key.is_empty() {
            return Err(CommandError::invalid_input("key", "Paste a key first."));
        }
        if !key.starts_with(prefix) {
            let other = Environment::ALL
                .into_iter()
                .find(|e| key.starts_with(e.key_prefix()));
            let message = match other {
                Some(other) => format!(
                    "That is a {} key ({}…). {} needs a key starting with {prefix}.",
                    other.label(),
                    other.key_prefix(),
                    environment.label()
                ),
                None => format!(
                    "That does not look like a BotBat key: {} keys start with {prefix}.",
                    environment.label()
                ),
            };
            return Err(CommandError::invalid_input("key", message));
        }
        if key.len() < prefix.len() + 16
            || !key[prefix.len()..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        {
            return Err(CommandError::invalid_input(
                "key",
                format!("The key is incomplete or has extra characters: expected {prefix} followed by letters and digits."),
            ));
        }
        let key = Sensitive::new(key);
        self.forget_management_key(environment);
        self.secrets
            .set(management_key_id(environment), key.clone())
            .await?;
        self.cached_keys()
            .insert(environment, (key, Instant::now()));
        Ok(self.environment_info(environment).await)
    }

    pub async fn clear_management_key(&self, environment: Environment) -> Result<EnvironmentInfo> {
        self.forget_management_key(environment);
        self.secrets.delete(management_key_id(environment)).await?;
        Ok(self.environment_info(environment).await)
    }

    /// Refuses a write aimed at an environment that is no longer the active one, so a form
    /// opened in Sandbox can never create, rotate or revoke anything in Production. Asked
    /// once the embedded sandbox has settled, so a write clicked while it starts is checked
    /// against the environment active when it is about to go out, not when it was clicked.
    pub async fn ensure_active(&self, environment: Environment) -> Result<()> {
        self.sandbox_settled(environment).await;
        let active = self.preferences().active_environment;
        if active == environment {
            Ok(())
        } else {
            Err(CommandError::new(
                ConsoleCode::EnvironmentChanged,
                format!(
                    "The console switched to {} since this was opened for {}; nothing was changed. Review and try again.",
                    active.label(),
                    environment.label()
                ),
            ))
        }
    }

    /// A client for the console's own calls with `environment`'s management key, paced
    /// (see [`botbat_api::Pacer`]).
    pub async fn client(&self, environment: Environment) -> Result<Client> {
        let key = self.management_key(environment).await?;
        let mut config = self.client_config(environment, key).await?;
        config.pacer = Some(self.pacers[environment as usize].clone());
        Ok(Client::with_http(self.transport()?, config))
    }

    pub(crate) async fn management_key(
        &self,
        environment: Environment,
    ) -> Result<Sensitive<String>> {
        // On a first run the sandbox's start is what stores its key.
        self.sandbox_settled(environment).await;
        self.stored_management_key(environment)
            .await?
            .ok_or_else(|| {
                CommandError::new(
                    ConsoleCode::NoManagementKey,
                    format!(
                        "{} has no management key yet: the console needs one to call its API.",
                        environment.label()
                    ),
                )
            })
    }

    /// A client for `environment` using `key`; `max_attempts` overrides the retry policy
    /// (the burst test sends each request once, so that 429s stay visible).
    pub async fn client_with_key(
        &self,
        environment: Environment,
        key: Sensitive<String>,
        max_attempts: Option<u32>,
    ) -> Result<Client> {
        let mut config = self.client_config(environment, key).await?;
        if let Some(attempts) = max_attempts {
            config.max_attempts = attempts;
        }
        Ok(Client::with_http(self.transport()?, config))
    }

    /// The base URL, key and timeout every client for `environment` starts from.
    async fn client_config(
        &self,
        environment: Environment,
        key: Sensitive<String>,
    ) -> Result<ClientConfig> {
        let base_url = self.request_base_url(environment).await?;
        let mut config = ClientConfig::new(&base_url, Some(key))?;
        config.timeout = self.timeout;
        config.user_agent = self.user_agent.clone();
        Ok(config)
    }

    /// Sends through `http`, a transport built ahead (see [`crate::EarlyStart`]), instead of
    /// building one on first use.
    pub fn with_transport(self, http: reqwest::Client) -> Self {
        self.transport.give(http);
        self
    }

    /// The shared connection pool, built on first use; connections send through it too.
    pub fn transport(&self) -> Result<reqwest::Client> {
        self.transport.get()
    }

    pub async fn test_connection(&self, environment: Environment) -> Result<ConnectionReport> {
        let client = self.client(environment).await?;
        let me = client
            .me()
            .await
            .map_err(CommandError::from)
            .inspect_err(|error| {
                if error.code == ErrorCode::Unauthorized {
                    // Replaced or revoked since it was read: the next call reads it afresh.
                    self.forget_management_key(environment);
                }
            })?;
        Ok(ConnectionReport {
            environment,
            base_url: client.base_url().to_string(),
            latency_ms: (me.elapsed.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
            key_id: me.data.key.id,
            key_name: me.data.key.name,
            masked_key: me.data.key.masked,
            scopes: me.data.key.scopes.iter().map(|s| s.to_string()).collect(),
            plan: me.data.organization.plan.as_str().to_string(),
        })
    }

    /// The dashboard's figures for the active environment, from the platform itself.
    /// The Dashboard's figures; the usage counts leave the console's own requests out
    /// unless `include_console`.
    pub async fn dashboard_summary(&self, include_console: bool) -> Result<DashboardSummary> {
        let environment = self.preferences().active_environment;
        let client = self.client(environment).await?;
        // Four requests, within even the Starter plan's five per second: every key and
        // every endpoint (one page each for all but the largest organisations), the usage
        // summary, and the plan. They go out together (the pacer keeps them within the
        // key's limit), so against a distant server the dashboard waits one round trip,
        // not four.
        let now = Utc::now();
        let (keys, webhooks, usage, me) = tokio::try_join!(
            client
                .paginate::<ApiKey>("/api_keys", vec![("limit", "100".to_string())])
                .try_collect::<Vec<ApiKey>>(),
            client
                .paginate::<Webhook>("/webhooks", vec![("limit", "100".to_string())])
                .try_collect::<Vec<Webhook>>(),
            client.usage_summary(
                now - chrono::Duration::hours(24),
                now + chrono::Duration::seconds(1),
                include_console,
            ),
            client.me(),
        )?;
        let (usage, me) = (usage.data, me.data);
        Ok(DashboardSummary {
            environment,
            base_url: client.base_url().to_string(),
            plan: me.organization.plan.as_str().to_string(),
            api_keys_total: keys.len() as u32,
            api_keys_active: keys
                .iter()
                .filter(|k| matches!(k.status, KeyStatus::Active | KeyStatus::Expiring))
                .count() as u32,
            webhooks_total: webhooks.len() as u32,
            webhooks_enabled: webhooks.iter().filter(|w| w.enabled).count() as u32,
            requests_24h: usage.requests as u32,
            errors_24h: usage.errors as u32,
            error_rate_24h: usage.error_rate,
            rate_limited_24h: usage.rate_limited as u32,
            includes_console: include_console,
            as_of: now.to_rfc3339(),
        })
    }
}

/// Whether `url` points at this machine (127.0.0.0/8, `[::1]`, `localhost`), where a secret
/// sent over plain http:// crosses no network.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Production's key is a `bb_live_` key: it travels only over TLS, or to a stand-in on this
/// machine (127.0.0.0/8, `[::1]`, `localhost`), where nothing crosses a network.
fn require_tls_off_loopback(url: &Url) -> std::result::Result<(), String> {
    if url.scheme() == "https" || is_loopback(url) {
        return Ok(());
    }
    let mut secure = url.clone();
    let suggestion = match secure.set_scheme("https") {
        Ok(()) => format!("Use {}", secure.as_str().trim_end_matches('/')),
        Err(()) => "Use an https:// URL".to_string(),
    };
    Err(format!(
        "Production's base URL must start with https://: over {}:// its bb_live_ key would travel in cleartext. {suggestion}. Plain http:// is accepted only for a stand-in on this machine (localhost, 127.0.0.1 or [::1]).",
        url.scheme()
    ))
}
