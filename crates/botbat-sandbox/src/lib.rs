//! A stateful, faithful sandbox of the BotBat platform's v1 API.
//!
//! The console embeds it so that a first launch works with no account and no network, and
//! it runs standalone (`botbat-sandbox`) so teams can point their own integration tests at
//! it. It keeps its state in one SQLite file in a data dir and survives restarts.

mod access;
mod clock;
mod db;
mod delivery;
mod error;
mod events;
mod fuzzy;
pub mod ids;
mod keys;
pub mod limiter;
mod meter;
mod openapi;
mod pagination;
mod routes;
mod rows;
mod rules;
pub mod seed;
mod state;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use botbat_api::{Organization, Plan};
use botbat_secrets::Sensitive;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use db::DB_FILE;
pub use limiter::Limits;

use crate::clock::Clock;
use crate::events::EventBus;
use crate::keys::KeyIndex;
use crate::limiter::RateLimiter;
use crate::meter::Meter;
use crate::state::{AppState, Claims, Shared};

/// The environment variable whose value becomes the bootstrap key with every scope.
pub const ADMIN_KEY_ENV: &str = "BOTBAT_SANDBOX_ADMIN_KEY";

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub plan: Plan,
    /// Registered as a key with every scope if no key with this secret exists yet.
    pub admin_key: Option<Sensitive<String>>,
    /// Overrides the plan's limits (benchmarks use this to never be limited).
    pub limits: Option<Limits>,
    /// When false, no authentication, rate limiting or metering: benchmarks only.
    pub access_control: bool,
    /// How long WhatsApp's simulated template review takes.
    pub review_delay: std::time::Duration,
    /// The time between a message's steps (queued, sent, delivered, read).
    pub message_step: std::time::Duration,
    /// Serve as a production stand-in (`--live`): `bb_live_` keys, `livemode: true`,
    /// https-only webhook URLs, no `/v1/sandbox/*` routes. For testing the console's
    /// Production environment without touching production.
    pub live: bool,
    /// Waits before each webhook retry: the platform's schedule, or `fast` for tests.
    pub retry_schedule: RetrySchedule,
}

/// How long failed webhook deliveries wait before each retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetrySchedule {
    /// Immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, as in production.
    #[default]
    Standard,
    /// The same eight attempts within about 30 seconds.
    Fast,
}

impl RetrySchedule {
    pub fn waits(self) -> Vec<std::time::Duration> {
        match self {
            RetrySchedule::Standard => delivery::STANDARD_SCHEDULE.to_vec(),
            RetrySchedule::Fast => delivery::FAST_SCHEDULE.to_vec(),
        }
    }
}

impl SandboxConfig {
    pub fn new(listen: SocketAddr, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen,
            data_dir: data_dir.into(),
            plan: Plan::Starter,
            admin_key: None,
            limits: None,
            access_control: true,
            review_delay: std::time::Duration::from_secs(5),
            message_step: std::time::Duration::from_secs(1),
            live: false,
            retry_schedule: RetrySchedule::Standard,
        }
    }
}

/// A sandbox serving on its socket until [`RunningSandbox::shutdown`].
pub struct RunningSandbox {
    /// e.g. `http://127.0.0.1:8787/v1`
    pub base_url: String,
    pub addr: SocketAddr,
    /// Set when this start created the first key of an empty data dir without an admin key
    /// configured: the only time that secret exists in the clear.
    pub generated_admin_key: Option<Sensitive<String>>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    meter: JoinHandle<()>,
    /// The scheduler and the delivery dispatcher: stopped with the server.
    background: Vec<JoinHandle<()>>,
}

impl RunningSandbox {
    /// Stops accepting requests, finishes the ones in flight, and writes out the metering
    /// queue.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(error) = (&mut self.server).await {
            tracing::warn!(%error, "sandbox server task ended abnormally");
        }
        for task in &self.background {
            task.abort();
        }
        let _ = (&mut self.meter).await;
    }

    /// Serves until the process is stopped.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.server).await??;
        Ok(())
    }
}

/// Opens (or creates) the data dir, binds the socket and starts serving.
pub async fn start(config: SandboxConfig) -> anyhow::Result<RunningSandbox> {
    let pool = db::open(&config.data_dir).await?;
    let offset = db::get_meta(&pool, "clock_offset_ms")
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let clock = Clock::with_offset_ms(offset);
    let key_index = KeyIndex::load(&pool).await?;
    let listen_secret = match db::get_meta(&pool, "listen_secret").await? {
        Some(secret) => secret,
        None => {
            let secret = routes::webhooks::signing_secret();
            db::set_meta(&pool, "listen_secret", &secret).await?;
            secret
        }
    };
    let latest_event = events::latest_seq(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the event log: {}", e.message))?;

    let mut generated_admin_key = None;
    if let Some(admin) = &config.admin_key {
        keys::ensure_bootstrap(&pool, &key_index, admin.expose(), clock.now_ms()).await?;
    } else if keys::count(&pool).await? == 0 {
        let secret = ids::key_secret(config.live);
        keys::ensure_bootstrap(&pool, &key_index, &secret, clock.now_ms()).await?;
        generated_admin_key = Some(Sensitive::new(secret));
    }

    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");

    let (router, doc) = routes::v1(config.live).split_for_parts();
    let (openapi_json, route_table) = openapi::finish(doc, &origin, config.live);
    let (meter, meter_task) = Meter::start(pool.clone());
    let limits = config.limits.unwrap_or(Limits {
        per_key_per_second: config.plan.per_key_per_second(),
        per_org_per_minute: config.plan.per_org_per_minute(),
    });
    let state = AppState(Arc::new(Shared {
        db: pool,
        clock,
        keys: key_index,
        limiter: RateLimiter::new(limits),
        meter,
        plan: config.plan,
        organization: Organization {
            id: "org_sandbox".to_string(),
            name: if config.live {
                "Live stand-in organisation".to_string()
            } else {
                "Sandbox organisation".to_string()
            },
            plan: config.plan,
            livemode: config.live,
        },
        faults: Mutex::new(Vec::new()),
        routes: route_table,
        openapi_json,
        access_control: config.access_control,
        review_delay_ms: config.review_delay.as_millis() as i64,
        message_step_ms: config.message_step.as_millis() as i64,
        live: config.live,
        bus: EventBus::new(latest_event),
        in_flight: Claims::default(),
        campaigns_running: Claims::default(),
        http: delivery::http_client(),
        retry_schedule: config.retry_schedule.waits(),
        listen_secret,
        rate_limit_events: Mutex::new(HashMap::new()),
    }));
    let background = vec![
        tokio::spawn(run_scheduler(state.clone())),
        tokio::spawn(delivery::run_dispatcher(state.clone())),
    ];

    let app = router
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            access::access,
        ))
        .layer(DefaultBodyLimit::max(error::MAX_JSON_BODY))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::request_context,
        ))
        .with_state(state);

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningSandbox {
        base_url: format!("{origin}/v1"),
        addr,
        generated_admin_key,
        stop: Some(stop),
        server,
        meter: meter_task,
        background,
    })
}

/// Moves the sandbox clock's consequences forward: template reviews that are due, scheduled
/// events (a message's next steps) and campaigns due to start or still sending.
async fn run_scheduler(state: AppState) {
    loop {
        let step = async {
            routes::templates::settle_reviews(&state).await?;
            events::emit_due(&state).await?;
            routes::campaigns::run_due(&state).await
        };
        if let Err(error) = step.await {
            tracing::warn!(%error.message, "scheduler step failed; retrying");
        }
        tokio::time::sleep(events::TICK).await;
    }
}
