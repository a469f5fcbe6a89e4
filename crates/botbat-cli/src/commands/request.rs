//! `botbat request METHOD PATH`: Try It's engine from a terminal. The request is matched
//! to the environment's OpenAPI document, validated there (each field named as the
//! platform's 422 names it), sent with the management key, and recorded in the same
//! `history.sqlite` as the window's Try It.

use botbat_console_core::tryit::{
    TryIt, TryPair, TryProgress, TryRequest, TryResponse, TrySendOptions,
};
use botbat_console_core::{Code, ConsoleCode};
use botbat_console_core::{CommandError, Environment};
use serde_json::Value;

use crate::cli::RequestArgs;
use crate::context::{read_data, usage, Ctx, Result};
use crate::output::{paint, progress_bar, status_style, BOLD, DIM};

fn pair(raw: &str, separator: char, what: &str, example: &str) -> Result<TryPair> {
    let (name, value) = raw
        .split_once(separator)
        .ok_or_else(|| usage(format!("{what} {raw:?}: use {example}")))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(usage(format!(
            "{what} {raw:?}: the name is empty; use {example}"
        )));
    }
    Ok(TryPair::new(name, value.trim_start()))
}

fn build(args: &RequestArgs, mut request: TryRequest) -> Result<TryRequest> {
    for raw in &args.query {
        request
            .query
            .retain(|p| Some(p.name.as_str()) != raw.split('=').next());
        request.query.push(pair(raw, '=', "-q", "name=value")?);
    }
    for raw in &args.headers {
        let header = pair(raw, ':', "-H", "'Name: value'")?;
        if header.name.eq_ignore_ascii_case("authorization") {
            return Err(usage(
                "-H Authorization: the credential comes from the keychain or BOTBAT_API_KEY, never from an argument",
            ));
        }
        request.headers.push(header);
    }
    if let Some(data) = &args.data {
        let body = read_data(data)?;
        serde_json::from_str::<Value>(&body).map_err(|e| {
            CommandError::invalid_input("body", format!("the body is not JSON: {e}"))
        })?;
        request.body = Some(body);
        if !request
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type"))
        {
            request
                .headers
                .push(TryPair::new("Content-Type", "application/json"));
        }
    }
    Ok(request)
}

pub async fn run(ctx: &mut Ctx, args: RequestArgs) -> Result<()> {
    let tryit = ctx.tryit();
    if let Some(name) = args.connection.clone() {
        return to_connection(ctx, &tryit, &args, &name).await;
    }
    ctx.connect().await?;
    let environment = ctx.environment;
    let request = build(
        &args,
        tryit
            .resolve(&ctx.console, &args.method, &args.path)
            .await?,
    )?;
    if request.method != "GET" && environment == Environment::Production {
        ctx.confirm_write(&format!("{} {}", request.method, args.path))?;
    }
    let options = TrySendOptions {
        force: false,
        confirmed: ctx.global.confirm.as_deref() == Some("production"),
    };
    if args.dry_run {
        return dry_run(ctx, &tryit, &request).await;
    }
    if args.all {
        return fetch_all(ctx, &tryit, &request).await;
    }
    let response = tryit
        .send(&ctx.console, environment, &request, options)
        .await?;
    print_response(ctx, &args, &response);
    failure(&response)
}

/// `--connection`: the request goes to a saved Botbiz or Botmaker connection with its own
/// credential, checked against its platform's description and kept in its history. A
/// Botbiz 429 is waited out to `X-RateLimit-Reset` (the countdown on stderr), then sent
/// once more, as Try It does.
async fn to_connection(ctx: &Ctx, tryit: &TryIt, args: &RequestArgs, name: &str) -> Result<()> {
    if args.all || args.dry_run {
        return Err(usage(
            "--all and --dry-run are BotBat's; with --connection, send one request",
        ));
    }
    let connections = ctx.console.connections().ok_or_else(|| {
        CommandError::new(ConsoleCode::LocalStorage, "the console has no data dir")
    })?;
    let saved = connections.list()?;
    let connection = saved
        .iter()
        .find(|c| c.id == name)
        .or_else(|| saved.iter().find(|c| c.label.eq_ignore_ascii_case(name)))
        .ok_or_else(|| {
            let known: Vec<String> = saved
                .iter()
                .map(|c| format!("{} ({})", c.label, c.id))
                .collect();
            usage(if known.is_empty() {
                format!("no connection {name:?}: add one in the window's Settings → Connections")
            } else {
                format!("no connection {name:?}; saved: {}", known.join(", "))
            })
        })?;
    let request = build(
        args,
        tryit.connection_resolve(&connections, &connection.id, &args.method, &args.path)?,
    )?;
    let run_id = format!("cli-{}", std::process::id());
    let out = &ctx.out;
    let response = tryit
        .connection_send(
            &ctx.console,
            &connections,
            &connection.id,
            &request,
            TrySendOptions::default(),
            &run_id,
            |progress: &TryProgress| {
                if let Some(seconds) = progress.waiting_seconds {
                    out.note(paint(
                        DIM,
                        format!("rate limited: waiting {seconds} s for the window to reset"),
                    ));
                }
            },
        )
        .await?;
    print_response(ctx, args, &response);
    failure(&response)
}

