//! `botbat trigger TYPE`: the Event Simulator from a terminal. The event's data starts
//! from the type's realistic example, takes `--data` merged over it and each `--set`, is
//! sent, and then followed into each subscribed endpoint's first delivery result.

use std::time::Duration;

use botbat_api::SimulateEventRequest;
use botbat_console_core::webhooks::EventDelivery;
use botbat_console_core::{CommandError, ConsoleCode, Environment};
use serde_json::{json, Map, Value};

use crate::cli::TriggerArgs;
use crate::context::{read_data, usage, Ctx, Result};
use crate::output::{paint, status_style, BOLD, DIM};

/// Objects merge key by key; anything else replaces.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, over) => *base = over,
    }
}

/// `data.contact.name=Ann`: the value is JSON when it parses as JSON, else a string.
fn set_path(data: &mut Value, raw: &str) -> Result<()> {
    let (path, value) = raw
        .split_once('=')
        .ok_or_else(|| usage(format!("--set {raw:?}: use data.PATH=VALUE")))?;
    let path = path.trim();
    let path = path.strip_prefix("data.").unwrap_or(path);
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(usage(format!(
            "--set {raw:?}: the path is empty; use data.PATH=VALUE"
        )));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string()));
    let mut at = data;
    for part in path.split('.') {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else {
            return Err(usage(format!(
                "--set {raw:?}: cannot set a field inside a non-object"
            )));
        };
        at = map.entry(part.to_string()).or_insert(Value::Null);
    }
    *at = value;
    Ok(())
}

pub async fn run(ctx: &mut Ctx, args: TriggerArgs) -> Result<()> {
    if ctx.environment != Environment::Sandbox {
        return Err(CommandError::new(
            ConsoleCode::SandboxOnly,
            "botbat trigger runs only in the Sandbox: production events come from real activity.",
        ));
    }
    ctx.connect().await?;
    let environment = ctx.environment;
    let types = ctx.console.event_types(environment).await?;
    let Some(info) = types.iter().find(|t| t.event_type == args.event_type) else {
        let group = args.event_type.split('.').next().unwrap_or_default();
        let near: Vec<&str> = types
            .iter()
            .map(|t| t.event_type.as_str())
            .filter(|t| t.starts_with(group))
            .collect();
        return Err(usage(format!(
            "{:?} is not an event type{}",
            args.event_type,
            if near.is_empty() {
                "; GET /v1/events/types lists them".to_string()
            } else {
                format!("; did you mean one of {}?", near.join(", "))
            }
        )));
    };
    let mut data = info.example.clone();
    if let Some(raw) = &args.data {
        let over: Value = serde_json::from_str(&read_data(raw)?)
            .map_err(|e| usage(format!("--data is not JSON: {e}")))?;
        if !over.is_object() {
            return Err(usage("--data must be a JSON object"));
        }
        merge(&mut data, over);
    }
    for raw in &args.sets {
        set_path(&mut data, raw)?;
    }
    let event = ctx
        .console
        .simulate_event(
            environment,
            SimulateEventRequest {
                event_type: args.event_type.clone(),
                data: Some(data),
                force_delivery_failure: Some(args.fail_first),
            },
        )
        .await?;
    if !ctx.out.json {
        ctx.out.line(format!(
            "{} {} {}",
            paint(BOLD, "Triggered"),
            event.event_type,
            paint(BOLD, &event.id)
        ));
    }
    let limit = Duration::from_secs(args.wait);
    let console = ctx.console.clone();
    let settled = super::wait_for(limit, Duration::from_millis(400), || {
        let console = console.clone();
        let event = event.clone();
        async move {
            let found = console.event_deliveries(environment, &event).await.ok()?;
            let done = found
                .iter()
                .all(|d| d.delivery.as_ref().is_some_and(|d| !d.attempts.is_empty()));
            done.then_some(found)
        }
    })
    .await;
    let deliveries = match settled {
        Some(found) => found,
        None => ctx.console.event_deliveries(environment, &event).await?,
    };
    if ctx.out.json {
        ctx.out.json(&json!({
            "event": event,
            "deliveries": deliveries.iter().map(delivery_json).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    if deliveries.is_empty() {
        ctx.out.line(paint(
            DIM,
            "No enabled endpoint receives this type; botbat listen still gets it through the tunnel.",
        ));
    }
    for d in &deliveries {
        let first = d.delivery.as_ref().and_then(|d| d.attempts.first());
        let result = match first {
            None => paint(DIM, format!("no attempt within {} s", args.wait)),
            Some(a) => match (a.response_status, &a.error) {
                (Some(s), _) => format!(
                    "{} {}",
                    paint(status_style(Some(s)), s),
                    paint(
                        DIM,
                        a.latency_ms
                            .map(|ms| format!("{ms} ms"))
                            .unwrap_or_default()
                    )
                ),
                (None, error) => paint(
                    status_style(None),
                    error.clone().unwrap_or_else(|| "no answer".into()),
                ),
            },
        };
        let retry = d
            .delivery
            .as_ref()
            .and_then(|d| d.next_attempt_at)
            .map(|t| paint(DIM, format!(" (next attempt {})", ctx.out.time(t))))
            .unwrap_or_default();
        ctx.out.line(format!(
            "  {}  {}  → {result}{retry}",
            d.webhook.id, d.webhook.url
        ));
    }
    Ok(())
}

fn delivery_json(d: &EventDelivery) -> Value {
    let first = d.delivery.as_ref().and_then(|d| d.attempts.first());
    json!({
        "webhook_id": d.webhook.id,
        "url": d.webhook.url,
        "delivery_id": d.delivery.as_ref().map(|d| d.id.clone()),
        "status": d.delivery.as_ref().map(|d| d.status),
        "first_attempt": first.map(|a| json!({
            "response_status": a.response_status,
            "latency_ms": a.latency_ms,
            "error": a.error,
        })),
        "next_attempt_at": d.delivery.as_ref().and_then(|d| d.next_attempt_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_data_shape_the_example() {
        let mut data = json!({"message": {"id": "msg_1", "status": "sent"}, "n": 1});
        merge(&mut data, json!({"message": {"status": "read"}}));
        set_path(&mut data, "data.message.channel=sms").expect("set");
        set_path(&mut data, "data.n=2").expect("set");
        set_path(&mut data, "data.extra.flag=true").expect("set");
        assert_eq!(
            data,
            json!({"message": {"id": "msg_1", "status": "read", "channel": "sms"}, "n": 2, "extra": {"flag": true}})
        );
        assert!(set_path(&mut data, "data.").is_err());
        assert!(set_path(&mut data, "novalue").is_err());
    }
}
