//! Try It against a saved Botbiz or Botmaker connection, with the same builder, validator,
//! sender, snippets and history as BotBat's environments.
//!
//! What differs is where things come from: the catalog is the OpenAPI description the
//! console ships for the platform (Botbiz's stand-in serves the same file; Botmaker
//! publishes none), the credential is the connection's, applied by
//! [`Connections::authorize`] and nowhere else, and history and the latest rate-limit
//! headers are kept by connection id, so nothing of one connection shows in another. A
//! Botbiz 429 is waited out until its `X-RateLimit-Reset` (cancellable, with a countdown)
//! and sent once more, as Botbiz's docs ask of a client.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use botbat_api::client::RateLimitHeaders;
use botbat_api::platforms::{botbiz, botmaker};
use botbat_api::Wait;
use chrono::Utc;
use serde_json::Value;
use tokio::sync::Notify;

use super::catalog::{self, Catalog};
use super::history::{self, History};
use super::model::{
    TryCatalog, TryCheck, TryConnectionLimits, TryHistoryEntry, TryHistoryItem, TryProgress,
    TryRequest, TryResponse, TrySendOptions, TrySnippet,
};
use super::send::{self, build_url, Auth};
use super::snippets::{self, AuthHeader, KeyText};
use super::{lock, operation_of, refuse_invalid, Result, Run, TryIt, HISTORY_FILE};
use crate::connections::{Authorized, Connections, Platform};
use crate::{CommandError, Console, ConsoleCode, Environment};

/// How a snippet carries each platform's credential.
pub(super) fn auth_header(platform: Platform) -> AuthHeader {
    match platform {
        Platform::Botbiz => AuthHeader {
            name: "Authorization",
            prefix: "Bearer ",
            variable: "BOTBIZ_API_KEY",
        },
        Platform::Botmaker => AuthHeader {
            name: "access-token",
            prefix: "",
            variable: "BOTMAKER_ACCESS_TOKEN",
        },
    }
}

/// The OpenAPI description the console ships for the platform, and where it lives.
fn document(platform: Platform) -> (&'static str, &'static str) {
    match platform {
        Platform::Botbiz => (botbiz::OPENAPI_JSON, "openapi/botbiz.json"),
        Platform::Botmaker => (botmaker::OPENAPI_JSON, "openapi/botmaker.json"),
    }
}

/// The path Rate Limits' "Check now" reads: Botbiz's cheapest authenticated GET.
const BOTBIZ_CHEAP_READ: &str = "/users";

