//! `botbat listen`: the tunnel from a terminal.
//!
//! It is the Inspector's tunnel (console-core's `Inspectors`): events are captured in the
//! environment's `inspector.sqlite` before they are forwarded and acked, the tunnel resumes
//! after the last acked event, and an event already captured is never forwarded again. What
//! this command adds is what a process under a supervisor needs: a freshness clock that
//! counts every frame (event or heartbeat), `--exit-on-stale` to exit with code 3 when the
//! clock runs out, and `/healthz` that answers 200 only while connected and fresh.
//!
//! A process stopped (SIGSTOP, a laptop asleep) is not a stale connection: when the
//! freshness watchdog itself wakes up late, it gives the connection a fresh period to show
//! it is alive before judging it.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Json;
use botbat_console_core::inspector::{InspectorSettings, TunnelOptions};
use botbat_console_core::{CommandError, ConsoleCode, InspectorEvent, Inspectors, SandboxRole};
use botbat_webhooks::capture::{CaptureSource, CaptureSummary};
use botbat_webhooks::forward::{glob_match, parse_target, ForwardRoute};
use botbat_webhooks::tunnel::{TunnelState, TunnelStatus};
use serde_json::json;
use tokio::sync::mpsc;

use crate::cli::ListenArgs;
use crate::context::{usage, Ctx, Result};
use crate::output::{clock, paint, status_style, BOLD, DIM, WARN};

/// How often freshness is judged.
const TICK: Duration = Duration::from_millis(250);
/// A watchdog tick this late means the process itself was not running.
const SUSPENDED: Duration = Duration::from_secs(2);

/// Connected and fresh, as `/healthz` and `--exit-on-stale` see it.
struct Freshness {
    connected: bool,
    last_frame: Instant,
    stale_after: Duration,
}

impl Freshness {
    fn fresh(&self) -> bool {
        self.last_frame.elapsed() <= self.stale_after
    }
}

type Shared = Arc<Mutex<Freshness>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Freshness> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// `message.*=http://localhost:3000/messages`
fn parse_route(raw: &str, known: &[String]) -> Result<ForwardRoute> {
    let (pattern, url) = raw.split_once('=').ok_or_else(|| {
        usage(format!(
            "--forward {raw:?}: use TYPE_GLOB=URL, e.g. 'message.*=http://localhost:3000/messages'"
        ))
    })?;
    let pattern = pattern.trim().to_string();
    if !known.iter().any(|t| glob_match(&pattern, t)) {
        return Err(usage(format!(
            "--forward {raw:?}: {pattern:?} matches no event type (GET /v1/events/types lists them)"
        )));
    }
    let target = parse_target(url).map_err(|issue| usage(format!("--forward {raw:?}: {issue}")))?;
    Ok(ForwardRoute { pattern, target })
}

/// The exact types the globs of `--events` cover; a glob that covers none is a mistake.
fn expand_types(globs: &[String], known: &[String]) -> Result<Option<Vec<String>>> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut types = BTreeSet::new();
    for glob in globs.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        let matched: Vec<&String> = known.iter().filter(|t| glob_match(glob, t)).collect();
        if matched.is_empty() {
            return Err(usage(format!(
                "--events: {glob:?} matches no event type (GET /v1/events/types lists them)"
            )));
        }
        types.extend(matched.into_iter().cloned());
    }
    Ok(Some(types.into_iter().collect()))
}

async fn serve_health(addr: SocketAddr, freshness: Shared) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| usage(format!("--health: cannot listen on {addr}: {e}")))?;
    let bound = listener.local_addr().unwrap_or(addr);
    let app = axum::Router::new().route(
        "/healthz",
        get(move || {
            let freshness = freshness.clone();
            async move {
                let f = lock(&freshness);
                let state = match (f.connected, f.fresh()) {
                    (true, true) => "ok",
                    (true, false) => "stale",
                    (false, _) => "disconnected",
                };
                let code = if state == "ok" {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                let body = json!({
                    "status": state,
                    "connected": f.connected,
                    "seconds_since_last_frame": (f.last_frame.elapsed().as_secs_f64() * 10.0).round() / 10.0,
                });
                (code, Json(body))
            }
        }),
    );
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::warn!(%error, "the health endpoint stopped");
        }
    });
    Ok(bound)
}

