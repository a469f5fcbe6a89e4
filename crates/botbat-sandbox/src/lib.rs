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
mod event_log;
mod faults;
mod fuzzy;
mod idempotency;
pub mod ids;
mod key_store;
pub mod limiter;
mod meter;
mod openapi;
mod pagination;
mod routes;
mod rows;
mod rules;
pub mod seed;
pub mod standins;
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
use crate::event_log::EventBus;
use crate::faults::Faults;
use crate::key_store::KeyIndex;
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
    /// Dropped at shutdown, so that the writer ends once the server's copies are gone too.
    meter: Option<Meter>,
    meter_task: JoinHandle<()>,
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
        self.meter = None;
        let _ = (&mut self.meter_task).await;
    }

    /// Waits until every request answered so far is in the usage log.
    pub async fn flush_meter(&self) {
        if let Some(meter) = &self.meter {
            meter.flush().await;
        }
    }

    /// Serves until the process is stopped.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.server).await??;
        Ok(())
    }
}

/// Opens (or creates) the data dir, binds the socket and starts serving. Fails, naming the
/// handler, when any route's access rule is missing or unreadable.
pub async fn start(config: SandboxConfig) -> anyhow::Result<RunningSandbox> {
    let api = routes::v1(config.live);
    start_with(config, api).await
}

async fn start_with(
    config: SandboxConfig,
    api: utoipa_axum::router::OpenApiRouter<AppState>,
) -> anyhow::Result<RunningSandbox> {
    let pool = db::open(&config.data_dir).await?;
    let offset = db::clock_offset_ms(&pool).await?;
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
    idempotency::mark_interrupted(&pool).await?;
    let latest_event = event_log::latest_seq(&pool)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the event log: {}", e.message))?;

    let mut generated_admin_key = None;
    if let Some(admin) = &config.admin_key {
        key_store::ensure_bootstrap(&pool, &key_index, admin.expose(), clock.now_ms()).await?;
    } else if key_store::count(&pool).await? == 0 {
        let secret = ids::key_secret(config.live);
        key_store::ensure_bootstrap(&pool, &key_index, &secret, clock.now_ms()).await?;
        generated_admin_key = Some(Sensitive::new(secret));
    }

    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");

    let (router, doc) = api.split_for_parts();
    let (openapi_json, route_table) = openapi::finish(doc, &origin, config.live)?;
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
        meter: meter.clone(),
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
        faults: Faults::default(),
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
    access::check_routes(&router, state.clone(), &state.routes).await?;
    let background = vec![
        tokio::spawn(run_scheduler(state.clone())),
        tokio::spawn(delivery::run_dispatcher(state.clone())),
    ];

    // Route layers run outermost last: access (authenticate, limit, check the scope,
    // meter), then injected faults, then idempotency records, then the handler. The order
    // is what makes an `after_commit` fault lose a response the idempotency record kept.
    let app = router
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            access::access,
        ))
        .method_not_allowed_fallback(access::method_not_allowed)
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
        meter: Some(meter),
        meter_task,
        background,
    })
}

