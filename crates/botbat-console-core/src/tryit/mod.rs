//! Try It: build any v1 request from the environment's own catalog, send it with a key this
//! machine holds, read the whole answer, page through lists, copy it as code, and find it
//! again in history.
//!
//! What sets it apart from a generic HTTP client is that it knows the platform: which scope
//! an endpoint needs and whether the chosen key has it, what a status means for this
//! endpoint, the rate-limit headers and `Retry-After`, cursors, and that a write in
//! Production deserves a confirmation. [`TryIt`] holds what must outlive one command: the
//! HTTP client (so connections stay warm), the parsed catalogs, each environment's history
//! database, and the cancel switches of running page fetches.

mod catalog;
mod connection;
pub mod curl;
mod history;
mod model;
mod quickstart;
pub(crate) mod send;
pub mod snippets;
mod validate;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use botbat_api::client::RateLimitHeaders;
use botbat_api::{ApiKey, ErrorCode, KeyStatus, Scope, Wait};
use botbat_secrets::{mask_secret, Sensitive};
use chrono::Utc;
use futures::TryStreamExt;
use serde_json::Value;
use tokio::sync::Notify;

pub use catalog::{
    parse as parse_catalog, parse_for_path as parse_catalog_for_path, resolve as resolve_schema,
    Catalog, DocumentText,
};
pub use history::{redact, History};
pub use model::*;
pub use quickstart::{botbat_sdks, QuickStart, Sdk, SDK_LANGUAGES};
pub use send::build_url;
pub use validate::{check_request, conformance, validate_value, Patterns};

use crate::connections::Platform;
use crate::keys::key_secret_id;
use crate::{CommandError, Console, ConsoleCode, Environment};

type Result<T> = std::result::Result<T, CommandError>;

/// Where each environment's copy of its OpenAPI document is kept.
pub const CATALOG_FILE: &str = "openapi.json";
pub const HISTORY_FILE: &str = "history.sqlite";
/// `Fetch all` stops here; a list this long is better exported than browsed.
pub const FETCH_ALL_MAX_ITEMS: usize = 50_000;
/// Consecutive 429s after which `Fetch all` gives up.
const FETCH_ALL_MAX_429: u32 = 10;
// How long a key read from the keychain is reused. Reading the OS keychain costs a D-Bus
// round trip with a key exchange (milliseconds in a release build, a quarter of a second
// in a debug one), which would dwarf a request to a local sandbox. The copy lives only in
// this process's memory and is dropped on a 401, when the panel reloads its credentials,
// and when a management key is set or cleared.
use crate::console::KEYCHAIN_CACHE_TTL as SECRET_TTL;

/// The cached document, with where and when it was fetched.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedDocument {
    source_url: String,
    fetched_at: String,
    document: Value,
}

/// The same file with the document left as text, for [`catalog::parse_for_path`].
#[derive(serde::Deserialize)]
struct CachedText<'a> {
    source_url: String,
    fetched_at: String,
    #[serde(borrow)]
    document: DocumentText<'a>,
}

/// The HTTP client, made on its own thread when [`TryIt`] is made. Its TLS context takes
/// milliseconds (OpenSSL 3 loads its providers and cipher tables), which a process that
/// sends one request spends meanwhile reading the catalog.
struct Http {
    client: OnceLock<reqwest::Client>,
    making: Mutex<Option<std::thread::JoinHandle<reqwest::Client>>>,
}

impl Http {
    fn start() -> Self {
        let making = std::thread::Builder::new()
            .name("try-it-http".into())
            .spawn(http_client)
            .ok();
        Self {
            client: OnceLock::new(),
            making: Mutex::new(making),
        }
    }

    fn client(&self) -> &reqwest::Client {
        self.client.get_or_init(|| {
            let making = lock(&self.making).take();
            making
                .and_then(|thread| thread.join().ok())
                .unwrap_or_else(http_client)
        })
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!(
            "botbat-console/",
            env!("CARGO_PKG_VERSION"),
            " (try-it)"
        ))
        .build()
        .unwrap_or_default()
}

struct Run {
    cancelled: AtomicBool,
    wake: Notify,
}

/// An environment and a credential id (`management` or `key_…`).
type CredentialSlot = (Environment, String);

struct KnownCredential {
    label: String,
    scopes: Vec<Scope>,
}

