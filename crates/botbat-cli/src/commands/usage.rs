//! `botbat usage`: the Usage panel's cache (`<environment>/usage.sqlite`), synced with a
//! progress bar, and its charts written to a file.

use std::sync::Arc;

use botbat_console_core::usage::{
    ChartTheme, UsageChartKind, UsageChartRequest, UsageExportFormat, UsageRange, UsageSyncProgress,
};
use botbat_console_core::{CommandError, ConsoleCode, UsageCache};
use serde_json::json;

use crate::cli::{ChartName, FormatName, RangeName, UsageCommand};
use crate::context::{Ctx, Result};
use crate::output::{paint, progress_bar, DIM};

pub async fn run(ctx: &mut Ctx, command: UsageCommand) -> Result<()> {
    match command {
        UsageCommand::Sync => sync(ctx).await,
        UsageCommand::Export {
            chart,
            range,
            format,
            tz,
            output,
        } => export(ctx, chart, range, format, tz, &output).await,
    }
}

fn cache(ctx: &Ctx, notify: botbat_console_core::UsageNotifier) -> UsageCache {
    UsageCache::new(
        ctx.console.clone(),
        ctx.profile.data_dir.join("exports"),
        notify,
    )
}

async fn sync(ctx: &mut Ctx) -> Result<()> {
    ctx.connect().await?;
    let bar = progress_bar(&ctx.out, "{spinner} {bar:30} {pos}/{len} requests {msg}");
    let shown = bar.clone();
    let cache = cache(
        ctx,
        Arc::new(move |p: UsageSyncProgress| {
            if let Some(remaining) = p.remaining {
                shown.set_length(p.rows + remaining);
            }
            shown.set_position(p.rows);
            shown.set_message(format!(
                "{:.0} rows/s{}",
                p.rows_per_second,
                p.reached
                    .as_deref()
                    .map(|r| format!(", up to {r}"))
                    .unwrap_or_default()
            ));
        }),
    );
    let report = cache.sync(ctx.environment).await;
    bar.finish_and_clear();
    let report = report?;
    if ctx.out.json {
        ctx.out.json(&report);
    } else {
        ctx.out.line(format!(
            "Synced {} requests in {} pages ({:.1} s, {:.0} rows/s) into {}",
            report.rows,
            report.pages,
            report.seconds,
            report.rows_per_second,
            paint(
                DIM,
                ctx.console
                    .local_file(ctx.environment, botbat_console_core::usage::USAGE_FILE)?
                    .display()
            )
        ));
    }
    Ok(())
}

async fn export(
    ctx: &Ctx,
    chart: ChartName,
    range: RangeName,
    format: FormatName,
    tz: Option<String>,
    output: &std::path::Path,
) -> Result<()> {
    let time_zone = match tz {
        Some(zone) => zone,
        None => iana_time_zone::get_timezone().map_err(|e| {
            CommandError::invalid_input(
                "tz",
                format!("Could not tell the system's time zone ({e}): pass one, e.g. --tz Europe/Berlin."),
            )
        })?,
    };
    let request = UsageChartRequest {
        chart: match chart {
            ChartName::Volume => UsageChartKind::Volume,
            ChartName::Errors => UsageChartKind::Errors,
            ChartName::Latency => UsageChartKind::Latency,
            ChartName::Limits => UsageChartKind::RateLimits,
        },
        breakdown: None,
        range: match range {
            RangeName::Day => UsageRange::LastDay,
            RangeName::Week => UsageRange::LastWeek,
            RangeName::Month => UsageRange::LastMonth,
        },
        from: None,
        to: None,
        key_id: None,
        endpoint: None,
        status: None,
        include_console: None,
        width: 960,
        height: 360,
        theme: ChartTheme::Light,
        time_zone,
    };
    let format = match format {
        FormatName::Svg => UsageExportFormat::Svg,
        FormatName::Png => UsageExportFormat::Png,
        FormatName::Csv => UsageExportFormat::Csv,
    };
    let cache = cache(ctx, Arc::new(|_| {}));
    let bytes = cache.render(ctx.environment, &request, format).await?;
    std::fs::write(output, &bytes).map_err(|e| {
        CommandError::new(
            ConsoleCode::ExportFailed,
            format!("Could not write {}: {e}", output.display()),
        )
    })?;
    let overview = cache.overview_of(ctx.environment).await?;
    if ctx.out.json {
        ctx.out.json(&json!({
            "path": output.display().to_string(),
            "bytes": bytes.len(),
            "as_of": overview.as_of,
        }));
    } else {
        ctx.out.line(format!(
            "Wrote {} ({} bytes), from the cache as of {}",
            output.display(),
            bytes.len(),
            overview
                .as_of
                .as_deref()
                .unwrap_or("never synced: run botbat usage sync")
        ));
    }
    Ok(())
}