pub async fn run(ctx: &mut Ctx, args: ListenArgs) -> Result<()> {
    ctx.connect().await?;
    let ctx: &Ctx = ctx;
    let environment = ctx.environment;
    let known: Vec<String> = ctx
        .console
        .event_types(environment)
        .await?
        .into_iter()
        .map(|t| t.event_type)
        .collect();
    if let Some(raw) = &args.forward_to {
        parse_target(raw).map_err(|issue| usage(format!("--forward-to: {issue}")))?;
    }
    let routes = args
        .forwards
        .iter()
        .map(|raw| parse_route(raw, &known))
        .collect::<Result<Vec<_>>>()?;
    let types = expand_types(&args.events, &known)?;
    let stale_after = Duration::from_secs(
        args.exit_on_stale
            .map(u64::from)
            .unwrap_or(u64::from(args.heartbeat) * 2 + 2),
    );
    // The platform must speak more often than the stale limit, or a quiet tunnel would
    // look dead.
    let heartbeat = match args.exit_on_stale {
        Some(limit) => args.heartbeat.min((limit / 3).max(1)),
        None => args.heartbeat,
    };
    let freshness: Shared = Arc::new(Mutex::new(Freshness {
        connected: false,
        last_frame: Instant::now(),
        stale_after,
    }));
    let health = match args.health {
        Some(addr) => Some(serve_health(addr, freshness.clone()).await?),
        None => None,
    };

    let (tx, mut events) = mpsc::unbounded_channel::<InspectorEvent>();
    let inspectors = Arc::new(Inspectors::new(
        ctx.console.clone(),
        Arc::new(move |event| {
            let _ = tx.send(event);
        }),
    ));
    inspectors
        .update_settings(
            environment,
            InspectorSettings {
                forward_target: args.forward_to.clone(),
                ..InspectorSettings::default()
            },
        )
        .await?;
    inspectors.set_routes(environment, routes.clone()).await?;
    let options = TunnelOptions {
        types: types.clone(),
        heartbeat_seconds: heartbeat,
    };
    let mut base_url = ctx.console.base_url(environment);
    inspectors
        .connect_tunnel_with(environment, options.clone())
        .await?;

    let printer = Printer {
        ctx,
        args: &args,
        inspectors: inspectors.clone(),
        health,
        routes: &routes,
        types: types.as_deref(),
    };
    let mut ready = false;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_tick = Instant::now();
    let mut checked_url = Instant::now();
    let interrupt = super::interrupted();
    tokio::pin!(interrupt);
    let outcome: Result<()> = loop {
        tokio::select! {
            _ = &mut interrupt => break Ok(()),
            event = events.recv() => match event {
                None => break Ok(()),
                Some(InspectorEvent::Tunnel { status, .. }) => {
                    let connected = matches!(status.state, TunnelState::Connected { .. });
                    {
                        let mut f = lock(&freshness);
                        f.connected = connected;
                        if connected {
                            f.last_frame = Instant::now();
                        }
                    }
                    if connected && !ready {
                        ready = true;
                        printer.ready(environment).await;
                    } else {
                        printer.state(&status);
                    }
                }
                Some(InspectorEvent::Capture { capture, .. }) => {
                    if capture.source == CaptureSource::Tunnel {
                        lock(&freshness).last_frame = Instant::now();
                        printer.capture(environment, &capture).await;
                    }
                }
            },
            _ = tick.tick() => {
                let now = Instant::now();
                let late = now.duration_since(last_tick) > SUSPENDED;
                last_tick = now;
                if late {
                    lock(&freshness).last_frame = now;
                    continue;
                }
                let (connected, fresh) = {
                    let f = lock(&freshness);
                    (f.connected, f.fresh())
                };
                if !fresh {
                    if let Some(limit) = args.exit_on_stale {
                        break Err(CommandError::new(
                            ConsoleCode::ListenerStale,
                            format!(
                                "No heartbeat or event for {limit} s{}: exiting so a supervisor can restart the listener (it resumes after the last acknowledged event).",
                                if connected { "" } else { " (not connected)" }
                            ),
                        ));
                    }
                }
                if checked_url.elapsed() >= Duration::from_secs(1) {
                    checked_url = now;
                    let current = ctx_base_url(&printer);
                    if !current.is_empty() && current != base_url {
                        base_url = current;
                        printer.note(format!("the sandbox moved to {base_url}; reconnecting"));
                        inspectors.disconnect_tunnel(environment).await?;
                        inspectors.connect_tunnel_with(environment, options.clone()).await?;
                    }
                }
            }
        }
    };
    inspectors.shutdown().await;
    outcome
}

fn ctx_base_url(printer: &Printer<'_>) -> String {
    printer.ctx.console.base_url(printer.ctx.environment)
}

struct Printer<'a> {
    ctx: &'a Ctx,
    args: &'a ListenArgs,
    inspectors: Arc<Inspectors>,
    health: Option<SocketAddr>,
    routes: &'a [ForwardRoute],
    types: Option<&'a [String]>,
}