pub struct TryIt {
    http: Http,
    catalogs: RwLock<HashMap<Environment, Arc<Catalog>>>,
    /// The last one-path catalog [`TryIt::resolve`] read, by environment, while the whole
    /// catalog was not in memory.
    path_catalogs: RwLock<HashMap<Environment, Arc<Catalog>>>,
    credentials: RwLock<HashMap<(Environment, String), KnownCredential>>,
    /// Keys read from the keychain, by environment and credential, with when they were read.
    secrets: Mutex<HashMap<CredentialSlot, (Sensitive<String>, Instant)>>,
    histories: tokio::sync::Mutex<HashMap<Environment, History>>,
    runs: Mutex<HashMap<String, Arc<Run>>>,
    /// The shipped Botbiz and Botmaker documents, each parsed once.
    platform_catalogs: RwLock<HashMap<Platform, Arc<Catalog>>>,
    /// Each saved connection's history, by connection id.
    connection_histories: tokio::sync::Mutex<HashMap<String, History>>,
    /// The latest rate-limit headers each connection answered with, by connection id.
    connection_limits: Mutex<HashMap<String, TryConnectionLimits>>,
}

impl Default for TryIt {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl TryIt {
    pub fn new() -> Self {
        Self {
            http: Http::start(),
            catalogs: RwLock::new(HashMap::new()),
            path_catalogs: RwLock::new(HashMap::new()),
            credentials: RwLock::new(HashMap::new()),
            secrets: Mutex::new(HashMap::new()),
            histories: tokio::sync::Mutex::new(HashMap::new()),
            runs: Mutex::new(HashMap::new()),
            platform_catalogs: RwLock::new(HashMap::new()),
            connection_histories: tokio::sync::Mutex::new(HashMap::new()),
            connection_limits: Mutex::new(HashMap::new()),
        }
    }

    fn cached_catalog(&self, environment: Environment) -> Option<Arc<Catalog>> {
        self.catalogs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&environment)
            .cloned()
    }

    async fn document_url(console: &Console, environment: Environment) -> Result<String> {
        let base = console.request_base_url(environment).await?;
        Ok(format!("{}/openapi.json", base.trim_end_matches('/')))
    }

    /// The active environment's catalog: from memory, else from its cached document, else
    /// downloaded. `refresh` downloads it again; if that fails the cached copy is returned
    /// marked stale, with the reason.
    pub async fn catalog(&self, console: &Console, refresh: bool) -> Result<TryCatalog> {
        let environment = console.preferences().active_environment;
        Ok(self
            .load_catalog(console, environment, refresh)
            .await?
            .view
            .clone())
    }

    async fn load_catalog(
        &self,
        console: &Console,
        environment: Environment,
        refresh: bool,
    ) -> Result<Arc<Catalog>> {
        let source_url = Self::document_url(console, environment).await?;
        if !refresh {
            if let Some(catalog) = self.cached_catalog(environment) {
                if catalog.view.source_url == source_url {
                    return Ok(catalog);
                }
            }
        }
        let cache_path = console.local_file(environment, CATALOG_FILE)?;
        let from_disk = || -> Option<CachedDocument> {
            let text = std::fs::read_to_string(&cache_path).ok()?;
            serde_json::from_str::<CachedDocument>(&text)
                .ok()
                .filter(|c| c.source_url == source_url)
        };
        if !refresh {
            if let Some(cached) = from_disk() {
                if let Ok(catalog) = catalog::parse(
                    environment,
                    &cached.document,
                    &cached.source_url,
                    &cached.fetched_at,
                ) {
                    return Ok(self.keep(environment, catalog));
                }
            }
        }
        match self.download(&source_url).await {
            Ok(document) => {
                let fetched_at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let catalog = catalog::parse(environment, &document, &source_url, &fetched_at)?;
                let cached = CachedDocument {
                    source_url: source_url.clone(),
                    fetched_at,
                    document,
                };
                if let Ok(text) = serde_json::to_string(&cached) {
                    if let Err(error) = std::fs::write(&cache_path, text) {
                        tracing::warn!(%error, path = %cache_path.display(), "could not cache the catalog");
                    }
                }
                Ok(self.keep(environment, catalog))
            }
            Err(error) => match from_disk() {
                Some(cached) => {
                    let mut catalog = catalog::parse(
                        environment,
                        &cached.document,
                        &cached.source_url,
                        &cached.fetched_at,
                    )?;
                    catalog.view.stale = true;
                    catalog.view.stale_reason = Some(error.message);
                    Ok(self.keep(environment, catalog))
                }
                None => Err(error),
            },
        }
    }