async fn dry_run(ctx: &Ctx, tryit: &TryIt, request: &TryRequest) -> Result<()> {
    let check = tryit.check(&ctx.console, request).await?;
    if !check.issues.is_empty() {
        return Err(CommandError {
            details: check.issues.clone(),
            ..CommandError::new(
                ConsoleCode::InvalidInput,
                format!(
                    "{} {} would be refused: fix the fields below.",
                    request.method, request.path
                ),
            )
        });
    }
    let snippets = tryit.snippets(&ctx.console, request, false).await?;
    let curl = snippets
        .into_iter()
        .find(|s| s.language == "curl")
        .map(|s| s.code)
        .unwrap_or_default();
    if ctx.out.json {
        ctx.out.json(&serde_json::json!({
            "method": request.method,
            "url": check.url,
            "operation_id": request.operation_id,
            "valid": true,
            "curl": curl,
        }));
    } else {
        ctx.out.line(curl);
    }
    Ok(())
}

async fn fetch_all(ctx: &Ctx, tryit: &TryIt, request: &TryRequest) -> Result<()> {
    let bar = progress_bar(&ctx.out, "{spinner} {bar:30} {pos}/{len} items {msg}");
    let run_id = format!("cli-{}", std::process::id());
    let result = tryit
        .fetch_all(
            &ctx.console,
            ctx.environment,
            request,
            &run_id,
            |progress: &TryProgress| {
                if let Some(total) = progress.total {
                    bar.set_length(total);
                }
                bar.set_position(u64::from(progress.items));
                bar.set_message(match progress.waiting_seconds {
                    Some(s) => format!("waiting {s} s for the rate limit"),
                    None => format!("{} pages", progress.pages),
                });
            },
        )
        .await?;
    bar.finish_and_clear();
    if let Some(failure) = &result.failure {
        return failure_error(failure);
    }
    if ctx.out.json {
        ctx.out.json_line(&result.data);
    } else {
        ctx.out.json(&result.data);
        ctx.out.note(paint(
            DIM,
            format!(
                "{} items, {} pages, {:.0} ms (waited {:.0} ms for rate limits, {} answered 429)",
                result.items,
                result.pages,
                result.elapsed_ms,
                result.waited_ms,
                result.rate_limited
            ),
        ));
    }
    Ok(())
}

fn print_response(ctx: &Ctx, args: &RequestArgs, response: &TryResponse) {
    if args.include {
        let status = format!("HTTP {} {}", response.status, response.status_text);
        if ctx.out.json {
            println!("{status}");
        } else {
            ctx.out
                .line(paint(status_style(Some(response.status)).bold(), status));
        }
        for header in &response.headers {
            if ctx.out.json {
                println!("{}: {}", header.name, header.value);
            } else {
                ctx.out
                    .line(format!("{}: {}", paint(BOLD, &header.name), header.value));
            }
        }
        println!();
    }
    if ctx.out.json {
        println!("{}", response.body);
        return;
    }
    match &response.json {
        Some(json) => ctx.out.json(json),
        None if !response.body.is_empty() => ctx.out.line(&response.body),
        None => {}
    }
    if !args.include {
        ctx.out.note(paint(
            DIM,
            format!(
                "{} {} · {:.1} ms{}",
                response.status,
                response.status_text,
                response.elapsed_ms,
                response
                    .request_id
                    .as_deref()
                    .map(|id| format!(" · {id}"))
                    .unwrap_or_default()
            ),
        ));
    }
}

/// A response the platform answered with an error becomes the command's error (exit 1).
fn failure(response: &TryResponse) -> Result<()> {
    if response.status < 400 {
        return Ok(());
    }
    failure_error(response)
}

fn failure_error(response: &TryResponse) -> Result<()> {
    let error = response.json.as_ref().and_then(|j| j.get("error"));
    let text = |field: &str| {
        error
            .and_then(|e| e.get(field))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Err(CommandError {
        status: Some(response.status),
        request_id: response.request_id.clone(),
        details: response.error_details.clone(),
        ..CommandError::new(
            text("code")
                .and_then(|code| Code::parse(&code))
                .unwrap_or(Code::Console(ConsoleCode::HttpError)),
            text("message").unwrap_or_else(|| {
                format!(
                    "{} answered {} {}",
                    response.url, response.status, response.status_text
                )
            }),
        )
    })
}
