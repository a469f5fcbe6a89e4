//! `botbat keys`: the API Keys panel's operations. A secret the platform issues is
//! printed once, to stdout, and kept in memory only until this command decides: into the
//! keychain with `--keep`, otherwise dropped.

use std::io::{BufRead, IsTerminal, Write};

use botbat_api::{ApiKey, KeyStatus, Scope};
use botbat_console_core::{CommandError, CreateKeyInput, Environment, IssuedKey};
use serde_json::json;

use crate::cli::KeysCommand;
use crate::context::{usage, Ctx, Result};
use crate::output::{paint, Cell, BOLD, DIM, GOOD, WARN};

pub fn parse_scope(raw: &str) -> Result<Scope> {
    Scope::ALL
        .into_iter()
        .find(|s| s.as_str() == raw.trim())
        .ok_or_else(|| {
            usage(format!(
                "{raw:?} is not a scope; choose from {}",
                Scope::ALL.map(|s| s.as_str()).join(", ")
            ))
        })
}

fn status_cell(status: KeyStatus) -> Cell {
    match status {
        KeyStatus::Active => Cell::styled("active", GOOD),
        KeyStatus::Expiring => Cell::styled("expiring", WARN),
        KeyStatus::Expired => Cell::styled("expired", DIM),
        KeyStatus::Revoked => Cell::styled("revoked", DIM),
    }
}

pub async fn run(ctx: &mut Ctx, command: KeysCommand) -> Result<()> {
    ctx.connect().await?;
    match command {
        KeysCommand::List => list(ctx).await,
        KeysCommand::Create { name, scopes, keep } => {
            let scopes = scopes
                .iter()
                .map(|s| parse_scope(s))
                .collect::<Result<Vec<_>>>()?;
            ctx.check_keep(keep)?;
            ctx.confirm_write("keys create")?;
            let issued = ctx
                .console
                .create_api_key(ctx.environment, CreateKeyInput { name, scopes })
                .await?;
            hand_over(ctx, issued, keep, None).await
        }
        KeysCommand::Rotate { id, grace, keep } => {
            ctx.check_keep(keep)?;
            ctx.confirm_write("keys rotate")?;
            let rotated = ctx
                .console
                .rotate_api_key(ctx.environment, &id, grace.seconds(), None)
                .await?;
            hand_over(ctx, rotated.new_key, keep, Some(rotated.old_key)).await
        }
        KeysCommand::Revoke { id, yes } => revoke(ctx, &id, yes).await,
    }
}

async fn list(ctx: &Ctx) -> Result<()> {
    let rows = ctx.console.list_api_keys().await?;
    if ctx.out.json {
        ctx.out.json(&rows);
        return Ok(());
    }
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| ctx.out.time(t)).unwrap_or_else(|| "-".into())
    };
    let table: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            let key = &row.key;
            vec![
                Cell::from(key.id.clone()),
                Cell::from(key.name.clone()),
                Cell::from(key.masked.clone()),
                Cell::from(
                    key.scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                Cell::from(ctx.out.time(key.created_at)),
                Cell::from(time(key.last_used_at)),
                Cell::from(time(key.expires_at)),
                status_cell(key.status),
                Cell::from(if row.secret_stored { "yes" } else { "" }),
            ]
        })
        .collect();
    ctx.out.table(
        &[
            "ID",
            "NAME",
            "KEY",
            "SCOPES",
            "CREATED",
            "LAST USED",
            "EXPIRES",
            "STATUS",
            "KEPT",
        ],
        &table,
    );
    Ok(())
}

/// Prints the secret once and keeps it in the keychain or forgets it.
async fn hand_over(
    ctx: &Ctx,
    issued: IssuedKey,
    keep: bool,
    old_key: Option<ApiKey>,
) -> Result<()> {
    let kept = if keep {
        ctx.console.keep_issued_secret(&issued.key.id).await?;
        true
    } else {
        ctx.console.discard_issued_secret(&issued.key.id);
        false
    };
    if ctx.out.json {
        ctx.out.json(&json!({
            "key": issued.key,
            "secret": issued.secret,
            "kept_in_keychain": kept,
            "old_key": old_key,
        }));
        return Ok(());
    }
    let key = &issued.key;
    ctx.out.fields(&[
        ("id", key.id.clone()),
        ("name", key.name.clone()),
        (
            "scopes",
            key.scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("environment", super::environment_label(ctx.environment)),
    ]);
    if let Some(old) = &old_key {
        ctx.out.line(paint(
            DIM,
            format!(
                "{} keeps working until {}",
                old.id,
                old.expires_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "now".into())
            ),
        ));
    }
    ctx.out.line(format!(
        "{} {}",
        paint(BOLD, "Secret (shown once):"),
        issued.secret
    ));
    ctx.out.note(paint(
        DIM,
        if kept {
            "Kept in the OS keychain, like the window does."
        } else {
            "Not stored anywhere: copy it now (use --keep to keep it in the OS keychain)."
        },
    ));
    Ok(())
}

async fn revoke(ctx: &Ctx, id: &str, yes: bool) -> Result<()> {
    ctx.confirm_write("keys revoke")?;
    let key: ApiKey = ctx
        .console
        .client(ctx.environment)
        .await?
        .get(&format!("/api_keys/{id}"), &[])
        .await
        .map_err(CommandError::from)?
        .data;
    let typed = if yes {
        key.name.clone()
    } else {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprint!("Type the key's name ({}) to revoke it: ", key.name);
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        let read = stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| usage(e.to_string()))?;
        if read == 0 {
            return Err(usage(
                "revoking needs the key's name typed on stdin, or --yes",
            ));
        }
        line.trim().to_string()
    };
    if typed != key.name {
        return Err(usage(format!(
            "{typed:?} is not the key's name ({:?}); nothing was revoked",
            key.name
        )));
    }
    let confirm_name = (ctx.environment == Environment::Production).then_some(typed);
    let revoked = ctx
        .console
        .revoke_api_key(ctx.environment, id, confirm_name)
        .await?;
    if ctx.out.json {
        ctx.out.json(&revoked);
    } else {
        ctx.out.line(format!(
            "Revoked {} ({}) in {}",
            revoked.id,
            revoked.name,
            super::environment_label(ctx.environment)
        ));
    }
    Ok(())
}
