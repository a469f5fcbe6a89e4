//! Adapters for the Usage panel and the Dashboard's chart over `UsageCache`. Sync progress
//! reaches the window as `usage-sync-progress` events (emitted by the notifier set up in
//! `lib.rs`).

use std::sync::Arc;

use botbat_api::SeedUsageReport;
use botbat_console_core::usage::{
    UsageChart, UsageChartRequest, UsageExport, UsageExportFormat, UsageLogPage, UsageLogRequest,
    UsageOverview, UsageSyncReport,
};
use botbat_console_core::{Environment, UsageCache};
use tauri::State;

/// Stops an environment's sync; true when one was running.
#[tauri::command]
pub fn usage_cancel_sync(usage: State<'_, Arc<UsageCache>>, environment: Environment) -> bool {
    usage.cancel_sync(environment)
}

adapters! {
    fn usage_overview(usage: UsageCache) -> UsageOverview {
        usage.overview().await
    }

    fn usage_sync(usage: UsageCache; environment: Environment) -> UsageSyncReport {
        usage.sync(environment).await
    }

    fn usage_chart(usage: UsageCache; request: UsageChartRequest) -> UsageChart {
        usage.chart(&request).await
    }

    fn usage_log(usage: UsageCache; request: UsageLogRequest) -> UsageLogPage {
        usage.log(&request).await
    }

    fn usage_export(usage: UsageCache; request: UsageChartRequest, format: UsageExportFormat) -> UsageExport {
        usage.export(&request, format).await
    }

    fn usage_set_retention(usage: UsageCache; environment: Environment, days: u32) -> UsageOverview {
        usage.set_retention(environment, days).await
    }

    fn usage_seed(usage: UsageCache; environment: Environment, days: u32, requests: u32) -> SeedUsageReport {
        usage.seed(environment, days, requests).await
    }
}
