//! `botbat webhooks`: endpoints, deliveries, resends and signing secrets, as the Webhooks
//! panel does them. A signing secret is printed once and kept only with `--keep`.

use botbat_api::{Delivery, DeliveryStatus, SecretOverlap};
use botbat_console_core::webhooks::{DeliveryQuery, IssuedWebhookSecret, WebhookInput};
use chrono::Utc;
use serde_json::json;

use crate::cli::{Grace, WebhooksCommand};
use crate::context::{parse_duration, usage, Ctx, Result};
use crate::output::{paint, status_style, Cell, BOLD, DIM, GOOD, WARN};

fn overlap(grace: Grace) -> SecretOverlap {
    match grace {
        Grace::None => SecretOverlap::None,
        Grace::Hour => SecretOverlap::OneHour,
        Grace::Day => SecretOverlap::OneDay,
        Grace::Week => SecretOverlap::SevenDays,
    }
}

pub async fn run(ctx: &mut Ctx, command: WebhooksCommand) -> Result<()> {
    ctx.connect().await?;
    let environment = ctx.environment;
    match command {
        WebhooksCommand::List => {
            let rows = ctx.console.list_webhooks(environment).await?;
            if ctx.out.json {
                ctx.out.json(&rows);
                return Ok(());
            }
            let table: Vec<Vec<Cell>> = rows
                .iter()
                .map(|row| {
                    let w = &row.webhook;
                    vec![
                        Cell::from(w.id.clone()),
                        Cell::from(w.url.clone()),
                        Cell::from(w.event_types.join(" ")),
                        match (&w.disabled_reason, w.enabled) {
                            (Some(_), _) => Cell::styled("disabled by BotBat", status_style(None)),
                            (None, true) => Cell::styled("enabled", GOOD),
                            (None, false) => Cell::styled("disabled", DIM),
                        },
                        Cell::from(w.secret_masked.clone()),
                        Cell::from(if row.secret_stored { "yes" } else { "" }),
                        Cell::from(ctx.out.time(w.created_at)),
                    ]
                })
                .collect();
            ctx.out.table(
                &["ID", "URL", "EVENTS", "STATUS", "SECRET", "KEPT", "CREATED"],
                &table,
            );
            Ok(())
        }
        WebhooksCommand::Create {
            url,
            events,
            description,
            keep,
        } => {
            ctx.check_keep(keep)?;
            ctx.confirm_write("webhooks create")?;
            let issued = ctx
                .console
                .create_webhook(
                    environment,
                    WebhookInput {
                        url,
                        event_types: events,
                        description,
                        enabled: true,
                    },
                )
                .await?;
            hand_over(ctx, issued, keep).await
        }
        WebhooksCommand::Deliveries { id, status } => {
            if let Some(s) = &status {
                if !["pending", "succeeded", "failed"].contains(&s.as_str()) {
                    return Err(usage(format!(
                        "--status {s:?}: use pending, succeeded or failed"
                    )));
                }
            }
            let page = ctx
                .console
                .list_deliveries(
                    environment,
                    &id,
                    DeliveryQuery {
                        status,
                        ..DeliveryQuery::default()
                    },
                )
                .await?;
            if ctx.out.json {
                ctx.out.json(&page);
                return Ok(());
            }
            let table: Vec<Vec<Cell>> = page.data.iter().map(|d| delivery_row(ctx, d)).collect();
            ctx.out.table(DELIVERY_COLUMNS, &table);
            if page.cursor.is_some() {
                ctx.out.note(paint(
                    DIM,
                    format!("showing the newest {} of {}", page.data.len(), page.total),
                ));
            }
            Ok(())
        }
        WebhooksCommand::Resend { id, delivery_id } => {
            ctx.confirm_write("webhooks resend")?;
            let delivery = ctx
                .console
                .resend_delivery(environment, &id, &delivery_id)
                .await?;
            if ctx.out.json {
                ctx.out.json(&delivery);
            } else {
                ctx.out
                    .table(DELIVERY_COLUMNS, &[delivery_row(ctx, &delivery)]);
            }
            Ok(())
        }
        WebhooksCommand::ResendFailed { id, since } => {
            let since = Utc::now() - parse_duration(&since)?;
            ctx.confirm_write("webhooks resend-failed")?;
            let report = ctx
                .console
                .resend_failed_since(environment, &id, since)
                .await?;
            if ctx.out.json {
                ctx.out.json(&report);
            } else {
                ctx.out.line(format!(
                    "Resent {} failed deliveries: {} succeeded, {} failed",
                    report.attempted, report.succeeded, report.failed
                ));
                for error in &report.errors {
                    ctx.out.line(paint(DIM, format!("  {error}")));
                }
            }
            Ok(())
        }
        WebhooksCommand::RotateSecret {
            id,
            overlap: grace,
            keep,
        } => {
            ctx.check_keep(keep)?;
            ctx.confirm_write("webhooks rotate-secret")?;
            let issued = ctx
                .console
                .rotate_webhook_secret(environment, &id, overlap(grace))
                .await?;
            hand_over(ctx, issued, keep).await
        }
    }
}