impl TryIt {
    /// The platform's catalog, parsed once from the shipped document.
    fn platform_catalog(&self, platform: Platform) -> Result<Arc<Catalog>> {
        if let Some(catalog) = self
            .platform_catalogs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&platform)
        {
            return Ok(catalog.clone());
        }
        let (text, name) = document(platform);
        let document: Value = serde_json::from_str(text).map_err(|e| {
            CommandError::new(
                ConsoleCode::UnexpectedResponse,
                format!("the shipped {name} is not JSON: {e}"),
            )
        })?;
        let fetched_at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let catalog = Arc::new(catalog::parse(
            Environment::Production,
            &document,
            &format!("{} (shipped with the console)", name),
            &fetched_at,
        )?);
        self.platform_catalogs
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(platform, catalog.clone());
        Ok(catalog)
    }

    /// The operations Try It offers for the connection `id`.
    pub fn connection_catalog(&self, connections: &Connections, id: &str) -> Result<TryCatalog> {
        let connection = connections.get(id)?;
        let mut view = self.platform_catalog(connection.platform)?.view.clone();
        view.connection_id = Some(connection.id);
        Ok(view)
    }

    /// A request for `method` on a concrete path under the connection's base URL
    /// (`/users`, `/channels?limit=5`), matched to its platform's catalog as
    /// [`TryIt::resolve`] matches BotBat's.
    pub fn connection_resolve(
        &self,
        connections: &Connections,
        id: &str,
        method: &str,
        path: &str,
    ) -> Result<TryRequest> {
        let connection = connections.get(id)?;
        let catalog = self.platform_catalog(connection.platform)?;
        let (path, query) = super::split_query(path);
        let path = format!("/{}", path.trim_start_matches('/'));
        Ok(super::request_in(&catalog, method, &path, query))
    }

    /// What is wrong with `request` for the connection `id`, without sending it: the fields
    /// its platform's description refuses, an auth header typed by hand (the connection's
    /// credential sets it), and the URL the request goes to.
    pub fn connection_check(
        &self,
        connections: &Connections,
        id: &str,
        request: &TryRequest,
    ) -> Result<TryCheck> {
        let connection = connections.get(id)?;
        let catalog = self.platform_catalog(connection.platform)?;
        let mut issues = operation_of(&catalog, request)
            .map(|operation| super::check_request(operation, request, &catalog.patterns))
            .unwrap_or_default();
        let header = connection.platform.auth_header();
        if request
            .headers
            .iter()
            .any(|h| h.name.trim().eq_ignore_ascii_case(header))
        {
            issues.push(botbat_api::FieldIssue::new(
                format!("header.{header}"),
                "is set from the connection's credential; remove this header",
            ));
        }
        let url = build_url(&connection.base_url, request)
            .map(|u| u.to_string())
            .unwrap_or_default();
        Ok(TryCheck {
            issues,
            missing_scope: None,
            url,
        })
    }

    async fn connection_history(&self, console: &Console, id: &str) -> Result<History> {
        let mut histories = self.connection_histories.lock().await;
        if let Some(history) = histories.get(id) {
            return Ok(history.clone());
        }
        let path = console.connection_file(id, HISTORY_FILE)?;
        let history = History::open(&path, id).await?;
        histories.insert(id.to_string(), history.clone());
        Ok(history)
    }

    /// Sends `request` to the connection `id` and records it in that connection's history.
    /// Unless `options.force`, a request that fails validation is not sent. A Botbiz 429
    /// is waited out until the window resets, reporting the countdown through `progress`
    /// (cancel it with [`TryIt::cancel`] and `run_id`), then sent once more.
    #[allow(clippy::too_many_arguments)]
    pub async fn connection_send(
        &self,
        console: &Console,
        connections: &Connections,
        id: &str,
        request: &TryRequest,
        options: TrySendOptions,
        run_id: &str,
        mut progress: impl FnMut(&TryProgress),
    ) -> Result<TryResponse> {
        let started = Instant::now();
        let authorized = connections.authorize(id).await?;
        let catalog = self.platform_catalog(authorized.connection.platform)?;
        let operation = operation_of(&catalog, request);
        if !options.force {
            if let Some(operation) = operation {
                refuse_invalid(&catalog, operation, request)?;
            }
        }
        let history = self.connection_history(console, id).await?;
        let mut response = self
            .connection_execute(&authorized, request, started)
            .await?;
        if response.status == 429 && authorized.connection.platform == Platform::Botbiz {
            history.record(request, &response)?;
            let wait = botbiz_wait(&response);
            if !wait.is_capped() {
                let run = Arc::new(Run {
                    cancelled: AtomicBool::new(false),
                    wake: Notify::new(),
                });
                lock(&self.runs).insert(run_id.to_string(), run.clone());
                progress(&TryProgress {
                    run_id: run_id.to_string(),
                    pages: 0,
                    items: 0,
                    total: None,
                    waiting_seconds: Some(wait.wait_seconds.max(1)),
                    wait_note: wait.note.clone(),
                });
                let pause = wait.duration().max(std::time::Duration::from_millis(20));
                let waited = tokio::select! {
                    _ = tokio::time::sleep(pause) => !run.cancelled.load(Ordering::SeqCst),
                    _ = run.wake.notified() => false,
                };
                lock(&self.runs).remove(run_id);
                if waited {
                    response = self
                        .connection_execute(&authorized, request, Instant::now())
                        .await?;
                }
            }
        }
        if let Some(operation) = operation {
            response.conformance =
                Some(super::conformance(operation, &response, &catalog.patterns));
        }
        history.record(request, &response)?;
        Ok(response)
    }

    /// One request to the connection, its credential applied by `authorized`; keeps the
    /// rate-limit headers the answer carries.
    async fn connection_execute(
        &self,
        authorized: &Authorized,
        request: &TryRequest,
        started: Instant,
    ) -> Result<TryResponse> {
        let connection = &authorized.connection;
        let url = build_url(&connection.base_url, request)?;
        let catalog = self.platform_catalog(connection.platform)?;
        let mut response = send::execute(
            self.http.client(),
            url,
            request,
            Auth::Connection(authorized),
            operation_of(&catalog, request),
            started,
        )
        .await?;
        response.credential_label =
            format!("{} ({})", connection.label, connection.masked_credential);
        if response.rate_limit.is_some() {
            lock(&self.connection_limits).insert(
                connection.id.clone(),
                TryConnectionLimits {
                    connection_id: connection.id.clone(),
                    rate_limit: response.rate_limit.clone(),
                    observed_at: Some(
                        Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    ),
                    status: Some(response.status),
                },
            );
        }
        Ok(response)
    }

    /// The snippets for the connection: its base URL, its platform's auth header read
    /// from an environment variable, or with `inline_secret` the credential itself.
    pub async fn connection_snippets(
        &self,
        connections: &Connections,
        id: &str,
        request: &TryRequest,
        inline_secret: bool,
    ) -> Result<Vec<TrySnippet>> {
        let connection = connections.get(id)?;
        let url = build_url(&connection.base_url, request)?;
        let auth = auth_header(connection.platform);
        let mut request = request.clone();
        request
            .headers
            .retain(|h| !h.name.eq_ignore_ascii_case(auth.name));
        if inline_secret {
            let authorized = connections.authorize(id).await?;
            // The header's whole value, as `authorize` wrote it.
            let whole = AuthHeader { prefix: "", ..auth };
            Ok(snippets::all_with(
                &url,
                &request,
                &KeyText::Inline(authorized.header_value().expose()),
                &whole,
            ))
        } else {
            Ok(snippets::all_with(
                &url,
                &request,
                &KeyText::Variable,
                &auth,
            ))
        }
    }

    pub async fn connection_history_list(
        &self,
        console: &Console,
        id: &str,
        query: &str,
    ) -> Result<Vec<TryHistoryItem>> {
        self.connection_history(console, id)
            .await?
            .list(query, history::LIST_LIMIT)
            .await
    }

    pub async fn connection_history_entry(
        &self,
        console: &Console,
        id: &str,
        entry: i64,
    ) -> Result<TryHistoryEntry> {
        self.connection_history(console, id).await?.get(entry).await
    }

    pub async fn connection_clear_history(&self, console: &Console, id: &str) -> Result<u64> {
        self.connection_history(console, id).await?.clear().await
    }

    /// The latest rate-limit headers the connection answered with, if any yet.
    pub fn connection_limits(&self, id: &str) -> TryConnectionLimits {
        lock(&self.connection_limits)
            .get(id)
            .cloned()
            .unwrap_or_else(|| TryConnectionLimits {
                connection_id: id.to_string(),
                rate_limit: None,
                observed_at: None,
                status: None,
            })
    }

    /// Makes one cheap authenticated read (Botbiz's `GET /users`, not kept in history) and
    /// returns the rate-limit headers it answered with.
    pub async fn connection_check_limits(
        &self,
        connections: &Connections,
        id: &str,
    ) -> Result<TryConnectionLimits> {
        let authorized = connections.authorize(id).await?;
        if authorized.connection.platform != Platform::Botbiz {
            return Err(CommandError::new(
                ConsoleCode::InvalidInput,
                format!(
                    "{} does not announce rate limits in headers; only Botbiz connections have a gauge.",
                    authorized.connection.platform.title()
                ),
            ));
        }
        let request = TryRequest {
            method: "GET".into(),
            path: BOTBIZ_CHEAP_READ.into(),
            ..TryRequest::default()
        };
        let response = self
            .connection_execute(&authorized, &request, Instant::now())
            .await?;
        let mut limits = self.connection_limits(id);
        if response.rate_limit.is_none() {
            limits.status = Some(response.status);
        }
        Ok(limits)
    }
}

