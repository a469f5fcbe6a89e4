//! Try It's commands: adapters over `botbat_console_core::tryit::TryIt`.

use std::sync::Arc;

use botbat_console_core::connections::Connections;
use botbat_console_core::tryit::{
    QuickStart, TryCatalog, TryCheck, TryConnectionLimits, TryCredentials, TryFetchAll,
    TryHistoryEntry, TryHistoryItem, TryIt, TryParsedCurl, TryRequest, TryResponse, TrySendOptions,
    TrySnippet,
};
use botbat_console_core::{CommandError, Console, Environment};
use tauri::{AppHandle, Emitter, State};

adapters! {
    fn tryit_catalog(console: Console, tryit: TryIt; refresh: bool) -> TryCatalog {
        tryit.catalog(&console, refresh).await
    }

    fn tryit_credentials(console: Console, tryit: TryIt) -> TryCredentials {
        tryit.credentials(&console).await
    }

    fn tryit_check(console: Console, tryit: TryIt; request: TryRequest) -> TryCheck {
        tryit.check(&console, &request).await
    }

    fn tryit_send(console: Console, tryit: TryIt; environment: Environment, request: TryRequest, options: TrySendOptions) -> TryResponse {
        tryit.send(&console, environment, &request, options).await
    }

    fn tryit_snippets(console: Console, tryit: TryIt; request: TryRequest, inline_key: bool) -> Vec<TrySnippet> {
        tryit.snippets(&console, &request, inline_key).await
    }

    fn tryit_parse_curl(console: Console, tryit: TryIt; text: String, credential: String) -> TryParsedCurl {
        tryit.parse_curl(&console, &text, &credential).await
    }

    fn tryit_history(console: Console, tryit: TryIt; query: String) -> Vec<TryHistoryItem> {
        tryit.history_list(&console, &query).await
    }

    fn tryit_history_entry(console: Console, tryit: TryIt; id: i64) -> TryHistoryEntry {
        tryit.history_entry(&console, id).await
    }

    fn tryit_clear_history(console: Console, tryit: TryIt) -> u64 {
        tryit.clear_history(&console).await
    }

    fn tryit_connection_catalog(connections: Connections, tryit: TryIt; connection_id: String) -> TryCatalog {
        tryit.connection_catalog(&connections, &connection_id)
    }

    fn tryit_connection_check(connections: Connections, tryit: TryIt; connection_id: String, request: TryRequest) -> TryCheck {
        tryit.connection_check(&connections, &connection_id, &request)
    }

    fn tryit_connection_snippets(connections: Connections, tryit: TryIt; connection_id: String, request: TryRequest, inline_key: bool) -> Vec<TrySnippet> {
        tryit.connection_snippets(&connections, &connection_id, &request, inline_key).await
    }

    fn tryit_connection_history(console: Console, tryit: TryIt; connection_id: String, query: String) -> Vec<TryHistoryItem> {
        tryit.connection_history_list(&console, &connection_id, &query).await
    }

    fn tryit_connection_history_entry(console: Console, tryit: TryIt; connection_id: String, id: i64) -> TryHistoryEntry {
        tryit.connection_history_entry(&console, &connection_id, id).await
    }

    fn tryit_connection_clear_history(console: Console, tryit: TryIt; connection_id: String) -> u64 {
        tryit.connection_clear_history(&console, &connection_id).await
    }

    fn tryit_connection_check_limits(connections: Connections, tryit: TryIt; connection_id: String) -> TryConnectionLimits {
        tryit.connection_check_limits(&connections, &connection_id).await
    }

    fn tryit_quickstart(console: Console, tryit: TryIt; environment: Environment) -> QuickStart {
        tryit.quickstart(&console, environment).await
    }

    fn tryit_connection_quickstart(connections: Connections, tryit: TryIt; connection_id: String) -> QuickStart {
        tryit.connection_quickstart(&connections, &connection_id).await
    }
}

/// The latest rate-limit headers the connection answered with.
#[tauri::command]
pub fn tryit_connection_limits(
    tryit: State<'_, Arc<TryIt>>,
    connection_id: String,
) -> TryConnectionLimits {
    tryit.connection_limits(&connection_id)
}

/// Sends to a connection; a Botbiz 429's wait is reported as `tryit-progress` under `run_id`.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn tryit_connection_send(
    app: AppHandle,
    console: State<'_, Arc<Console>>,
    connections: State<'_, Arc<Connections>>,
    tryit: State<'_, Arc<TryIt>>,
    connection_id: String,
    request: TryRequest,
    options: TrySendOptions,
    run_id: String,
) -> Result<TryResponse, CommandError> {
    tryit
        .connection_send(
            &console,
            &connections,
            &connection_id,
            &request,
            options,
            &run_id,
            |progress| {
                if let Err(error) = app.emit("tryit-progress", progress) {
                    tracing::warn!(%error, "could not emit Try It progress");
                }
            },
        )
        .await
}

/// Follows every page, emitting `tryit-progress` after each page and while waiting.
#[tauri::command]
pub async fn tryit_fetch_all(
    app: AppHandle,
    console: State<'_, Arc<Console>>,
    tryit: State<'_, Arc<TryIt>>,
    environment: Environment,
    request: TryRequest,
    run_id: String,
) -> Result<TryFetchAll, CommandError> {
    tryit
        .fetch_all(&console, environment, &request, &run_id, |progress| {
            if let Err(error) = app.emit("tryit-progress", progress) {
                tracing::warn!(%error, "could not emit Try It progress");
            }
        })
        .await
}

/// Stops a running fetch; true when it was running.
#[tauri::command]
pub fn tryit_cancel(tryit: State<'_, Arc<TryIt>>, run_id: String) -> bool {
    tryit.cancel(&run_id)
}
