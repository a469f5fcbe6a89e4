//! Try It's commands: adapters over `botbat_console_core::tryit::TryIt`.

use std::sync::Arc;

use botbat_console_core::tryit::{
    TryCatalog, TryCheck, TryCredentials, TryFetchAll, TryHistoryEntry, TryHistoryItem, TryIt,
    TryParsedCurl, TryRequest, TryResponse, TrySendOptions, TrySnippet,
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