/// How long a Botbiz 429 asks to wait: until `X-RateLimit-Reset`, else `Retry-After`, else
/// a second.
fn botbiz_wait(response: &TryResponse) -> Wait {
    if let Some(limit) = &response.rate_limit {
        return RateLimitHeaders {
            limit: limit.limit,
            remaining: limit.remaining,
            reset: limit.reset,
        }
        .until_reset();
    }
    response
        .retry_wait
        .clone()
        .filter(|w| w.wait_seconds > 0)
        .unwrap_or_else(|| Wait::retry_after(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tryit::TryPair;

    #[test]
    fn each_platform_has_its_own_auth_header_in_snippets() {
        let url = url::Url::parse("https://api.botmaker.com/v2.0/channels").expect("url");
        let request = TryRequest {
            method: "GET".into(),
            path: "/channels".into(),
            headers: vec![TryPair::new("X-Trace", "1")],
            ..TryRequest::default()
        };
        let maker = snippets::all_with(
            &url,
            &request,
            &KeyText::Variable,
            &auth_header(Platform::Botmaker),
        );
        let curl = &maker[0].code;
        assert!(
            curl.contains("-H \"access-token: $BOTMAKER_ACCESS_TOKEN\""),
            "{curl}"
        );
        assert!(!curl.contains("Authorization"), "{curl}");
        let biz = snippets::all_with(
            &url,
            &request,
            &KeyText::Variable,
            &auth_header(Platform::Botbiz),
        );
        for snippet in &biz {
            assert!(snippet.code.contains("BOTBIZ_API_KEY"), "{}", snippet.code);
            assert!(snippet.code.contains("Bearer "), "{}", snippet.code);
        }
    }
}
