//! Every command and option, with its `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit;

#[derive(Parser)]
#[command(
    name = "botbat",
    version,
    about = "The BotBat Developer Console in a terminal: listen and forward, trigger events, tail the request log, call any endpoint, manage keys and webhooks.",
    long_about = None,
    after_help = exit::HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The environment to act on [default: the console's active environment]
    #[arg(long, global = true, value_enum)]
    pub env: Option<EnvName>,
    /// The environment's base URL for this run, e.g. http://127.0.0.1:8787/v1
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print machine-readable JSON only
    #[arg(long, global = true)]
    pub json: bool,
    /// Show exact times instead of relative ones
    #[arg(long, global = true)]
    pub exact_times: bool,
    /// Confirms a write in Production: `--confirm production`
    #[arg(long, global = true, value_name = "ENVIRONMENT")]
    pub confirm: Option<String>,
    /// The console's data dir [default: the window's, e.g. ~/.local/share/com.botbat.console]
    #[arg(long, global = true, env = "BOTBAT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvName {
    Sandbox,
    Production,
}

#[derive(Subcommand)]
pub enum Command {
    /// Environment, base URL, masked key, plan, limits and latency
    Status,
    /// Show the active environment, or switch it (the window follows on its next start)
    Env {
        #[command(subcommand)]
        action: Option<EnvAction>,
    },
    /// Receive events through the tunnel and forward them to local servers
    Listen(ListenArgs),
    /// Fire an event in the sandbox and follow it to each endpoint's first delivery
    Trigger(TriggerArgs),
    /// The platform's request log
    Logs {
        #[command(subcommand)]
        command: LogsCommand,
    },
    /// Call any operation of the environment's OpenAPI document (Try It's engine)
    Request(RequestArgs),
    /// API keys: list, create, rotate, revoke
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Webhook endpoints, their deliveries and signing secrets
    Webhooks {
        #[command(subcommand)]
        command: WebhooksCommand,
    },
    /// The local usage cache: sync it, export charts
    Usage {
        #[command(subcommand)]
        command: UsageCommand,
    },
    /// Print a shell completion script: `botbat completion bash > /etc/bash_completion.d/botbat`
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
pub enum EnvAction {
    /// Make an environment the active one, for the window and for botbat
    Use {
        #[arg(value_enum)]
        environment: EnvName,
    },
}

#[derive(Args)]
#[command(after_help = "\
Routing: --forward 'message.*=http://localhost:3000/messages' --forward 'contact.*=http://localhost:3000/contacts'
sends each event to the first route whose pattern matches its type; --forward-to takes the rest.
Without any target, events are captured and acknowledged but not forwarded.

Staleness: a heartbeat arrives every --heartbeat seconds. With --exit-on-stale N, botbat exits with
code 3 when nothing has arrived for N seconds, so a supervisor (Docker, systemd) restarts it; it
resumes after the last acknowledged event, so nothing is missed or forwarded twice.")]
pub struct ListenArgs {
    /// Forward events to this URL
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// Forward events whose type matches TYPE_GLOB to URL; repeatable, first match wins
    #[arg(long = "forward", value_name = "TYPE_GLOB=URL")]
    pub forwards: Vec<String>,
    /// Receive only these event types (globs, comma-separated), e.g. message.*,contact.created
    #[arg(long, value_name = "GLOB,…", value_delimiter = ',')]
    pub events: Vec<String>,
    /// Print each event's JSON body instead of a summary line
    #[arg(long)]
    pub print_json: bool,
    /// Exit with code 3 when no heartbeat or event has arrived for this many seconds
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub exit_on_stale: Option<u32>,
    /// Serve GET /healthz on ADDR (e.g. 127.0.0.1:8081): 200 while connected and fresh, 503 otherwise
    #[arg(long, value_name = "ADDR")]
    pub health: Option<std::net::SocketAddr>,
    /// Seconds between the platform's heartbeats
    #[arg(long, value_name = "SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub heartbeat: u32,
}

#[derive(Args)]
pub struct TriggerArgs {
    /// The event type, e.g. message.delivered (GET /v1/events/types lists them)
    pub event_type: String,
    /// Set one field of the event's data: --set data.contact.name=Ann (JSON values allowed)
    #[arg(long = "set", value_name = "data.PATH=VALUE")]
    pub sets: Vec<String>,
    /// The event's data, as JSON or @file, merged over the type's example
    #[arg(long, value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// Make the first delivery attempt to every endpoint fail, to watch the retries
    #[arg(long)]
    pub fail_first: bool,
    /// How long to follow the deliveries
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub wait: u64,
}

#[derive(Subcommand)]
pub enum LogsCommand {
    /// The request log, live: one line per request with its request id
    Tail(TailArgs),
}

#[derive(Args)]
pub struct TailArgs {
    /// Only these statuses: 2xx, 4xx, 5xx, 429 or any status code
    #[arg(long, value_name = "2xx|4xx|5xx|429|CODE")]
    pub status: Option<String>,
    /// Only requests made with this key (key_…)
    #[arg(long, value_name = "ID")]
    pub key: Option<String>,
    /// Only routes matching this glob, e.g. '/v1/contacts*'
    #[arg(long, value_name = "GLOB")]
    pub route: Option<String>,
    /// Start this far back, e.g. 15m, 2h, 1d [default: the last 10 requests]
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Keep printing new requests (the default)
    #[arg(long, overrides_with = "no_follow")]
    pub follow: bool,
    /// Print what is there and exit
    #[arg(long)]
    pub no_follow: bool,
}

#[derive(Args)]
pub struct RequestArgs {
    /// GET, POST, PUT, DELETE, …
    pub method: String,
    /// The path, e.g. /v1/contacts or /v1/contacts/con_123
    pub path: String,
    /// The JSON body, or @file
    #[arg(short = 'd', long = "data", value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// A query parameter; repeatable
    #[arg(short = 'q', long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// An extra header; repeatable (Authorization comes from the credential)
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Follow every page of a list (waits out rate limits) and print all items
    #[arg(long)]
    pub all: bool,
    /// Validate and print the request as cURL, without sending it
    #[arg(long)]
    pub dry_run: bool,
    /// Show the status line and the response headers
    #[arg(short = 'i', long)]
    pub include: bool,
    /// Send to a saved Botbiz or Botmaker connection (its id or name) instead of BotBat;
    /// the path is under its base URL, e.g. `botbat request GET /users --connection Acme`
    #[arg(long, value_name = "ID|NAME")]
    pub connection: Option<String>,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Every key with its masked form, scopes, last use and status
    List,
    /// Create a key; its secret is printed once, to stdout
    Create {
        #[arg(long)]
        name: String,
        /// Scopes, e.g. --scope contacts:read --scope messages:send
        #[arg(long = "scope", value_name = "SCOPE", required = true, num_args = 1..)]
        scopes: Vec<String>,
        /// Also keep the secret in the OS keychain, like the window does
        #[arg(long)]
        keep: bool,
    },
    /// Replace a key with a new one with the same scopes; the old one works for --grace
    Rotate {
        id: String,
        #[arg(long, value_enum)]
        grace: Grace,
        /// Also keep the new secret in the OS keychain
        #[arg(long)]
        keep: bool,
    },
    /// Revoke a key now (asks for its name unless --yes)
    Revoke {
        id: String,
        /// Do not ask for the key's name
        #[arg(long)]
        yes: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Grace {
    #[value(name = "0")]
    None,
    #[value(name = "1h")]
    Hour,
    #[value(name = "24h")]
    Day,
    #[value(name = "7d")]
    Week,
}

impl Grace {
    pub fn seconds(self) -> u64 {
        match self {
            Grace::None => 0,
            Grace::Hour => 3_600,
            Grace::Day => 86_400,
            Grace::Week => 604_800,
        }
    }
}

#[derive(Subcommand)]
pub enum WebhooksCommand {
    /// Every endpoint with its URL, event types and status
    List,
    /// Add an endpoint; its signing secret is printed once, to stdout
    Create {
        #[arg(long)]
        url: String,
        /// Event types, e.g. --events message.delivered contact.created (or *)
        #[arg(long = "events", value_name = "TYPE", required = true, num_args = 1..)]
        events: Vec<String>,
        #[arg(long)]
        description: Option<String>,
        /// Also keep the signing secret in the OS keychain (the inspector verifies with it)
        #[arg(long)]
        keep: bool,
    },
    /// An endpoint's deliveries, newest first
    Deliveries {
        id: String,
        /// pending, succeeded or failed
        #[arg(long)]
        status: Option<String>,
    },
    /// Send one delivery again
    Resend { id: String, delivery_id: String },
    /// Send every failed delivery since a time again, oldest first
    ResendFailed {
        id: String,
        /// e.g. 1h, 30m, 2d
        #[arg(long, value_name = "DURATION")]
        since: String,
    },
    /// Issue a new signing secret; the old one keeps signing for --overlap
    RotateSecret {
        id: String,
        #[arg(long, value_enum)]
        overlap: Grace,
        /// Also keep the new secret in the OS keychain
        #[arg(long)]
        keep: bool,
    },
}

#[derive(Subcommand)]
pub enum UsageCommand {
    /// Bring the local usage cache up to date
    Sync,
    /// Write a chart (SVG, PNG) or its data (CSV) from the local cache
    Export {
        #[arg(long, value_enum)]
        chart: ChartName,
        #[arg(long, value_enum, default_value = "24h")]
        range: RangeName,
        #[arg(long, value_enum)]
        format: FormatName,
        /// The IANA time zone whose days the chart shows, e.g. Europe/Berlin [default: the
        /// system's]
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ChartName {
    Volume,
    Errors,
    Latency,
    Limits,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RangeName {
    #[value(name = "24h")]
    Day,
    #[value(name = "7d")]
    Week,
    #[value(name = "30d")]
    Month,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatName {
    Svg,
    Png,
    Csv,
}