    /// The catalog a request on the concrete `path` is matched with: the whole one when it
    /// is in memory, else only the path items of the cached document that match `path` (for
    /// `botbat request`, parsing the whole document would cost more than sending the
    /// request), else the whole one, loaded.
    async fn catalog_for_path(
        &self,
        console: &Console,
        environment: Environment,
        path: &str,
    ) -> Result<Arc<Catalog>> {
        let source_url = Self::document_url(console, environment).await?;
        if let Some(catalog) = self.cached_catalog(environment) {
            if catalog.view.source_url == source_url {
                return Ok(catalog);
            }
        }
        let cache_path = console.local_file(environment, CATALOG_FILE)?;
        let from_disk = std::fs::read_to_string(&cache_path).ok().and_then(|text| {
            let cached = serde_json::from_str::<CachedText>(&text).ok()?;
            if cached.source_url != source_url {
                return None;
            }
            catalog::parse_for_path(
                environment,
                &cached.document,
                &cached.source_url,
                &cached.fetched_at,
                path,
            )
            .ok()
            .flatten()
        });
        match from_disk {
            Some(catalog) => {
                let catalog = Arc::new(catalog);
                self.path_catalogs
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(environment, catalog.clone());
                Ok(catalog)
            }
            None => self.load_catalog(console, environment, false).await,
        }
    }

