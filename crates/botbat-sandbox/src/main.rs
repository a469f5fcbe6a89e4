//! `botbat-sandbox`: the sandbox platform as a standalone server, for integration tests
//! and for consoles on other machines.

use std::net::SocketAddr;
use std::path::PathBuf;

use botbat_api::Plan;
use botbat_sandbox::{SandboxConfig, ADMIN_KEY_ENV};
use botbat_secrets::Sensitive;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "botbat-sandbox",
    version,
    about = "A stateful sandbox of the BotBat v1 API"
)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Where the sandbox keeps its SQLite file; reuse it to keep state across restarts.
    #[arg(long, default_value = "botbat-sandbox-data")]
    data_dir: PathBuf,
    /// The organisation's plan, which sets the rate limits.
    #[arg(long, default_value = "starter", value_parser = parse_plan)]
    plan: Plan,
}

fn parse_plan(s: &str) -> Result<Plan, String> {
    Plan::parse(s)
        .ok_or_else(|| format!("unknown plan {s:?}: use starter, professional or enterprise"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,botbat_sandbox=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let admin_key = match std::env::var(ADMIN_KEY_ENV) {
        Ok(key) if !key.trim().is_empty() => {
            let key = key.trim().to_string();
            anyhow::ensure!(
                key.starts_with("bb_test_")
                    && key.len() == 40
                    && key[8..].bytes().all(|b| b.is_ascii_alphanumeric()),
                "{ADMIN_KEY_ENV} must look like bb_test_ followed by 32 letters and digits"
            );
            Some(Sensitive::new(key))
        }
        _ => None,
    };
    let mut config = SandboxConfig::new(args.listen, &args.data_dir);
    config.plan = args.plan;
    config.admin_key = admin_key;
    let sandbox = botbat_sandbox::start(config).await?;
    println!("BotBat sandbox ready: {}", sandbox.base_url);
    println!("  data dir: {}", args.data_dir.display());
    println!("  plan:     {}", args.plan.as_str());
    if let Some(key) = &sandbox.generated_admin_key {
        println!(
            "  admin key (every scope; shown once, store it now): {}",
            key.expose()
        );
    }
    tokio::select! {
        result = sandbox.wait() => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
