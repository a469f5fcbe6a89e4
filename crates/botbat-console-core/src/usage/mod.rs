//! The Usage panel and the Dashboard's chart: a local cache of each environment's request
//! log (`<app data>/<environment>/usage.sqlite`, see `botbat-usage`), kept fresh by
//! incremental syncs, and charts drawn from it (`botbat-charts`).
//!
//! Charts always read the cache, so they open instantly and still work offline, saying
//! "as of" the last completed sync. A sync runs on a task of its own: it outlives the
//! panel that started it, reports progress through the notifier (Tauri events in the
//! app), can be stopped, and the next one carries on exactly where it stopped. A stop is
//! asked of the task rather than forced on it, so "stopped" is only said once the page
//! being written is in the file (or rolled back), with the count of rows that are.

pub mod chart;
pub mod model;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use botbat_api::{SeedUsageReport, SeedUsageRequest, SEED_MAX_DAYS, SEED_MAX_REQUESTS};
use botbat_charts::{render_svg, svg_to_png, to_csv, Theme};
use botbat_usage::{Source, SyncEnd, SyncOptions, UsageStore, Window};
use chrono::{DateTime, SecondsFormat, Utc};

pub use model::*;

use crate::{CommandError, Console, ConsoleCode, Environment};

type Result<T> = std::result::Result<T, CommandError>;

/// Receives sync progress, as it happens, for whoever shows it.
pub type UsageNotifier = Arc<dyn Fn(UsageSyncProgress) + Send + Sync>;

/// The name of each environment's cache file.
pub const USAGE_FILE: &str = "usage.sqlite";
/// Resolution of exported PNGs relative to the chart on screen.
const PNG_SCALE: f32 = 2.0;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl From<botbat_usage::RecentRequest> for UsageLogRow {
    fn from(r: botbat_usage::RecentRequest) -> Self {
        UsageLogRow {
            id: r.id,
            time: rfc3339(r.time),
            key_id: r.key_id,
            key_name: r.key_name,
            method: r.method,
            route: r.route,
            status: r.status,
            latency_ms: r.latency_ms,
            retry_after: r.retry_after,
            request_id: r.request_id,
            console: r.console,
        }
    }
}

struct Running {
    /// Set to true to stop the sync.
    stop: tokio::sync::watch::Sender<bool>,
    progress: Option<UsageSyncProgress>,
}

type RunningSyncs = Arc<Mutex<HashMap<Environment, Running>>>;

/// Removes a sync from the running ones however its task ends (finished, failed, stopped
/// or aborted), and says so to the notifier.
struct SyncGuard {
    environment: Environment,
    running: RunningSyncs,
    notify: UsageNotifier,
    outcome: Option<String>,
    /// The rows a stopped sync left in the file.
    stored: Option<u64>,
}

impl Drop for SyncGuard {
    fn drop(&mut self) {
        let last = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.environment)
            .and_then(|r| r.progress);
        let mut progress = last.unwrap_or(UsageSyncProgress {
            environment: self.environment,
            rows: 0,
            pages: 0,
            rows_per_second: 0.0,
            reached: None,
            remaining: None,
            waited_ms: 0,
            done: true,
            error: None,
        });
        progress.done = true;
        if let Some(rows) = self.stored {
            progress.rows = rows;
        }
        progress.error = Some(
            self.outcome
                .take()
                .unwrap_or_else(|| "The sync was stopped.".to_string()),
        )
        .filter(|e| !e.is_empty());
        (self.notify)(progress);
    }
}

/// The usage caches of both environments and their syncs.
pub struct UsageCache {
    console: Arc<Console>,
    exports_dir: PathBuf,
    notify: UsageNotifier,
    stores: tokio::sync::Mutex<HashMap<Environment, UsageStore>>,
    running: RunningSyncs,
    sync_options: SyncOptions,
}

impl UsageCache {
    /// `exports_dir`: where exported charts are written (the user's Downloads folder).
    pub fn new(console: Arc<Console>, exports_dir: PathBuf, notify: UsageNotifier) -> Self {
        Self {
            console,
            exports_dir,
            notify,
            stores: tokio::sync::Mutex::new(HashMap::new()),
            running: Arc::new(Mutex::new(HashMap::new())),
            sync_options: SyncOptions::default(),
        }
    }

