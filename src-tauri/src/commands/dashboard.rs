//! The Dashboard's summary card. Its usage chart is `usage::usage_chart`.

use botbat_console_core::{Console, DashboardSummary};

adapters! {
    fn dashboard_summary(console: Console; include_console: bool) -> DashboardSummary {
        console.dashboard_summary(include_console).await
    }
}
