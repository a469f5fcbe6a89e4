//! Try It's commands: adapters over `botbat_console_core::tryit::TryIt`.

use std::sync::Arc;

use botbat_console_core::tryit::{
    TryCatalog, TryCheck, TryCredentials, TryFetchAll, TryHistoryEntry, TryHistoryItem, TryIt,
    TryParsedCurl, TryRequest, TryResponse, TrySendOptions, TrySnippet,
};
use botbat_console_core::{CommandError, Console, Environment};
use tauri::{AppHandle, Emitter, State};

type Shared<'a> = State<'a, Arc<Console>>;
type Requests<'a> = State<'a, Arc<TryIt>>;

#[tauri::command]
pub async fn tryit_catalog(
    console: Shared<'_>,
    tryit: Requests<'_>,
    refresh: bool,
) -> Result<TryCatalog, CommandError> {
    tryit.catalog(&console, refresh).await
}

#[tauri::command]
pub async fn tryit_credentials(
    console: Shared<'_>,
    tryit: Requests<'_>,
) -> Result<TryCredentials, CommandError> {
    tryit.credentials(&console).await
}

#[tauri::command]
pub async fn tryit_check(
    console: Shared<'_>,
    tryit: Requests<'_>,
    request: TryRequest,
) -> Result<TryCheck, CommandError> {
    tryit.check(&console, &request).await
}

#[tauri::command]
pub async fn tryit_send(
    console: Shared<'_>,
    tryit: Requests<'_>,
    environment: Environment,
    request: TryRequest,
    options: TrySendOptions,
) -> Result<TryResponse, CommandError> {
    tryit.send(&console, environment, &request, options).await
}

/// Follows every page, emitting `tryit-progress` after each page and while waiting.
#[tauri::command]
pub async fn tryit_fetch_all(
    app: AppHandle,
    console: Shared<'_>,
    tryit: Requests<'_>,
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

#[tauri::command]
pub fn tryit_cancel(tryit: Requests<'_>, run_id: String) -> bool {
    tryit.cancel(&run_id)
}

#[tauri::command]
pub async fn tryit_snippets(
    console: Shared<'_>,
    tryit: Requests<'_>,
    request: TryRequest,
    inline_key: bool,
) -> Result<Vec<TrySnippet>, CommandError> {
    tryit.snippets(&console, &request, inline_key).await
}

#[tauri::command]
pub async fn tryit_parse_curl(
    console: Shared<'_>,
    tryit: Requests<'_>,
    text: String,
    credential: String,
) -> Result<TryParsedCurl, CommandError> {
    tryit.parse_curl(&console, &text, &credential).await
}

#[tauri::command]
pub async fn tryit_history(
    console: Shared<'_>,
    tryit: Requests<'_>,
    query: String,
) -> Result<Vec<TryHistoryItem>, CommandError> {
    tryit.history_list(&console, &query).await
}

#[tauri::command]
pub async fn tryit_history_entry(
    console: Shared<'_>,
    tryit: Requests<'_>,
    id: i64,
) -> Result<TryHistoryEntry, CommandError> {
    tryit.history_entry(&console, id).await
}

#[tauri::command]
pub async fn tryit_clear_history(
    console: Shared<'_>,
    tryit: Requests<'_>,
) -> Result<u64, CommandError> {
    tryit.clear_history(&console).await
}