    /// How syncs pace themselves (tests and benchmarks turn pacing off).
    pub fn with_sync_options(mut self, options: SyncOptions) -> Self {
        self.sync_options = options;
        self
    }

    /// The cache of `environment`, opened on first use.
    pub async fn store(&self, environment: Environment) -> Result<UsageStore> {
        let mut stores = self.stores.lock().await;
        if let Some(store) = stores.get(&environment) {
            return Ok(store.clone());
        }
        let path = self.console.local_file(environment, USAGE_FILE)?;
        let store = UsageStore::open(&path, environment.as_str()).await?;
        stores.insert(environment, store.clone());
        Ok(store)
    }

    fn progress_of(&self, environment: Environment) -> Option<UsageSyncProgress> {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&environment)
            .map(|r| {
                r.progress.clone().unwrap_or(UsageSyncProgress {
                    environment,
                    rows: 0,
                    pages: 0,
                    rows_per_second: 0.0,
                    reached: None,
                    remaining: None,
                    waited_ms: 0,
                    done: false,
                    error: None,
                })
            })
    }

    /// The active environment's cache: freshness, size, filters it offers.
    pub async fn overview(&self) -> Result<UsageOverview> {
        self.overview_of(self.console.preferences().active_environment)
            .await
    }

    pub async fn overview_of(&self, environment: Environment) -> Result<UsageOverview> {
        let store = self.store(environment).await?;
        let state = store.state().await?;
        let keys = store.keys().await?;
        let endpoints = store.endpoints().await?;
        Ok(UsageOverview {
            environment,
            as_of: state.last_finished.map(rfc3339),
            last_error: state.last_error,
            syncing: self.progress_of(environment),
            rows_cached: state.rows_ingested,
            raw_rows: state.raw_rows,
            retention_days: state.retention_days,
            oldest: state.oldest.map(rfc3339),
            newest: state.newest.map(rfc3339),
            file_bytes: store.file_size(),
            limits: state.plan.map(|p| UsagePlanLimits {
                plan: p.plan,
                per_key_per_second: p.per_key_per_second,
                per_org_per_minute: p.per_org_per_minute,
            }),
            keys: keys
                .into_iter()
                .map(|k| UsageKeyOption {
                    label: k.name.unwrap_or_else(|| k.key_id.clone()),
                    key_id: k.key_id,
                })
                .collect(),
            endpoints: endpoints.iter().map(ToString::to_string).collect(),
        })
    }

    /// Brings `environment`'s cache up to date, with progress through the notifier. One
    /// sync per environment at a time.
    pub async fn sync(&self, environment: Environment) -> Result<UsageSyncReport> {
        let client = self.console.client(environment).await?;
        let store = self.store(environment).await?;
        let started = Instant::now();
        let handle = {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            if running.contains_key(&environment) {
                return Err(CommandError::new(
                    ConsoleCode::SyncRunning,
                    format!(
                        "The {} usage cache is already syncing; its progress is shown as it goes.",
                        environment.label()
                    ),
                ));
            }
            let mut guard = SyncGuard {
                environment,
                running: self.running.clone(),
                notify: self.notify.clone(),
                outcome: None,
                stored: None,
            };
            let (stop, mut stop_asked) = tokio::sync::watch::channel(false);
            let notify = self.notify.clone();
            let shared = self.running.clone();
            let options = self.sync_options.clone();
            let task_store = store.clone();
            let handle = tokio::spawn(async move {
                let stopped = async move {
                    // The sender lives as long as this sync is listed as running.
                    if stop_asked.wait_for(|asked| *asked).await.is_err() {
                        std::future::pending::<()>().await;
                    }
                };
                let progress = |p: &botbat_usage::SyncProgress| {
                    let progress = UsageSyncProgress {
                        environment,
                        rows: p.rows,
                        pages: p.pages,
                        rows_per_second: (p.rows_per_second * 10.0).round() / 10.0,
                        reached: p.reached.map(rfc3339),
                        remaining: p.remaining,
                        waited_ms: p.waited_ms,
                        done: false,
                        error: None,
                    };
                    if let Some(r) = shared
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_mut(&environment)
                    {
                        r.progress = Some(progress.clone());
                    }
                    if !p.done {
                        notify(progress);
                    }
                };
                let result =
                    botbat_usage::sync_until(&client, &task_store, &options, progress, stopped)
                        .await;
                match &result {
                    Ok(SyncEnd::Finished(_)) => guard.outcome = Some(String::new()),
                    Ok(SyncEnd::Stopped { rows }) => guard.stored = Some(*rows),
                    Err(error) => guard.outcome = Some(error.to_string()),
                }
                drop(guard);
                result
            });
            running.insert(
                environment,
                Running {
                    stop,
                    progress: None,
                },
            );
            handle
        };
        let stopped = || {
            CommandError::new(
                ConsoleCode::SyncCancelled,
                "The sync was stopped. What it stored is kept; the next sync carries on from there.",
            )
        };
        let report = match handle.await {
            Ok(result) => match result? {
                SyncEnd::Finished(report) => report,
                SyncEnd::Stopped { .. } => return Err(stopped()),
            },
            Err(join) if join.is_cancelled() => return Err(stopped()),
            Err(join) => return Err(CommandError::new(ConsoleCode::UsageCache, join.to_string())),
        };
        let state = store.state().await?;
        Ok(UsageSyncReport {
            environment,
            rows: report.rows,
            pages: report.pages,
            seconds: started.elapsed().as_secs_f64(),
            rows_per_second: report.rows_per_second,
            pruned: report.pruned,
            as_of: state.last_finished.map(rfc3339),
        })
    }

    /// Asks `environment`'s sync to stop; returns whether one was running. The sync says
    /// it stopped (its last progress report, and `sync_cancelled` from [`UsageCache::sync`])
    /// once the page it was writing is in the file or rolled back.
    pub fn cancel_sync(&self, environment: Environment) -> bool {
        match self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&environment)
        {
            Some(running) => {
                running.stop.send_replace(true);
                true
            }
            None => false,
        }
    }

    /// Stops every sync (the app is quitting).
    pub fn shutdown(&self) {
        for running in self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            running.stop.send_replace(true);
        }
    }

    /// A window of the active environment's cached request log, newest first, and how long
    /// the whole list is.
    pub async fn log(&self, request: &UsageLogRequest) -> Result<UsageLogPage> {
        let environment = self.console.preferences().active_environment;
        let store = self.store(environment).await?;
        let query = chart::log_query_of(request)?;
        let total = store.log_count(&query).await?;
        let rows = store
            .log(
                &query,
                u64::from(request.offset),
                request.limit.clamp(1, 1_000),
            )
            .await?;
        Ok(UsageLogPage {
            environment,
            total: u32::try_from(total).unwrap_or(u32::MAX),
            offset: request.offset,
            rows: rows.into_iter().map(UsageLogRow::from).collect(),
        })
    }

    /// A chart of the active environment's cache.
    pub async fn chart(&self, request: &UsageChartRequest) -> Result<UsageChart> {
        let environment = self.console.preferences().active_environment;
        Ok(self.draw(environment, request).await?.0)
    }

    async fn draw(
        &self,
        environment: Environment,
        request: &UsageChartRequest,
    ) -> Result<(UsageChart, botbat_charts::Chart)> {
        let store = self.store(environment).await?;
        let zone = chart::zone_of(request)?;
        let (from, to) = chart::range_of(request, Utc::now())?;
        let window = Window::covering(from, to, zone)
            .map_err(|e| CommandError::invalid_input("range", e.to_string()))?;
        let filters = chart::filters_of(request)?;
        let state = store.state().await?;
        let limits = state.plan.map(|p| UsagePlanLimits {
            plan: p.plan,
            per_key_per_second: p.per_key_per_second,
            per_org_per_minute: p.per_org_per_minute,
        });
        let started = Instant::now();
        let drawn = chart::answer(&store, request, &window, &filters, limits.as_ref()).await?;
        let theme = match request.theme {
            ChartTheme::Light => Theme::Light,
            ChartTheme::Dark => Theme::Dark,
        };
        let rendered = render_svg(&drawn.chart, (request.width, request.height), theme)?;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let totals = store.summary(&window, &filters, Source::Rollups).await?;
        let at = |s: i64| rfc3339(DateTime::from_timestamp(s, 0).unwrap_or(DateTime::UNIX_EPOCH));
        let chart = UsageChart {
            environment,
            chart: request.chart,
            title: drawn.chart.title.clone(),
            svg: rendered.svg,
            width: rendered.width,
            height: rendered.height,
            plot: ChartPlotArea {
                left: rendered.plot.left,
                top: rendered.plot.top,
                right: rendered.plot.right,
                bottom: rendered.plot.bottom,
            },
            y_max: rendered.y_max,
            unit: drawn.unit,
            bucket_seconds: window.bucket_s as u32,
            buckets: rendered
                .bucket_x
                .iter()
                .enumerate()
                .map(|(i, x)| ChartBucket {
                    start: at(window.bucket_start(i)),
                    end: at(window.bucket_start(i + 1)),
                    x: *x,
                    requests: drawn.answer.totals.get(i).copied().unwrap_or(0),
                })
                .collect(),
            series: drawn
                .chart
                .series
                .iter()
                .zip(&drawn.answer.series)
                .zip(&rendered.colors)
                .map(|((drawn, answered), color)| ChartSeries {
                    name: drawn.name.clone(),
                    detail: answered.detail.clone(),
                    color: color.clone(),
                    style: match drawn.style {
                        botbat_charts::Style::StackedArea => ChartSeriesStyle::Area,
                        botbat_charts::Style::Line => ChartSeriesStyle::Line,
                        botbat_charts::Style::Markers => ChartSeriesStyle::Markers,
                    },
                    values: drawn.values.clone(),
                    filter: chart::series_filter(&answered.filter),
                })
                .collect(),
            filter: chart::series_filter(&botbat_usage::LogQuery::of(match request.chart {
                UsageChartKind::RateLimits => {
                    botbat_usage::Filters::of_limits(filters.key_id.as_deref())
                }
                _ => filters.clone(),
            })),
            from: at(window.from_s),
            to: at(window.to_s),
            totals: UsageTotals {
                requests: totals.requests,
                errors: totals.errors,
                error_rate: if totals.requests == 0 {
                    0.0
                } else {
                    totals.errors as f64 / totals.requests as f64
                },
                rate_limited: totals.rate_limited,
                p95_ms: totals.p95_ms,
            },
            limits,
            answered_from: drawn.answer.answered_from.clone(),
            rows_read: drawn.answer.rows_read,
            elapsed_ms: (elapsed_ms * 10.0).round() / 10.0,
            as_of: state.last_finished.map(rfc3339),
        };
        Ok((chart, drawn.chart))
    }

    /// Writes a chart of the active environment as SVG or PNG, or its data as CSV, into the
    /// exports folder.
    pub async fn export(
        &self,
        request: &UsageChartRequest,
        format: UsageExportFormat,
    ) -> Result<UsageExport> {
        let environment = self.console.preferences().active_environment;
        let bytes = self.render(environment, request, format).await?;
        let extension = match format {
            UsageExportFormat::Svg => "svg",
            UsageExportFormat::Png => "png",
            UsageExportFormat::Csv => "csv",
        };
        let kind = match (request.chart, request.breakdown) {
            (UsageChartKind::Volume, Some(UsageBreakdown::Key)) => "volume-by-key",
            (UsageChartKind::Volume, _) => "volume-by-endpoint",
            (UsageChartKind::Errors, Some(UsageBreakdown::ErrorCode)) => "errors-by-code",
            (UsageChartKind::Errors, _) => "errors-by-class",
            (UsageChartKind::Latency, _) => "latency",
            (UsageChartKind::RateLimits, _) => "rate-limits",
        };
        std::fs::create_dir_all(&self.exports_dir).map_err(|e| {
            CommandError::new(
                ConsoleCode::ExportFailed,
                format!("Could not create {}: {e}", self.exports_dir.display()),
            )
        })?;
        let stamp = Utc::now().format("%Y%m%d-%H%M%S");
        let mut path = self.exports_dir.join(format!(
            "botbat-{}-{kind}-{stamp}.{extension}",
            environment.as_str()
        ));
        let mut n = 2;
        while path.exists() {
            path = self.exports_dir.join(format!(
                "botbat-{}-{kind}-{stamp}-{n}.{extension}",
                environment.as_str()
            ));
            n += 1;
        }
        std::fs::write(&path, &bytes).map_err(|e| {
            CommandError::new(
                ConsoleCode::ExportFailed,
                format!("Could not write {}: {e}", path.display()),
            )
        })?;
        Ok(UsageExport {
            format,
            path: path.display().to_string(),
            bytes: bytes.len() as u64,
        })
    }

    /// A chart of `environment`'s cache as SVG or PNG bytes, or its data as CSV.
    pub async fn render(
        &self,
        environment: Environment,
        request: &UsageChartRequest,
        format: UsageExportFormat,
    ) -> Result<Vec<u8>> {
        let (drawn, chart) = self.draw(environment, request).await?;
        Ok(match format {
            UsageExportFormat::Svg => drawn.svg.into_bytes(),
            UsageExportFormat::Csv => to_csv(&chart)?.into_bytes(),
            UsageExportFormat::Png => {
                let svg = drawn.svg;
                tokio::task::spawn_blocking(move || svg_to_png(&svg, PNG_SCALE))
                    .await
                    .map_err(|e| CommandError::new(ConsoleCode::Chart, e.to_string()))??
            }
        })
    }

    /// Sets how many days raw requests are kept in `environment`'s cache (rollups are kept
    /// regardless) and prunes at once.
    pub async fn set_retention(
        &self,
        environment: Environment,
        days: u32,
    ) -> Result<UsageOverview> {
        let store = self.store(environment).await?;
        store
            .set_retention_days(days, Utc::now())
            .await
            .map_err(|e| CommandError::invalid_input("days", e.to_string()))?;
        self.overview_of(environment).await
    }

    /// Generates request history in the sandbox (`POST /v1/sandbox/usage/seed`).
    pub async fn seed(
        &self,
        environment: Environment,
        days: u32,
        requests: u32,
    ) -> Result<SeedUsageReport> {
        self.console.ensure_active(environment).await?;
        if environment != Environment::Sandbox {
            return Err(CommandError::new(
                ConsoleCode::SandboxOnly,
                "History can only be generated in the sandbox: production usage is real traffic.",
            ));
        }
        if !(1..=SEED_MAX_DAYS).contains(&days) {
            return Err(CommandError::invalid_input(
                "days",
                format!("Choose from 1 to {SEED_MAX_DAYS} days."),
            ));
        }
        if !(1..=SEED_MAX_REQUESTS).contains(&requests) {
            return Err(CommandError::invalid_input(
                "requests",
                format!("Choose from 1 to {SEED_MAX_REQUESTS} requests."),
            ));
        }
        let client = self.console.client(environment).await?;
        let report = client
            .post("/sandbox/usage/seed", &SeedUsageRequest { days, requests })
            .await?;
        Ok(report.data)
    }
}

/// Writes the TypeScript bindings of the usage types into `dir`.
pub fn export_bindings(dir: &std::path::Path) -> std::result::Result<(), ts_rs::ExportError> {
    use ts_rs::TS;
    UsageChartRequest::export_all_to(dir)?;
    UsageChart::export_all_to(dir)?;
    UsageSyncProgress::export_all_to(dir)?;
    UsageSyncReport::export_all_to(dir)?;
    UsageOverview::export_all_to(dir)?;
    UsageLogRequest::export_all_to(dir)?;
    UsageLogPage::export_all_to(dir)?;
    UsageExport::export_all_to(dir)?;
    UsageExportFormat::export_all_to(dir)?;
    SeedUsageReport::export_all_to(dir)?;
    Ok(())
}