/// Moves the sandbox clock's consequences forward: template reviews that are due, scheduled
/// events (a message's next steps), expired idempotency records, and campaigns due to start
/// or still sending.
///
/// Between looks it sleeps until the next thing is due ([`event_log::next_due`]) or until it
/// is woken ([`event_log::EventBus::scheduler`]), and looks at most once a [`event_log::TICK`].
/// An idle sandbox is not woken ten times a second for nothing: the console embeds it, and
/// its idle CPU is the user's.
async fn run_scheduler(state: AppState) {
    // Expired idempotency records are already ignored by lookups and only cost disk, so they
    // are swept once a minute of sandbox time (real time passing, or the clock moved on)
    // rather than on every look.
    const PRUNE_EVERY_MS: i64 = 60_000;
    let mut pruned_at: Option<i64> = None;
    loop {
        let looked_at = tokio::time::Instant::now();
        let now = state.clock.now_ms();
        let prune = pruned_at.is_none_or(|at| now - at >= PRUNE_EVERY_MS);
        let step = async {
            routes::templates::settle_reviews(&state).await?;
            event_log::emit_due(&state).await?;
            if prune {
                idempotency::prune(&state.db, now).await?;
            }
            routes::campaigns::run_due(&state).await?;
            event_log::next_due(&state.db).await
        };
        if prune {
            pruned_at = Some(now);
        }
        let wait_ms = match step.await {
            Ok(next) => {
                let until_prune = PRUNE_EVERY_MS - (now - pruned_at.unwrap_or(now));
                next.map_or(until_prune, |at| (at - now).min(until_prune))
            }
            Err(error) => {
                tracing::warn!(%error.message, "scheduler step failed; retrying");
                0
            }
        };
        let wait = std::time::Duration::from_millis(wait_ms.max(0).unsigned_abs());
        tokio::select! {
            _ = state.bus.scheduler.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        tokio::time::sleep_until(looked_at + event_log::TICK).await;
    }
}

/// Each way a route could end up without a rule, built into a router and started: the
/// sandbox refuses to start and names the handler, or (for a path the start-up check cannot
/// see) refuses the request without running the handler.
#[cfg(test)]
mod access_rule_tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use axum::routing::{get, post};
    use utoipa_axum::router::OpenApiRouter;
    use utoipa_axum::routes;

    use super::*;

    #[utoipa::path(get, path = "/v1/documented", security(("bearer_key" = [])))]
    async fn documented() -> &'static str {
        "ok"
    }

    #[utoipa::path(get, path = "/v1/forgot", responses((status = 200, description = "ok")))]
    async fn forgot_security() -> &'static str {
        "ok"
    }

    #[utoipa::path(get, path = "/v1/typo", security(("bearer_key" = ["contacts:raed"])))]
    async fn misspelled_scope() -> &'static str {
        "ok"
    }

    #[utoipa::path(get, path = "/v1/public", security(()))]
    async fn public() -> &'static str {
        "ok"
    }

    static UNDOCUMENTED_RAN: AtomicBool = AtomicBool::new(false);

    async fn undocumented() -> &'static str {
        UNDOCUMENTED_RAN.store(true, Ordering::SeqCst);
        "ran"
    }

    async fn start_router(
        api: OpenApiRouter<AppState>,
    ) -> (tempfile::TempDir, anyhow::Result<RunningSandbox>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
        let started = start_with(config, api).await;
        (dir, started)
    }

    fn error_of(started: anyhow::Result<RunningSandbox>) -> String {
        match started {
            Ok(_) => panic!("the sandbox started with a route that has no valid rule"),
            Err(error) => format!("{error:#}"),
        }
    }

    #[tokio::test]
    async fn a_handler_without_security_stops_the_start_and_is_named() {
        let api = OpenApiRouter::new()
            .routes(routes!(documented))
            .routes(routes!(forgot_security));
        let (_dir, started) = start_router(api).await;
        let error = error_of(started);
        assert!(error.contains("`forgot_security`"), "{error}");
        assert!(error.contains("GET /v1/forgot"), "{error}");
        assert!(error.contains("declares no `security`"), "{error}");
        assert!(!error.contains("`documented`"), "{error}");
    }

    #[tokio::test]
    async fn a_misspelled_scope_stops_the_start_and_is_named() {
        let api = OpenApiRouter::new().routes(routes!(misspelled_scope));
        let (_dir, started) = start_router(api).await;
        let error = error_of(started);
        assert!(error.contains("`misspelled_scope`"), "{error}");
        assert!(error.contains("`contacts:raed`"), "{error}");
    }

    #[tokio::test]
    async fn a_method_served_without_an_operation_stops_the_start() {
        let api = OpenApiRouter::new()
            .routes(routes!(documented))
            .route("/v1/documented", post(undocumented));
        let (_dir, started) = start_router(api).await;
        let error = error_of(started);
        assert!(error.contains("POST /v1/documented is served"), "{error}");
        assert!(error.contains("documented"), "{error}");
        assert!(!error.contains("GET /v1/documented"), "{error}");
    }

    #[tokio::test]
    async fn a_path_outside_the_document_is_refused_without_running_its_handler() {
        let api = OpenApiRouter::new()
            .routes(routes!(documented))
            .routes(routes!(public))
            .route("/v1/hidden", get(undocumented));
        let (_dir, started) = start_router(api).await;
        let sandbox = started.expect("starts: the start-up check cannot see this path");
        let status = |path: &'static str| {
            let url = format!("{}{path}", sandbox.base_url);
            async move {
                let response = reqwest::get(url).await.expect("request");
                response.status().as_u16()
            }
        };
        assert_eq!(status("/hidden").await, 500);
        assert!(!UNDOCUMENTED_RAN.load(Ordering::SeqCst));
        assert_eq!(status("/public").await, 200, "explicitly public");
        assert_eq!(
            status("/documented").await,
            401,
            "any key still needs a key"
        );
        sandbox.shutdown().await;
    }
}