impl Printer<'_> {
    fn note(&self, text: String) {
        if self.ctx.out.json {
            self.ctx
                .out
                .json_line(&json!({ "type": "note", "message": text }));
        } else {
            self.ctx.out.note(paint(DIM, text));
        }
    }

    async fn ready(&self, environment: botbat_console_core::Environment) {
        let secret = self
            .inspectors
            .tunnel_secret(environment)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let out = &self.ctx.out;
        if out.json {
            out.json_line(&json!({
                "type": "ready",
                "environment": environment,
                "base_url": self.ctx.console.base_url(environment),
                "signing_secret": secret,
                "forward_to": self.args.forward_to,
                "routes": self.routes.iter().map(|r| json!({"events": r.pattern, "url": r.target.as_str()})).collect::<Vec<_>>(),
                "events": self.types,
                "health": self.health.map(|a| format!("http://{a}/healthz")),
                "sandbox": super::sandbox_json(self.ctx),
            }));
            return;
        }
        out.line(format!(
            "{} {} Your webhook signing secret is {} (^C to quit)",
            paint(BOLD, "Ready!"),
            super::environment_label(environment),
            paint(BOLD, &secret)
        ));
        for route in self.routes {
            out.line(paint(
                DIM,
                format!("  {} → {}", route.pattern, route.target),
            ));
        }
        match &self.args.forward_to {
            Some(to) => out.line(paint(DIM, format!("  everything else → {to}"))),
            None if self.routes.is_empty() => out.line(paint(
                DIM,
                "  not forwarding: captured in the Inspector and acknowledged",
            )),
            None => {}
        }
        if let Some(addr) = self.health {
            out.line(paint(DIM, format!("  health: http://{addr}/healthz")));
        }
        if let Some(SandboxRole::Client(record)) = self.ctx.sandbox_role() {
            out.line(paint(
                DIM,
                format!(
                    "  using the sandbox served by {} (pid {})",
                    record.program, record.pid
                ),
            ));
        }
    }

    fn state(&self, status: &TunnelStatus) {
        let text = match &status.state {
            TunnelState::Connected { .. } | TunnelState::Connecting { .. } => return,
            TunnelState::Reconnecting {
                retry_at, error, ..
            } => {
                let seconds =
                    (*retry_at - chrono::Utc::now()).num_milliseconds().max(0) as f64 / 1000.0;
                format!("connection lost ({error}); reconnecting in {seconds:.1} s")
            }
            TunnelState::Stale { since } => {
                format!(
                    "no heartbeat since {}: the connection went stale; reconnecting",
                    clock(*since)
                )
            }
            TunnelState::Disconnected => "disconnected".to_string(),
        };
        if self.ctx.out.json {
            self.ctx
                .out
                .json_line(&json!({ "type": "status", "state": status.state, "message": text }));
        } else {
            self.ctx.out.note(paint(WARN, text));
        }
    }

    async fn capture(
        &self,
        environment: botbat_console_core::Environment,
        capture: &CaptureSummary,
    ) {
        let detail = self
            .inspectors
            .get_capture(environment, capture.id)
            .await
            .ok();
        let forward = detail.as_ref().and_then(|d| d.forward.clone());
        let event_type = capture.event_type.clone().unwrap_or_default();
        let event_id = capture.event_id.clone().unwrap_or_default();
        let out = &self.ctx.out;
        if out.json {
            let mut line = json!({
                "type": "event",
                "received_at": capture.received_at,
                "event_type": event_type,
                "event_id": event_id,
                "capture_id": capture.id,
                "forwarded_to": forward.as_ref().map(|f| f.url.clone()),
                "status": forward.as_ref().and_then(|f| f.status),
                "latency_ms": forward.as_ref().map(|f| f.latency_ms),
                "error": forward.as_ref().and_then(|f| f.error.clone()),
            });
            if self.args.print_json {
                line["body"] = detail
                    .as_ref()
                    .and_then(|d| serde_json::from_str(&d.body).ok())
                    .unwrap_or(serde_json::Value::Null);
            }
            out.json_line(&line);
            return;
        }
        if self.args.print_json {
            if let Some(detail) = &detail {
                out.line(&detail.body);
            }
            return;
        }
        let target = match &forward {
            Some(f) => {
                let result = match (f.status, &f.error) {
                    (Some(status), _) => paint(status_style(Some(status)), format!("[{status}]")),
                    (None, Some(error)) => paint(status_style(None), format!("[{error}]")),
                    (None, None) => paint(status_style(None), "[no answer]"),
                };
                format!(
                    "→ {} {result} {}",
                    f.url,
                    paint(DIM, format!("{} ms", f.latency_ms))
                )
            }
            None => paint(DIM, "(not forwarded)"),
        };
        out.line(format!(
            "{}  {}  {}  {target}",
            paint(DIM, clock(capture.received_at)),
            paint(BOLD, &event_type),
            event_id
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        ["message.sent", "message.delivered", "contact.created"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn event_globs_expand_to_known_types_and_refuse_typos() {
        let types = expand_types(&["message.*".into()], &known())
            .expect("valid")
            .expect("some");
        assert_eq!(types, vec!["message.delivered", "message.sent"]);
        let error = expand_types(&["mesage.*".into()], &known()).expect_err("typo");
        assert!(
            error.message.contains("matches no event type"),
            "{}",
            error.message
        );
        assert!(expand_types(&[], &known()).expect("none").is_none());
    }

    #[test]
    fn routes_need_a_pattern_that_matches_and_a_url() {
        let route = parse_route("contact.*=http://localhost:3000/contacts", &known()).expect("ok");
        assert_eq!(route.target.as_str(), "http://localhost:3000/contacts");
        assert!(parse_route("contact.*", &known()).is_err());
        assert!(parse_route("contacts.*=http://localhost:3000/", &known()).is_err());
        assert!(parse_route("contact.*=localhost:3000", &known()).is_err());
    }
}
