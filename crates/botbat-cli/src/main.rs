//! `botbat`: the BotBat Developer Console in a terminal.
//!
//! It is the window's product without the window: the same profile (data dir, preferences
//! file, keychain entries, local stores) and the same operations, all from
//! `botbat-console-core`. This crate only parses arguments, picks credentials, prints, and
//! turns an error into an exit code ([`exit::code`]).

mod cli;
mod commands;
mod context;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Ctx;
use crate::output::Out;
use botbat_console_core::ConsoleCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BOTBAT_LOG")
                .unwrap_or_else(|_| "error".into()),
        )
        .init();
    let out = Out::new(cli.global.json);
    let mut ctx = match Ctx::open(cli.global, out.clone()) {
        Ok(ctx) => ctx,
        Err(error) => {
            out.error(&error);
            return ExitCode::from(exit::code(&error));
        }
    };
    if ctx.plain_http() && !matches!(cli.command, cli::Command::Listen(_)) {
        skip_tls_files();
    }
    if matches!(cli.command, cli::Command::Request(_)) {
        ctx.start_tryit();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            out.error(&botbat_console_core::CommandError::new(
                ConsoleCode::Internal,
                format!("cannot start: {error}"),
            ));
            return ExitCode::from(exit::PLATFORM);
        }
    };
    let code = runtime.block_on(async {
        let result = match ctx.start().await {
            Ok(()) => commands::run(&mut ctx, cli.command).await,
            Err(error) => Err(error),
        };
        ctx.close().await;
        match result {
            Ok(()) => exit::SUCCESS,
            Err(error) => {
                out.error(&error);
                exit::code(&error)
            }
        }
    });
    // Background work (a follower polling the sandbox's lock) must not hold the exit.
    runtime.shutdown_background();
    ctx.finish();
    ExitCode::from(code)
}

/// A run whose every request is plain HTTP (the embedded sandbox, an `http://` base URL)
/// never makes a TLS connection, so OpenSSL reads neither the system's trust store nor its
/// configuration file: OpenSSL 3 takes tens of milliseconds to parse the store's file, and
/// milliseconds more to list its directory and read the configuration, more than the whole
/// request to a local sandbox takes. `listen` keeps them, since it may forward to an
/// `https://` server. Called before any thread starts.
fn skip_tls_files() {
    if cfg!(unix) {
        std::env::set_var("SSL_CERT_FILE", "/dev/null");
        std::env::set_var("SSL_CERT_DIR", "/dev/null");
        std::env::set_var("OPENSSL_CONF", "/dev/null");
    }
}
