//! One module per command group; each takes the context, calls console-core, prints.

mod keys;
mod listen;
mod logs;
mod request;
mod trigger;
mod usage;
mod webhooks;

use std::time::Duration;

use botbat_api::ErrorCode;
use botbat_console_core::{Code, CommandError, ConsoleCode, Environment, SandboxRole};
use clap::CommandFactory;
use serde_json::json;

use crate::cli::{Cli, Command, EnvAction};
use crate::context::{Ctx, Result};
use crate::output::{paint, Cell, BAD, DIM, GOOD, PRODUCTION};

pub async fn run(ctx: &mut Ctx, command: Command) -> Result<()> {
    match command {
        Command::Status => status(ctx).await,
        Command::Env { action } => env(ctx, action),
        Command::Listen(args) => listen::run(ctx, args).await,
        Command::Trigger(args) => trigger::run(ctx, args).await,
        Command::Logs { command } => logs::run(ctx, command).await,
        Command::Request(args) => request::run(ctx, args).await,
        Command::Keys { command } => keys::run(ctx, command).await,
        Command::Webhooks { command } => webhooks::run(ctx, command).await,
        Command::Usage { command } => usage::run(ctx, command).await,
        Command::Completion { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "botbat", &mut std::io::stdout());
            Ok(())
        }
    }
}

pub fn environment_label(environment: Environment) -> String {
    match environment {
        Environment::Sandbox => paint(GOOD, "Sandbox"),
        Environment::Production => paint(PRODUCTION, "PRODUCTION"),
    }
}

/// How the sandbox in use is served, for `status` and `listen`.
pub fn sandbox_json(ctx: &Ctx) -> serde_json::Value {
    match ctx.sandbox_role() {
        None => serde_json::Value::Null,
        Some(SandboxRole::Serving) => {
            json!({ "role": "serving", "pid": std::process::id(), "program": "botbat" })
        }
        Some(SandboxRole::Client(record)) => {
            json!({ "role": "client", "pid": record.pid, "program": record.program })
        }
    }
}

fn sandbox_text(ctx: &Ctx) -> Option<String> {
    Some(match ctx.sandbox_role()? {
        SandboxRole::Serving => "embedded, served by this botbat".to_string(),
        SandboxRole::Client(record) => {
            format!(
                "embedded, served by {} (pid {})",
                record.program, record.pid
            )
        }
    })
}

/// What to do about a failed connection test, in the terminal's words.
fn advice(error: &CommandError) -> Option<&'static str> {
    Some(match error.code {
        Code::Platform(ErrorCode::Unauthorized) => "The management key is missing, invalid, revoked or expired. Set BOTBAT_API_KEY, or store a key in the console's Settings.",
        Code::Platform(ErrorCode::Forbidden) => "The management key lacks the scope named above. Use a key that has it.",
        Code::Console(ConsoleCode::Unreachable) => "The API could not be reached. Check --base-url (or the console's Settings) and that the server is running.",
        Code::Console(ConsoleCode::NoManagementKey) => "Store a management key in the console's Settings (it goes to the OS keychain), or set BOTBAT_API_KEY.",
        Code::Console(ConsoleCode::KeychainUnavailable) => "The OS keychain is unavailable. Set BOTBAT_API_KEY to run without it.",
        _ => return None,
    })
}

async fn status(ctx: &mut Ctx) -> Result<()> {
    let environment = ctx.environment;
    let outcome = async {
        ctx.connect().await?;
        let report = ctx.console.test_connection(environment).await?;
        let limits = ctx
            .console
            .client(environment)
            .await?
            .rate_limits()
            .await?
            .data;
        Ok::<_, CommandError>((report, limits))
    }
    .await;
    let base_url = ctx.console.base_url(environment);
    match outcome {
        Ok((report, limits)) => {
            if ctx.out.json {
                ctx.out.json(&json!({
                    "environment": environment,
                    "base_url": report.base_url,
                    "key": { "id": report.key_id, "name": report.key_name, "masked": report.masked_key, "scopes": report.scopes },
                    "credential": if ctx.ci_key { "env" } else { "keychain" },
                    "plan": report.plan,
                    "limits": limits,
                    "latency_ms": report.latency_ms,
                    "sandbox": sandbox_json(ctx),
                }));
                return Ok(());
            }
            let mut fields = vec![
                ("environment", environment_label(environment)),
                ("base URL", report.base_url.clone()),
                (
                    "key",
                    format!(
                        "{} {}",
                        report.masked_key,
                        paint(
                            DIM,
                            format!(
                                "({}, {}, from {})",
                                report.key_name,
                                report.key_id,
                                if ctx.ci_key {
                                    "BOTBAT_API_KEY"
                                } else {
                                    "the keychain"
                                }
                            )
                        )
                    ),
                ),
                ("scopes", report.scopes.join(" ")),
                ("plan", report.plan.clone()),
                (
                    "limits",
                    format!(
                        "{}/s per key ({} left), {}/min per org ({} left)",
                        limits.per_key.limit,
                        limits.per_key.remaining,
                        limits.per_org.limit,
                        limits.per_org.remaining
                    ),
                ),
                ("latency", format!("{} ms", report.latency_ms)),
            ];
            if let Some(text) = sandbox_text(ctx) {
                fields.push(("sandbox", text));
            }
            ctx.out.fields(&fields);
            Ok(())
        }
        Err(error) => {
            if !ctx.out.json {
                ctx.out.fields(&[
                    ("environment", environment_label(environment)),
                    ("base URL", base_url),
                    ("connection", paint(BAD, "failed")),
                ]);
                if let Some(advice) = advice(&error) {
                    ctx.out.note(paint(DIM, advice));
                }
            }
            Err(error)
        }
    }
}

fn env(ctx: &mut Ctx, action: Option<EnvAction>) -> Result<()> {
    if let Some(EnvAction::Use { environment }) = action {
        let environment = Environment::from(environment);
        let stored = ctx.profile.preferences();
        let console = botbat_console_core::Console::new(
            Box::new(stored),
            ctx.secrets.clone(),
            botbat_console_core::KeychainState {
                available: true,
                message: None,
            },
            env!("CARGO_PKG_VERSION"),
        );
        console.set_environment(environment)?;
        ctx.environment = environment;
    }
    let preferences = ctx.profile.preferences();
    let active = botbat_console_core::PreferencesStore::load(&preferences)
        .unwrap_or_default()
        .active_environment;
    let rows: Vec<(Environment, String)> = Environment::ALL
        .into_iter()
        .map(|e| (e, ctx.console.base_url(e)))
        .collect();
    if ctx.out.json {
        ctx.out.json(&json!({
            "active": active,
            "environments": rows.iter().map(|(e, url)| json!({
                "environment": e,
                "base_url": if url.is_empty() { serde_json::Value::Null } else { json!(url) },
                "active": *e == active,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    let table: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|(e, url)| {
            vec![
                Cell::from(if e == active { "*" } else { "" }),
                Cell::from(e.as_str()),
                Cell::from(if url.is_empty() {
                    "embedded (started on demand)".to_string()
                } else {
                    url
                }),
            ]
        })
        .collect();
    ctx.out.table(&["", "ENVIRONMENT", "BASE URL"], &table);
    Ok(())
}

/// Ends on Ctrl-C or SIGTERM.
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Polls `check` until it gives a value or `limit` passes.
pub async fn wait_for<T, F, Fut>(limit: Duration, every: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}