const DELIVERY_COLUMNS: &[&str] = &[
    "ID",
    "EVENT",
    "TYPE",
    "STATUS",
    "ANSWER",
    "LATENCY",
    "ATTEMPTS",
    "NEXT RETRY",
    "CREATED",
];

fn delivery_row(ctx: &Ctx, d: &Delivery) -> Vec<Cell> {
    let last = d.attempts.last();
    vec![
        Cell::from(d.id.clone()),
        Cell::from(d.event_id.clone()),
        Cell::from(d.event_type.clone()),
        match d.status {
            DeliveryStatus::Succeeded => Cell::styled("succeeded", GOOD),
            DeliveryStatus::Pending => Cell::styled("pending", WARN),
            DeliveryStatus::Failed => Cell::styled("failed", status_style(None)),
        },
        match last {
            Some(a) => match (a.response_status, &a.error) {
                (Some(s), _) => Cell::styled(s.to_string(), status_style(Some(s))),
                (None, Some(e)) => Cell::styled(e.clone(), status_style(None)),
                (None, None) => Cell::from("-"),
            },
            None => Cell::from("-"),
        },
        Cell::from(
            last.and_then(|a| a.latency_ms)
                .map(|ms| format!("{ms} ms"))
                .unwrap_or_else(|| "-".into()),
        ),
        Cell::from(d.attempts.len().to_string()),
        Cell::from(
            d.next_attempt_at
                .map(|t| ctx.out.time(t))
                .unwrap_or_else(|| "-".into()),
        ),
        Cell::from(ctx.out.time(d.created_at)),
    ]
}

async fn hand_over(ctx: &Ctx, issued: IssuedWebhookSecret, keep: bool) -> Result<()> {
    let kept = if keep {
        ctx.console
            .keep_webhook_secret(ctx.environment, &issued.webhook.id)
            .await?;
        true
    } else {
        ctx.console.discard_issued_secret(&issued.webhook.id);
        false
    };
    if ctx.out.json {
        ctx.out.json(&json!({
            "webhook": issued.webhook,
            "secret": issued.secret,
            "previous_secret_expires_at": issued.previous_secret_expires_at,
            "kept_in_keychain": kept,
        }));
        return Ok(());
    }
    let w = &issued.webhook;
    ctx.out.fields(&[
        ("id", w.id.clone()),
        ("url", w.url.clone()),
        ("events", w.event_types.join(" ")),
        ("environment", super::environment_label(ctx.environment)),
    ]);
    if let Some(until) = issued.previous_secret_expires_at {
        ctx.out.line(paint(
            DIM,
            format!(
                "the previous secret keeps signing until {}",
                until.to_rfc3339()
            ),
        ));
    }
    ctx.out.line(format!(
        "{} {}",
        paint(BOLD, "Signing secret (shown once):"),
        issued.secret
    ));
    ctx.out.note(paint(
        DIM,
        if kept {
            "Kept in the OS keychain: the Inspector verifies this endpoint's deliveries with it."
        } else {
            "Not stored anywhere: copy it now (use --keep to keep it in the OS keychain)."
        },
    ));
    Ok(())
}