    /// The catalog `request` is checked against: the one-path catalog [`TryIt::resolve`]
    /// read when it holds the request's operation, else the whole one (`None` when it
    /// cannot be had).
    async fn catalog_for(
        &self,
        console: &Console,
        environment: Environment,
        request: &TryRequest,
    ) -> Option<Arc<Catalog>> {
        let path_catalog = self
            .path_catalogs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&environment)
            .cloned();
        if let (Some(catalog), Ok(source_url)) =
            (path_catalog, Self::document_url(console, environment).await)
        {
            if catalog.view.source_url == source_url && operation_of(&catalog, request).is_some() {
                return Some(catalog);
            }
        }
        self.load_catalog(console, environment, false).await.ok()
    }

    fn keep(&self, environment: Environment, catalog: Catalog) -> Arc<Catalog> {
        let catalog = Arc::new(catalog);
        self.catalogs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(environment, catalog.clone());
        catalog
    }

    async fn download(&self, url: &str) -> Result<Value> {
        let unreachable = |detail: String| {
            CommandError::new(
                ConsoleCode::Unreachable,
                format!("Could not download the API catalog from {url}: {detail}. Check the base URL in Settings."),
            )
        };
        let response = self
            .http
            .client()
            .get(url)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(CommandError {
                status: Some(status.as_u16()),
                ..unreachable(format!("it answered HTTP {status}"))
            });
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            CommandError::new(
                ConsoleCode::UnexpectedResponse,
                format!("{url} did not return a JSON OpenAPI document: {e}"),
            )
        })
    }

    /// The credentials a request can use: the management key and every active key whose
    /// secret this machine keeps, each with its scopes.
    pub async fn credentials(&self, console: &Console) -> Result<TryCredentials> {
        let environment = console.preferences().active_environment;
        // Keys are read afresh from the keychain when the panel (re)loads its credentials;
        // the management key read here is the one the first Send uses.
        lock(&self.secrets).retain(|(env, _), _| *env != environment);
        let key = self
            .secret(console, environment, MANAGEMENT_CREDENTIAL)
            .await?;
        let client = console.client_with_key(environment, key, None).await?;
        let me = client.me().await?.data;
        let mut credentials = vec![TryCredential {
            id: MANAGEMENT_CREDENTIAL.into(),
            label: format!("Management key ({})", me.key.name),
            masked: me.key.masked.clone(),
            scopes: me.key.scopes.clone(),
            source: "management".into(),
            status: status_text(me.key.status),
        }];
        let mut note = None;
        let listed: std::result::Result<Vec<ApiKey>, _> = client
            .paginate("/api_keys", vec![("limit", "100".to_string())])
            .try_collect()
            .await;
        match listed {
            Ok(keys) => {
                let kept = console.kept_key_ids(environment, &keys).await;
                for key in keys {
                    let usable = matches!(key.status, KeyStatus::Active | KeyStatus::Expiring);
                    if !usable || key.id == me.key.id || !kept.contains(&key.id) {
                        continue;
                    }
                    credentials.push(TryCredential {
                        label: key.name.clone(),
                        masked: key.masked.clone(),
                        scopes: key.scopes.clone(),
                        source: "keychain".into(),
                        status: status_text(key.status),
                        id: key.id,
                    });
                }
            }
            Err(error) => {
                let error = CommandError::from(error);
                note = Some(format!(
                    "Only the management key is offered: the keys kept in the keychain could not be listed ({}).",
                    error.message
                ));
            }
        }
        let mut known = self.credentials.write().unwrap_or_else(|p| p.into_inner());
        known.retain(|(env, _), _| *env != environment);
        for credential in &credentials {
            known.insert(
                (environment, credential.id.clone()),
                KnownCredential {
                    label: format!("{} · {}", credential.label, credential.masked),
                    scopes: credential.scopes.clone(),
                },
            );
        }
        Ok(TryCredentials {
            environment,
            credentials,
            note,
        })
    }

    /// A request for `method` on a concrete path (`/v1/contacts/ct_1`, or `/contacts/ct_1`
    /// under the `/v1` base), matched to the active environment's catalog: the operation,
    /// its path template and its path parameters, sent with the management key. A path
    /// the catalog lacks is kept as given, and the platform judges it.
    pub async fn resolve(&self, console: &Console, method: &str, path: &str) -> Result<TryRequest> {
        let environment = console.preferences().active_environment;
        let (path, query) = split_query(path);
        let path = if path.starts_with("/v1/") || path == "/v1" {
            path.to_string()
        } else {
            format!("/v1/{}", path.trim_start_matches('/'))
        };
        let catalog = self.catalog_for_path(console, environment, &path).await?;
        let mut request = request_in(&catalog, method, &path, query);
        request.credential = MANAGEMENT_CREDENTIAL.to_string();
        Ok(request)
    }

    /// What is wrong with `request` for the active environment, without sending it.
    pub async fn check(&self, console: &Console, request: &TryRequest) -> Result<TryCheck> {
        let environment = console.preferences().active_environment;
        let catalog = self.catalog_for(console, environment, request).await;
        Ok(self.check_with(console, environment, catalog.as_deref(), request))
    }

    fn check_with(
        &self,
        console: &Console,
        environment: Environment,
        catalog: Option<&Catalog>,
        request: &TryRequest,
    ) -> TryCheck {
        let operation = catalog.and_then(|c| operation_of(c, request));
        let mut issues = match (catalog, operation) {
            (Some(catalog), Some(operation)) => {
                check_request(operation, request, &catalog.patterns)
            }
            _ => Vec::new(),
        };
        for header in &request.headers {
            if header.name.trim().eq_ignore_ascii_case("authorization") {
                issues.push(botbat_api::FieldIssue::new(
                    "header.Authorization",
                    "is set from the chosen credential; remove this header",
                ));
            }
        }
        let missing_scope = operation.and_then(|op| op.scope.clone()).filter(|scope| {
            self.credentials
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(&(environment, request.credential.clone()))
                .is_some_and(|c| !c.scopes.iter().any(|s| s.as_str() == scope))
        });
        let url = build_url(&console.base_url(environment), request)
            .map(|u| u.to_string())
            .unwrap_or_default();
        TryCheck {
            issues,
            missing_scope,
            url,
        }
    }

    async fn secret(
        &self,
        console: &Console,
        environment: Environment,
        credential: &str,
    ) -> Result<Sensitive<String>> {
        let credential = if credential.is_empty() {
            MANAGEMENT_CREDENTIAL
        } else {
            credential
        };
        let slot = (environment, credential.to_string());
        if let Some((secret, read_at)) = lock(&self.secrets).get(&slot) {
            if read_at.elapsed() < SECRET_TTL {
                return Ok(secret.clone());
            }
        }
        let secret = if credential == MANAGEMENT_CREDENTIAL {
            console.management_key(environment).await?
        } else {
            match console
                .secrets
                .get(key_secret_id(environment, credential))
                .await?
            {
                Some(secret) => secret,
                None => {
                    console.forget_kept_key(environment, credential).await;
                    return Err(CommandError::new(
                        ErrorCode::NotFound,
                        format!("This machine does not keep the secret of {credential}; choose another credential, or keep a key in the keychain when you create it."),
                    ));
                }
            }
        };
        lock(&self.secrets).insert(slot, (secret.clone(), Instant::now()));
        Ok(secret)
    }

    /// Drops every key read from the keychain, so the next request reads it again. The
    /// app calls this when a management key is set or cleared.
    pub fn forget_secrets(&self) {
        lock(&self.secrets).clear();
    }

    fn credential_label(
        &self,
        environment: Environment,
        credential: &str,
        secret: &Sensitive<String>,
    ) -> String {
        self.credentials
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(environment, credential.to_string()))
            .map(|c| c.label.clone())
            .unwrap_or_else(|| {
                let masked = mask_secret(secret.expose());
                if credential == MANAGEMENT_CREDENTIAL {
                    format!("Management key · {masked}")
                } else {
                    format!("{credential} · {masked}")
                }
            })
    }

    /// Waits until every history row recorded so far, in every environment and connection,
    /// is written; the first write that failed is the error. For a process about to end.
    pub async fn settle(&self) -> Result<()> {
        let mut all: Vec<History> = self.histories.lock().await.values().cloned().collect();
        all.extend(self.connection_histories.lock().await.values().cloned());
        let mut first = None;
        for history in all {
            if let Err(error) = history.settle().await {
                first.get_or_insert(error);
            }
        }
        first.map_or(Ok(()), Err)
    }

    async fn history(&self, console: &Console, environment: Environment) -> Result<History> {
        let mut histories = self.histories.lock().await;
        if let Some(history) = histories.get(&environment) {
            return Ok(history.clone());
        }
        let path = console.local_file(environment, HISTORY_FILE)?;
        let history = History::open(&path, environment.as_str()).await?;
        histories.insert(environment, history.clone());
        Ok(history)
    }

    /// Refuses what must not be sent: a request built for an environment that is no longer
    /// active, and an unconfirmed write in Production.
    async fn guard(
        console: &Console,
        environment: Environment,
        request: &TryRequest,
        options: TrySendOptions,
    ) -> Result<()> {
        console.ensure_active(environment).await?;
        let method = request.method.trim().to_ascii_uppercase();
        if environment == Environment::Production && method != "GET" && !options.confirmed {
            return Err(CommandError::new(
                ConsoleCode::ConfirmationRequired,
                format!(
                    "{method} {} would run in Production, against real data. Confirm it first.",
                    request.path
                ),
            ));
        }
        Ok(())
    }

    /// Sends `request` once and records it in history. Unless `options.force`, a request
    /// that fails validation is not sent: the error lists every field (`invalid_input`).
    pub async fn send(
        &self,
        console: &Console,
        environment: Environment,
        request: &TryRequest,
        options: TrySendOptions,
    ) -> Result<TryResponse> {
        // The time shown is the request's own, not the embedded sandbox's start.
        console.sandbox_settled(environment).await;
        let started = Instant::now();
        Self::guard(console, environment, request, options).await?;
        let catalog = match self.cached_catalog(environment) {
            Some(catalog) => Some(catalog),
            None => self.catalog_for(console, environment, request).await,
        };
        let operation = catalog.as_deref().and_then(|c| operation_of(c, request));
        if !options.force {
            if let (Some(catalog), Some(operation)) = (catalog.as_deref(), operation) {
                refuse_invalid(catalog, operation, request)?;
            }
        }
        // The history database opens while the request is on the wire.
        let (response, history) = tokio::join!(
            self.send_unchecked(console, environment, request, operation, started),
            self.history(console, environment)
        );
        let (mut response, history) = (response?, history?);
        if let (Some(catalog), Some(operation)) = (catalog.as_deref(), operation) {
            response.conformance = Some(conformance(operation, &response, &catalog.patterns));
        }
        history.record(request, &response)?;
        Ok(response)
    }

    async fn send_unchecked(
        &self,
        console: &Console,
        environment: Environment,
        request: &TryRequest,
        operation: Option<&TryOperation>,
        started: Instant,
    ) -> Result<TryResponse> {
        let url = build_url(&console.request_base_url(environment).await?, request)?;
        let public = operation.is_some_and(|op| !op.requires_key);
        let key = if public {
            None
        } else {
            Some(
                self.secret(console, environment, &request.credential)
                    .await?,
            )
        };
        let mut response = send::execute(
            self.http.client(),
            url,
            request,
            key.as_ref().map_or(send::Auth::None, send::Auth::Bearer),
            operation,
            started,
        )
        .await?;
        if response.status == 401 {
            // The key may have been replaced or revoked since it was read: read it afresh
            // next time.
            lock(&self.secrets).remove(&(environment, request.credential.clone()));
            if request.credential.is_empty() || request.credential == MANAGEMENT_CREDENTIAL {
                console.forget_management_key(environment);
            }
        }
        response.credential_label = match &key {
            Some(key) => self.credential_label(environment, &request.credential, key),
            None => "no key (public endpoint)".into(),
        };
        Ok(response)
    }

    /// Follows a list's cursors to the end, reporting progress after each page, waiting
    /// out `Retry-After` and exhausted windows, until the last page, a failure, the item
    /// cap, or [`TryIt::cancel`].
    pub async fn fetch_all(
        &self,
        console: &Console,
        environment: Environment,
        request: &TryRequest,
        run_id: &str,
        mut progress: impl FnMut(&TryProgress),
    ) -> Result<TryFetchAll> {
        let started = Instant::now();
        Self::guard(console, environment, request, TrySendOptions::default()).await?;
        if !request.method.trim().eq_ignore_ascii_case("GET") {
            return Err(CommandError::invalid_input(
                "method",
                "Fetch all follows the pages of a GET list.",
            ));
        }
        let catalog = self.catalog_for(console, environment, request).await;
        let operation = catalog.as_deref().and_then(|c| operation_of(c, request));
        if let (Some(catalog), Some(operation)) = (catalog.as_deref(), operation) {
            let issues = check_request(operation, request, &catalog.patterns);
            if !issues.is_empty() {
                return Err(CommandError {
                    details: issues,
                    ..CommandError::new(
                        ConsoleCode::InvalidInput,
                        "Fix the highlighted fields before fetching every page.",
                    )
                });
            }
        }
        let run = Arc::new(Run {
            cancelled: AtomicBool::new(false),
            wake: Notify::new(),
        });
        lock(&self.runs).insert(run_id.to_string(), run.clone());
        let outcome = self
            .fetch_pages(
                console,
                environment,
                request,
                operation,
                run_id,
                &run,
                &mut progress,
                started,
            )
            .await;
        lock(&self.runs).remove(run_id);
        outcome
    }

    #[allow(clippy::too_many_arguments)]
    async fn fetch_pages(
        &self,
        console: &Console,
        environment: Environment,
        request: &TryRequest,
        operation: Option<&TryOperation>,
        run_id: &str,
        run: &Run,
        progress: &mut impl FnMut(&TryProgress),
        started: Instant,
    ) -> Result<TryFetchAll> {
        let mut page_request = request.clone();
        page_request.query.retain(|p| p.name != "cursor");
        // The fewest requests: the largest page the platform allows, unless one was chosen.
        if !page_request
            .query
            .iter()
            .any(|p| p.name == "limit" && !p.value.is_empty())
        {
            page_request.query.retain(|p| p.name != "limit");
            page_request.query.push(TryPair::new("limit", "100"));
        }
        let history = self.history(console, environment).await?;
        let mut result = TryFetchAll {
            run_id: run_id.to_string(),
            pages: 0,
            items: 0,
            total: None,
            cancelled: false,
            truncated: false,
            data: Vec::new(),
            elapsed_ms: 0.0,
            waited_ms: 0.0,
            rate_limited: 0,
            failure: None,
            note: None,
        };
        let mut limited_in_a_row = 0;
        loop {
            if run.cancelled.load(Ordering::SeqCst) {
                result.cancelled = true;
                break;
            }
            let mut response = self
                .send_unchecked(
                    console,
                    environment,
                    &page_request,
                    operation,
                    Instant::now(),
                )
                .await?;
            history.record(&page_request, &response)?;
            if response.status == 429 {
                result.rate_limited += 1;
                limited_in_a_row += 1;
                if limited_in_a_row > FETCH_ALL_MAX_429 {
                    result.failure = Some(response);
                    break;
                }
                // A 429 without a usable Retry-After, or with 0: a second, the shortest
                // window.
                let wait = response
                    .retry_wait
                    .clone()
                    .filter(|w| w.wait_seconds > 0)
                    .unwrap_or_else(|| Wait::retry_after(1));
                if wait.is_capped() {
                    // Asking before the server's time is up earns another 429: stop and
                    // say when to try again, rather than wait for hours.
                    result.note = wait.note;
                    result.failure = Some(response);
                    break;
                }
                if !self.wait(run, &wait, run_id, &result, progress).await {
                    result.cancelled = true;
                    break;
                }
                result.waited_ms += wait.duration().as_secs_f64() * 1000.0;
                continue;
            }
            limited_in_a_row = 0;
            if !(200..300).contains(&response.status) {
                result.failure = Some(response);
                break;
            }
            let Some(items) = response
                .json
                .as_mut()
                .and_then(|j| j.get_mut("data"))
                .and_then(Value::as_array_mut)
            else {
                result.failure = Some(response);
                break;
            };
            result.pages += 1;
            result.data.append(items);
            result.items = result.data.len() as u32;
            result.total = response.total.or(result.total);
            progress(&TryProgress {
                run_id: run_id.to_string(),
                pages: result.pages,
                items: result.items,
                total: result.total,
                waiting_seconds: None,
                wait_note: None,
            });
            let Some(cursor) = response.next_cursor.clone() else {
                break;
            };
            if result.data.len() >= FETCH_ALL_MAX_ITEMS {
                result.truncated = true;
                break;
            }
            page_request.query.retain(|p| p.name != "cursor");
            page_request.query.push(TryPair::new("cursor", cursor));
            // An exhausted window: wait for its reset instead of collecting a 429.
            if let Some(limit) = response.rate_limit.as_ref().filter(|r| r.remaining == 0) {
                let wait = RateLimitHeaders {
                    limit: limit.limit,
                    remaining: limit.remaining,
                    reset: limit.reset,
                }
                .until_reset();
                if wait.is_capped() {
                    result.note = wait.note.clone();
                }
                if !self.wait(run, &wait, run_id, &result, progress).await {
                    result.cancelled = true;
                    break;
                }
                result.waited_ms += wait.duration().as_secs_f64() * 1000.0;
            }
        }
        result.elapsed_ms = send::round_ms(started.elapsed().as_secs_f64() * 1000.0);
        result.waited_ms = send::round_ms(result.waited_ms);
        Ok(result)
    }

    /// Waits `wait` out, telling the UI; false when the run was cancelled meanwhile. A
    /// window that has already reset still gets a short pause, so the reset is seen.
    async fn wait(
        &self,
        run: &Run,
        wait: &Wait,
        run_id: &str,
        so_far: &TryFetchAll,
        progress: &mut impl FnMut(&TryProgress),
    ) -> bool {
        progress(&TryProgress {
            run_id: run_id.to_string(),
            pages: so_far.pages,
            items: so_far.items,
            total: so_far.total,
            waiting_seconds: Some(wait.wait_seconds.max(1)),
            wait_note: wait.note.clone(),
        });
        let pause = wait.duration().max(Duration::from_millis(20));
        tokio::select! {
            _ = tokio::time::sleep(pause) => !run.cancelled.load(Ordering::SeqCst),
            _ = run.wake.notified() => false,
        }
    }

    /// Stops a running `Fetch all` after its current page; true if it was running.
    pub fn cancel(&self, run_id: &str) -> bool {
        match lock(&self.runs).get(run_id) {
            Some(run) => {
                run.cancelled.store(true, Ordering::SeqCst);
                run.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// The snippets (one per language). With `inline_key` the chosen key's secret is written into them;
    /// otherwise they read it from `BOTBAT_API_KEY`.
    pub async fn snippets(
        &self,
        console: &Console,
        request: &TryRequest,
        inline_key: bool,
    ) -> Result<Vec<TrySnippet>> {
        let environment = console.preferences().active_environment;
        self.snippets_in(console, environment, request, inline_key)
            .await
    }

    /// The snippets for `request` sent to `environment`.
    async fn snippets_in(
        &self,
        console: &Console,
        environment: Environment,
        request: &TryRequest,
        inline_key: bool,
    ) -> Result<Vec<TrySnippet>> {
        let catalog = self.catalog_for(console, environment, request).await;
        let public = catalog
            .as_deref()
            .and_then(|c| operation_of(c, request))
            .is_some_and(|op| !op.requires_key);
        let url = build_url(&console.base_url(environment), request)?;
        if public {
            return Ok(snippets::all(&url, request, &snippets::KeyText::None));
        }
        if inline_key {
            let secret = self
                .secret(console, environment, &request.credential)
                .await?;
            Ok(snippets::all(
                &url,
                request,
                &snippets::KeyText::Inline(secret.expose()),
            ))
        } else {
            Ok(snippets::all(&url, request, &snippets::KeyText::Variable))
        }
    }

    /// A pasted cURL command as a builder request for the active environment.
    pub async fn parse_curl(
        &self,
        console: &Console,
        text: &str,
        credential: &str,
    ) -> Result<TryParsedCurl> {
        let environment = console.preferences().active_environment;
        let catalog = self.load_catalog(console, environment, false).await.ok();
        curl::to_request(
            text,
            catalog.as_deref(),
            &console.base_url(environment),
            credential,
        )
    }

    pub async fn history_list(
        &self,
        console: &Console,
        query: &str,
    ) -> Result<Vec<TryHistoryItem>> {
        let environment = console.preferences().active_environment;
        let mut items = self
            .history(console, environment)
            .await?
            .list(query, history::LIST_LIMIT)
            .await?;
        if environment == Environment::Sandbox {
            let base = console.base_url(environment);
            for item in &mut items {
                follow_sandbox(&mut item.url, &base);
            }
        }
        Ok(items)
    }

    pub async fn history_entry(&self, console: &Console, id: i64) -> Result<TryHistoryEntry> {
        let environment = console.preferences().active_environment;
        let mut entry = self.history(console, environment).await?.get(id).await?;
        if environment == Environment::Sandbox {
            let base = console.base_url(environment);
            follow_sandbox(&mut entry.item.url, &base);
            follow_sandbox(&mut entry.response.url, &base);
        }
        Ok(entry)
    }

    pub async fn clear_history(&self, console: &Console) -> Result<u64> {
        let environment = console.preferences().active_environment;
        self.history(console, environment).await?.clear().await
    }
}

/// The embedded sandbox keeps its port across launches, but moves when another program has
/// taken it. A sandbox history entry recorded on an earlier loopback port then shows the
/// port the sandbox answers on now, so what the user copies from it still reaches it.
fn follow_sandbox(url: &mut String, base_url: &str) {
    let loopback = |u: &url::Url| {
        matches!(
            u.host(),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback()
        ) || matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
            || u.host_str() == Some("localhost")
    };
    let (Ok(mut recorded), Ok(now)) = (url::Url::parse(url), url::Url::parse(base_url)) else {
        return;
    };
    if !loopback(&recorded) || !loopback(&now) || recorded.port() == now.port() {
        return;
    }
    if recorded.set_host(now.host_str()).is_ok() && recorded.set_port(now.port()).is_ok() {
        *url = recorded.into();
    }
}

fn status_text(status: KeyStatus) -> String {
    match status {
        KeyStatus::Active => "active",
        KeyStatus::Expiring => "expiring",
        KeyStatus::Expired => "expired",
        KeyStatus::Revoked => "revoked",
    }
    .to_string()
}

/// Refuses a request that fails validation: the error lists every field (`invalid_input`).
fn refuse_invalid(catalog: &Catalog, operation: &TryOperation, request: &TryRequest) -> Result<()> {
    let issues = check_request(operation, request, &catalog.patterns);
    if issues.is_empty() {
        return Ok(());
    }
    let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    Err(CommandError {
        details: issues.clone(),
        ..CommandError::new(
            ConsoleCode::InvalidInput,
            format!(
                "Not sent: {} invalid ({}). Fix them, or send anyway to see the platform's answer.",
                plural_fields(fields.len()),
                fields.join(", ")
            ),
        )
    })
}

fn plural_fields(n: usize) -> String {
    if n == 1 {
        "1 field is".into()
    } else {
        format!("{n} fields are")
    }
}

/// The catalog operation a request was built from: by id, else by method and path.
fn operation_of<'a>(catalog: &'a Catalog, request: &TryRequest) -> Option<&'a TryOperation> {
    request
        .operation_id
        .as_deref()
        .and_then(|id| catalog.operation(id))
        .filter(|op| {
            op.method.eq_ignore_ascii_case(request.method.trim()) && op.path == request.path
        })
        .or_else(|| {
            catalog.operations().find(|op| {
                op.method.eq_ignore_ascii_case(request.method.trim()) && op.path == request.path
            })
        })
}

