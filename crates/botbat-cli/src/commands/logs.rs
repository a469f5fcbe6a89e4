//! `botbat logs tail`: the platform's request log, live, through console-core's
//! `RequestLog` (the function the window's Requests view reads too).

use std::time::Duration;

use botbat_api::UsageRecord;
use botbat_console_core::requests::RequestLogFilter;
use chrono::Utc;
use serde_json::json;

use crate::cli::{LogsCommand, TailArgs};
use crate::context::{parse_duration, Ctx, Result};
use crate::output::{clock, paint, status_style, DIM};

/// How often a followed log is read again.
const POLL: Duration = Duration::from_millis(500);

pub async fn run(ctx: &mut Ctx, command: LogsCommand) -> Result<()> {
    match command {
        LogsCommand::Tail(args) => tail(ctx, args).await,
    }
}

async fn tail(ctx: &mut Ctx, args: TailArgs) -> Result<()> {
    let since = args
        .since
        .as_deref()
        .map(parse_duration)
        .transpose()?
        .map(|d| Utc::now() - d);
    ctx.connect().await?;
    let mut log = ctx
        .console
        .request_log(
            ctx.environment,
            RequestLogFilter {
                status: args.status.clone(),
                key_id: args.key.clone(),
                route: args.route.clone(),
                since,
            },
        )
        .await?;
    let follow = !args.no_follow;
    if !ctx.out.json && follow {
        ctx.out.note(paint(
            DIM,
            format!(
                "Tailing the {} request log (^C to quit)",
                ctx.environment.label()
            ),
        ));
    }
    let interrupt = super::interrupted();
    tokio::pin!(interrupt);
    loop {
        for record in log.next().await? {
            print(ctx, &record);
        }
        if !follow {
            return Ok(());
        }
        tokio::select! {
            _ = &mut interrupt => return Ok(()),
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

fn print(ctx: &Ctx, record: &UsageRecord) {
    if ctx.out.json {
        ctx.out.json_line(&json!({
            "time": record.time,
            "key_id": record.key_id,
            "method": record.method,
            "route": record.route,
            "status": record.status,
            "latency_ms": record.latency_ms,
            "request_id": record.request_id,
            "retry_after": record.retry_after,
        }));
        return;
    }
    let retry = match record.retry_after {
        Some(seconds) if record.status == 429 => format!("  Retry-After: {seconds}s"),
        _ => String::new(),
    };
    ctx.out.line(format!(
        "{}  {}  {:<6} {:<34} {}  {:>8}  {}{retry}",
        paint(DIM, clock(record.time)),
        record.key_id,
        record.method,
        record.route,
        paint(status_style(Some(record.status)), record.status),
        format!("{:.1} ms", record.latency_ms),
        record.request_id.as_deref().unwrap_or("-"),
    ));
}
