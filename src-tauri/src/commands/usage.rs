//! Adapters for the Usage panel and the Dashboard's chart over `UsageCache`. Sync progress
//! reaches the window as `usage-sync-progress` events (emitted by the notifier set up in
//! `lib.rs`).

use std::sync::Arc;

use botbat_api::SeedUsageReport;
use botbat_console_core::usage::{
    UsageChart, UsageChartRequest, UsageExport, UsageExportFormat, UsageOverview, UsageSyncReport,
};
use botbat_console_core::{CommandError, Environment, UsageCache};
use tauri::State;

type Usage<'a> = State<'a, Arc<UsageCache>>;

#[tauri::command]
pub async fn usage_overview(usage: Usage<'_>) -> Result<UsageOverview, CommandError> {
    usage.overview().await
}

#[tauri::command]
pub async fn usage_sync(
    usage: Usage<'_>,
    environment: Environment,
) -> Result<UsageSyncReport, CommandError> {
    usage.sync(environment).await
}

#[tauri::command]
pub fn usage_cancel_sync(usage: Usage<'_>, environment: Environment) -> bool {
    usage.cancel_sync(environment)
}

#[tauri::command]
pub async fn usage_chart(
    usage: Usage<'_>,
    request: UsageChartRequest,
) -> Result<UsageChart, CommandError> {
    usage.chart(&request).await
}

#[tauri::command]
pub async fn usage_export(
    usage: Usage<'_>,
    request: UsageChartRequest,
    format: UsageExportFormat,
) -> Result<UsageExport, CommandError> {
    usage.export(&request, format).await
}

#[tauri::command]
pub async fn usage_set_retention(
    usage: Usage<'_>,
    environment: Environment,
    days: u32,
) -> Result<UsageOverview, CommandError> {
    usage.set_retention(environment, days).await
}

#[tauri::command]
pub async fn usage_seed(
    usage: Usage<'_>,
    environment: Environment,
    days: u32,
    requests: u32,
) -> Result<SeedUsageReport, CommandError> {
    usage.seed(environment, days, requests).await
}
