//! `botbat-sandbox`: the sandbox platform as a standalone server, for integration tests
//! and for consoles on other machines.

use std::net::SocketAddr;
use std::path::PathBuf;

use botbat_api::Plan;
use botbat_sandbox::{RetrySchedule, SandboxConfig, ADMIN_KEY_ENV};
use botbat_secrets::Sensitive;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "botbat-sandbox",
    version,
    about = "A stateful sandbox of the BotBat v1 API",
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Where the sandbox keeps its SQLite file; reuse it to keep state across restarts.
    #[arg(long, default_value = "botbat-sandbox-data")]
    data_dir: PathBuf,
    /// The organisation's plan, which sets the rate limits.
    #[arg(long, default_value = "starter", value_parser = parse_plan)]
    plan: Plan,
    /// Seconds between a message's steps: queued, sent, delivered, read.
    #[arg(long, default_value_t = 1)]
    message_step_seconds: u64,
    /// Seconds a submitted template waits for its simulated review.
    #[arg(long, default_value_t = 5)]
    review_seconds: u64,
    /// Act as a production stand-in: bb_live_ keys, livemode true, https-only webhook URLs,
    /// no /v1/sandbox/* routes. For testing a console's Production environment.
    #[arg(long)]
    live: bool,
    /// Webhook retry waits: `standard` (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) or
    /// `fast` (1 to 6 s, for tests).
    #[arg(long, default_value = "standard", value_parser = parse_schedule)]
    retry_schedule: RetrySchedule,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Serve a stand-in of the Botbiz API (`https://api.botbiz.io/v1`): Bearer keys, WhatsApp
    /// accounts connected by QR code, messages, per-minute limits, signed webhooks.
    Botbiz {
        /// Address to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:8788")]
        listen: SocketAddr,
        /// Where the stand-in keeps its SQLite file (`botbiz.sqlite`).
        #[arg(long, default_value = "botbat-sandbox-data")]
        data_dir: PathBuf,
        /// free (60 requests a minute per key), pro (300) or enterprise:<per minute>.
        #[arg(long, default_value = "free", value_parser = botbat_sandbox::standins::botbiz::Plan::parse)]
        plan: botbat_sandbox::standins::botbiz::Plan,
    },
    /// Serve a stand-in of the Botmaker messaging API (`https://api.botmaker.com/v2.0`): the
    /// `access-token` header, channels, send-messages, and webhooks filtered by message type.
    Botmaker {
        /// Address to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:8789")]
        listen: SocketAddr,
        /// Where the stand-in keeps its SQLite file (`botmaker.sqlite`).
        #[arg(long, default_value = "botbat-sandbox-data")]
        data_dir: PathBuf,
        /// Requests a token may make each second.
        #[arg(long, default_value_t = botbat_sandbox::standins::botmaker::DEFAULT_PER_SECOND)]
        per_second: u32,
    },
    /// Write realistic request history into a data dir's request log (daily and weekly
    /// rhythm, five integrations with their own keys, error spikes, 429 bursts), whether or
    /// not its sandbox is running.
    SeedUsage {
        /// The data dir to write into (created if missing).
        #[arg(long, default_value = "botbat-sandbox-data")]
        data_dir: PathBuf,
        /// Days of history, ending now on the sandbox clock.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Requests to write.
        #[arg(long, default_value_t = 100_000)]
        requests: u64,
        /// The plan whose per-key limit the bursts go over.
        #[arg(long, default_value = "starter", value_parser = parse_plan)]
        plan: Plan,
        /// The same seed writes the same history.
        #[arg(long, default_value_t = 20261121)]
        seed: u64,
    },
}

