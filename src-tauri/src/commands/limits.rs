//! The Rate Limits panel: the current windows and the burst test, whose results reach the
//! window one by one as `burst-progress` events.

use std::sync::Arc;

use botbat_console_core::{BurstReport, CommandError, Console, Environment, RateLimitView};
use tauri::{AppHandle, Emitter, State};

adapters! {
    fn rate_limits_view(console: Console; include_console: bool) -> RateLimitView {
        console.rate_limits_view(include_console).await
    }
}

/// Runs the burst test, emitting each result as a `burst-progress` event as it lands.
#[tauri::command]
pub async fn burst_test(
    app: AppHandle,
    console: State<'_, Arc<Console>>,
    environment: Environment,
    key_id: Option<String>,
    count: u32,
) -> Result<BurstReport, CommandError> {
    console
        .burst_test(environment, key_id.as_deref(), count, |result| {
            if let Err(error) = app.emit("burst-progress", result) {
                tracing::warn!(%error, "could not emit burst progress");
            }
        })
        .await
}
