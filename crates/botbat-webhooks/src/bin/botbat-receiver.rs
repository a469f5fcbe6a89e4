//! `botbat-receiver`: the inspector's local receiver without the console, for scripts and
//! for testing that a killed receiver loses nothing it acknowledged.
//!
//! It prints `receiver ready: http://ADDR` once it accepts requests; `--help` explains
//! every option. The signing secret comes from `BOTBAT_RECEIVER_SECRET`, so it is not on
//! the command line where `ps` shows it to every user of the machine. Credential headers
//! are stored masked; without the console's keychain no replay can recognise them later.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use botbat_secrets::Sensitive;
use botbat_webhooks::capture::{CaptureStore, Retention};
use botbat_webhooks::forward::parse_target;
use botbat_webhooks::inspector::{start_receiver, Behaviour, InspectorCore, ReceiverConfig};
use botbat_webhooks::Candidate;
use clap::Parser;
use url::Url;

/// The environment variable that carries the signing secret.
const SECRET_ENV: &str = "BOTBAT_RECEIVER_SECRET";

#[derive(Debug, Parser)]
#[command(
    name = "botbat-receiver",
    version,
    about = "Records webhook requests into an inspector store, verifies their signatures \
             and optionally forwards them to your server"
)]
struct Args {
    /// Address to listen on; port 0 picks a free one, printed on the ready line.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR", value_parser = parse_listen)]
    listen: SocketAddr,
    /// The inspector's SQLite file (created if missing); the console's Inspector reads the
    /// same format.
    #[arg(long, default_value = "inspector.sqlite", value_name = "FILE")]
    db: PathBuf,
    /// Forward each request (method, path suffix, headers and exact body) to this URL and
    /// answer with what it answers.
    #[arg(long, value_name = "URL", value_parser = parse_target)]
    forward: Option<Url>,
    /// The endpoint's signing secret (whsec_…), used to verify each request's signature.
    /// Prefer the environment variable: a secret given here is visible in `ps`.
    #[arg(
        long,
        env = SECRET_ENV,
        hide_env_values = true,
        value_name = "SECRET",
        value_parser = parse_secret
    )]
    secret: Option<Sensitive<String>>,
    /// Keep at most this many captures; the oldest are pruned.
    #[arg(long, default_value_t = Retention::default().max_captures, value_name = "N", value_parser = parse_keep_captures)]
    keep_captures: u64,
    /// Prune captures older than this many days.
    #[arg(long, default_value_t = Retention::default().max_age_days, value_name = "DAYS", value_parser = parse_keep_days)]
    keep_days: u32,
}

fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.parse()
        .map_err(|_| "give an address and port, such as 127.0.0.1:4040".to_string())
}

fn parse_secret(s: &str) -> Result<Sensitive<String>, String> {
    if s.trim().is_empty() {
        return Err(format!(
            "the secret is empty; set {SECRET_ENV} to the endpoint's signing secret, or unset it"
        ));
    }
    Ok(Sensitive::new(s.to_string()))
}

fn parse_keep_captures(s: &str) -> Result<u64, String> {
    s.parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "give a count of at least 1, e.g. 100000".to_string())
}

fn parse_keep_days(s: &str) -> Result<u32, String> {
    s.parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "give a number of days of at least 1, e.g. 30".to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = CaptureStore::open(&args.db).await?;
    store
        .set_retention(Retention {
            max_captures: args.keep_captures,
            max_age_days: args.keep_days,
        })
        .await?;
    let secret = args.secret;
    let core = Arc::new(InspectorCore::new(
        store,
        "sandbox",
        Arc::new(move || {
            secret
                .iter()
                .map(|s| Candidate::new("given", s.expose().clone()))
                .collect()
        }),
        Arc::new(|_| {}),
    ));
    if let Some(target) = args.forward {
        core.set_behaviour(Behaviour {
            forward_target: Some(target),
            ..Behaviour::default()
        });
    }
    let receiver = start_receiver(core, ReceiverConfig::new(args.listen)).await?;
    println!("receiver ready: http://{}", receiver.addr);
    tokio::signal::ctrl_c().await?;
    receiver.stop().await;
    Ok(())
}