fn parse_schedule(s: &str) -> Result<RetrySchedule, String> {
    match s {
        "standard" => Ok(RetrySchedule::Standard),
        "fast" => Ok(RetrySchedule::Fast),
        _ => Err(format!(
            "unknown retry schedule {s:?}: use standard or fast"
        )),
    }
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
    if let Some(Command::Botbiz {
        listen,
        data_dir,
        plan,
    }) = &args.command
    {
        return serve_botbiz(*listen, data_dir.clone(), *plan).await;
    }
    if let Some(Command::Botmaker {
        listen,
        data_dir,
        per_second,
    }) = &args.command
    {
        return serve_botmaker(*listen, data_dir.clone(), *per_second).await;
    }
    if let Some(Command::SeedUsage {
        data_dir,
        days,
        requests,
        plan,
        seed,
    }) = args.command
    {
        let started = std::time::Instant::now();
        let report = botbat_sandbox::seed::seed_data_dir(
            &data_dir,
            days,
            requests,
            plan.per_key_per_second(),
            seed,
        )
        .await?;
        println!(
            "seeded {} requests over {} days ({} to {}) in {:.1} s",
            report.requests,
            report.days,
            report.from.to_rfc3339(),
            report.to.to_rfc3339(),
            started.elapsed().as_secs_f64()
        );
        println!(
            "  errors: {} ({} rate limited in {} burst seconds), incidents: {}",
            report.errors, report.rate_limited, report.bursts, report.incidents
        );
        println!("  keys:   {}", report.key_ids.join(", "));
        println!("  data dir: {}", data_dir.display());
        return Ok(());
    }
    let prefix = botbat_sandbox::ids::key_prefix(args.live);
    let admin_key = match std::env::var(ADMIN_KEY_ENV) {
        Ok(key) if !key.trim().is_empty() => {
            let key = key.trim().to_string();
            anyhow::ensure!(
                key.starts_with(prefix) && botbat_sandbox::ids::is_key_shaped(&key),
                "{ADMIN_KEY_ENV} must look like {prefix} followed by 32 letters and digits"
            );
            Some(Sensitive::new(key))
        }
        _ => None,
    };
    let mut config = SandboxConfig::new(args.listen, &args.data_dir);
    config.plan = args.plan;
    config.admin_key = admin_key;
    config.live = args.live;
    config.review_delay = std::time::Duration::from_secs(args.review_seconds);
    config.message_step = std::time::Duration::from_secs(args.message_step_seconds);
    config.retry_schedule = args.retry_schedule;
    let sandbox = botbat_sandbox::start(config).await?;
    if let Some(key) = &sandbox.generated_admin_key {
        println!(
            "  admin key (every scope; shown once, store it now): {}",
            key.expose()
        );
    }
    println!("  data dir: {}", args.data_dir.display());
    println!("  plan:     {}", args.plan.as_str());
    if args.live {
        println!("  mode:     live stand-in (bb_live_ keys, livemode true, no /v1/sandbox routes)");
    }
    // Last, so a script can wait for this line and then read the lines above it.
    println!("BotBat sandbox ready: {}", sandbox.base_url);
    tokio::select! {
        result = sandbox.wait() => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// A credential given in the environment variable `name`, if it is set and not blank.
fn credential_from_env(name: &str) -> Option<Sensitive<String>> {
    std::env::var(name)
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .map(Sensitive::new)
}

/// Prints what a started stand-in is, its generated credential once, and the ready line
/// last (so a script can wait for it), then serves until the process is stopped.
async fn announce_and_serve(
    standin: botbat_sandbox::standins::RunningStandIn,
    platform: &str,
    credential: &str,
    details: &[String],
) -> anyhow::Result<()> {
    if let Some(secret) = &standin.generated_key {
        println!(
            "  {credential} (shown once, store it now): {}",
            secret.expose()
        );
    }
    for line in details {
        println!("  {line}");
    }
    println!("{platform} stand-in ready: {}", standin.base_url);
    tokio::select! {
        result = standin.wait() => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

async fn serve_botbiz(
    listen: SocketAddr,
    data_dir: PathBuf,
    plan: botbat_sandbox::standins::botbiz::Plan,
) -> anyhow::Result<()> {
    use botbat_sandbox::standins::botbiz;
    let standin = botbiz::start(botbiz::Config {
        listen,
        data_dir: data_dir.clone(),
        plan,
        key: credential_from_env(botbiz::KEY_ENV),
    })
    .await?;
    let details = [
        format!("data dir: {}", data_dir.display()),
        format!("limit:    {} requests a minute per key", plan.per_minute()),
    ];
    announce_and_serve(standin, "Botbiz", "API key (full access)", &details).await
}

async fn serve_botmaker(
    listen: SocketAddr,
    data_dir: PathBuf,
    per_second: u32,
) -> anyhow::Result<()> {
    use botbat_sandbox::standins::botmaker;
    let standin = botmaker::start(botmaker::Config {
        listen,
        data_dir: data_dir.clone(),
        per_second,
        token: credential_from_env(botmaker::TOKEN_ENV),
    })
    .await?;
    let details = [
        format!("data dir: {}", data_dir.display()),
        format!("limit:    {per_second} requests a second per token"),
    ];
    announce_and_serve(standin, "Botmaker", "access-token", &details).await
}