/// A path as typed, and its query string if it has one.
fn split_query(path: &str) -> (&str, Option<&str>) {
    match path.trim().split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path.trim(), None),
    }
}

/// `method` on the concrete `path` matched to `catalog`: the operation, its path template and
/// its path parameters, with the query parsed. A path the catalog lacks is kept as given.
fn request_in(catalog: &Catalog, method: &str, path: &str, query: Option<&str>) -> TryRequest {
    let method = method.trim().to_ascii_uppercase();
    let mut request = TryRequest {
        method: method.clone(),
        path: path.to_string(),
        ..TryRequest::default()
    };
    if let Some((operation, params)) = catalog.match_path(&method, path) {
        request.operation_id = Some(operation.id.clone());
        request.path = operation.path.clone();
        request.path_params = params
            .into_iter()
            .map(|(name, value)| TryPair::new(name, value))
            .collect();
    }
    if let Some(query) = query {
        request.query = url::form_urlencoded::parse(query.as_bytes())
            .map(|(n, v)| TryPair::new(n.into_owned(), v.into_owned()))
            .collect();
    }
    request
}

/// Writes the TypeScript bindings of the types the Try It panel receives.
pub fn export_bindings(dir: &std::path::Path) -> std::result::Result<(), ts_rs::ExportError> {
    use ts_rs::TS;
    TryCatalog::export_all_to(dir)?;
    TryRequest::export_all_to(dir)?;
    TryCredentials::export_all_to(dir)?;
    TryCheck::export_all_to(dir)?;
    TryResponse::export_all_to(dir)?;
    TrySendOptions::export_all_to(dir)?;
    TryProgress::export_all_to(dir)?;
    TryFetchAll::export_all_to(dir)?;
    TrySnippet::export_all_to(dir)?;
    TryParsedCurl::export_all_to(dir)?;
    TryHistoryItem::export_all_to(dir)?;
    TryHistoryEntry::export_all_to(dir)?;
    TryConnectionLimits::export_all_to(dir)?;
    QuickStart::export_all_to(dir)?;
    Ok(())
}

#[cfg(test)]
mod follow_tests {
    use super::follow_sandbox;

    #[test]
    fn a_sandbox_entry_follows_the_sandbox_to_its_new_port_and_nothing_else_moves() {
        let base = "http://127.0.0.1:41000/v1";
        let mut moved = "http://127.0.0.1:39999/v1/contacts?limit=5".to_string();
        follow_sandbox(&mut moved, base);
        assert_eq!(moved, "http://127.0.0.1:41000/v1/contacts?limit=5");

        let mut elsewhere = "https://api.botbat.example/v1/contacts".to_string();
        follow_sandbox(&mut elsewhere, base);
        assert_eq!(elsewhere, "https://api.botbat.example/v1/contacts");

        let mut same = "http://127.0.0.1:41000/v1/me".to_string();
        follow_sandbox(&mut same, base);
        assert_eq!(same, "http://127.0.0.1:41000/v1/me");
    }
}
