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
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            out.error(&botbat_console_core::CommandError::new(
                "internal",
                format!("cannot start: {error}"),
            ));
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async move {
        let mut ctx = match Ctx::open(cli.global, out.clone()) {
            Ok(ctx) => ctx,
            Err(error) => {
                out.error(&error);
                return exit::code(&error);
            }
        };
        let result = commands::run(&mut ctx, cli.command).await;
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
    ExitCode::from(code)
}
