//! Realistic request history, written straight into the request log.
//!
//! Usage charts are only worth looking at with weeks of traffic behind them, and a benchmark
//! of a 30-day view needs a million requests: far more than anyone should send through the
//! rate limits. This generator writes what such traffic would have left in
//! `usage_requests`, shaped like a real organisation's: five integrations (each with its
//! own key, endpoints and daily rhythm: a checkout bot busy in the afternoon, a CRM sync
//! running at night, a support inbox in office hours), quieter weekends, a slow upward
//! trend, a few incidents where one endpoint answered mostly 5xx and slowly, and bursts in
//! which a key went over its per-second limit and got 429s with `Retry-After`.
//!
//! Rows are written in time order in transactions of bounded size, so a running sandbox's
//! metering is never blocked for long, and the same seed (`--seed`) writes the same history.

use std::collections::HashSet;
use std::sync::Mutex;

use botbat_api::{Scope, SeedUsageReport};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::clock::from_ms;
use crate::key_store::{self, KeyIndex};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;
/// Rows per INSERT statement (8 values each, well under SQLite's variable limit).
const ROWS_PER_STATEMENT: usize = 500;
/// Rows per transaction: short enough that the metering writer never waits long.
const ROWS_PER_TRANSACTION: usize = 20_000;

/// An endpoint an integration calls, how often, how fast and how it fails.
struct Endpoint {
    method: &'static str,
    route: &'static str,
    weight: f64,
    /// The status of a success.
    ok: u16,
    /// Median latency in milliseconds.
    median_ms: f64,
}

/// When in the day an integration is busy.
#[derive(Clone, Copy)]
enum Rhythm {
    /// Afternoon peak, quiet at night, weekends at 40 %.
    Consumer,
    /// Office hours on weekdays, nearly idle otherwise.
    Office,
    /// A nightly batch between 01:00 and 05:00, light during the day.
    Nightly,
    /// Around the clock with a bump at the top of each hour.
    Steady,
}

struct Integration {
    name: &'static str,
    share: f64,
    rhythm: Rhythm,
    scopes: &'static [Scope],
    endpoints: &'static [Endpoint],
}

const fn ep(
    method: &'static str,
    route: &'static str,
    weight: f64,
    ok: u16,
    median_ms: f64,
) -> Endpoint {
    Endpoint {
        method,
        route,
        weight,
        ok,
        median_ms,
    }
}

const INTEGRATIONS: [Integration; 5] = [
    Integration {
        name: "Checkout bot (seeded)",
        share: 0.34,
        rhythm: Rhythm::Consumer,
        scopes: &[
            Scope::MessagesSend,
            Scope::MessagesRead,
            Scope::TemplatesRead,
            Scope::ContactsRead,
        ],
        endpoints: &[
            ep("POST", "/v1/messages/send", 0.55, 201, 120.0),
            ep("GET", "/v1/messages/{id}", 0.25, 200, 28.0),
            ep("GET", "/v1/contacts/{id}", 0.12, 200, 22.0),
            ep("GET", "/v1/templates", 0.08, 200, 35.0),
        ],
    },
    Integration {
        name: "CRM sync (seeded)",
        share: 0.26,
        rhythm: Rhythm::Nightly,
        scopes: &[Scope::ContactsRead, Scope::ContactsWrite],
        endpoints: &[
            ep("GET", "/v1/contacts", 0.35, 200, 45.0),
            ep("GET", "/v1/contacts/search", 0.2, 200, 70.0),
            ep("PUT", "/v1/contacts/{id}", 0.2, 200, 40.0),
            ep("POST", "/v1/contacts", 0.2, 201, 38.0),
            ep("POST", "/v1/contacts/import", 0.02, 202, 380.0),
            ep("GET", "/v1/jobs/{id}", 0.03, 200, 18.0),
        ],
    },
    Integration {
        name: "Support inbox (seeded)",
        share: 0.2,
        rhythm: Rhythm::Office,
        scopes: &[Scope::ConversationsRead, Scope::ConversationsWrite],
        endpoints: &[
            ep("GET", "/v1/conversations", 0.4, 200, 42.0),
            ep("GET", "/v1/conversations/{id}", 0.35, 200, 30.0),
            ep("POST", "/v1/conversations/{id}/assign", 0.15, 200, 34.0),
            ep("POST", "/v1/conversations/{id}/resolve", 0.1, 200, 33.0),
        ],
    },
    Integration {
        name: "Campaign runner (seeded)",
        share: 0.12,
        rhythm: Rhythm::Office,
        scopes: &[
            Scope::CampaignsRead,
            Scope::CampaignsWrite,
            Scope::TemplatesRead,
        ],
        endpoints: &[
            ep("GET", "/v1/campaigns", 0.3, 200, 40.0),
            ep("GET", "/v1/campaigns/{id}", 0.3, 200, 25.0),
            ep("POST", "/v1/campaigns", 0.15, 201, 60.0),
            ep("POST", "/v1/campaigns/{id}/send", 0.15, 202, 210.0),
            ep("GET", "/v1/templates/{id}", 0.1, 200, 24.0),
        ],
    },
    Integration {
        name: "Analytics export (seeded)",
        share: 0.08,
        rhythm: Rhythm::Steady,
        scopes: &[Scope::UsageRead, Scope::WebhooksRead],
        endpoints: &[
            ep("GET", "/v1/usage/requests", 0.6, 200, 65.0),
            ep("GET", "/v1/events", 0.4, 200, 55.0),
        ],
    },
];

/// Routes an incident can hit, as (integration, endpoint) indexes.
const INCIDENT_TARGETS: [(usize, usize); 4] = [(0, 0), (1, 1), (3, 3), (2, 0)];

/// One row of `usage_requests`.
#[derive(Debug, Clone)]
struct Row {
    time_ms: i64,
    key: usize,
    endpoint: usize,
    status: u16,
    latency_us: i64,
    retry_after: Option<i64>,
}

struct Incident {
    target: (usize, usize),
    from_ms: i64,
    to_ms: i64,
    failure_rate: f64,
    slowdown: f64,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    pub days: u32,
    pub requests: u64,
    /// The history ends here (Unix ms on the sandbox clock).
    pub now_ms: i64,
    /// The per-key limit bursts go over.
    pub per_key_per_second: u32,
    /// The same seed writes the same history.
    pub rng_seed: u64,
    /// Keys are `bb_live_` keys on a production stand-in.
    pub live: bool,
}

/// Data dirs with a seed in progress: a second one is refused (409) instead of interleaving
/// two histories and holding the write lock twice as long.
static SEEDING: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Held while a seed runs on one database; releases it when dropped.
pub struct SeedClaim(String);

impl SeedClaim {
    pub fn try_claim(db: &SqlitePool) -> Option<SeedClaim> {
        let name = db
            .connect_options()
            .get_filename()
            .to_string_lossy()
            .into_owned();
        let mut guard = SEEDING.lock().unwrap_or_else(|p| p.into_inner());
        let set = guard.get_or_insert_with(HashSet::new);
        if set.insert(name.clone()) {
            Some(SeedClaim(name))
        } else {
            None
        }
    }
}

impl Drop for SeedClaim {
    fn drop(&mut self) {
        let mut guard = SEEDING.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(set) = guard.as_mut() {
            set.remove(&self.0);
        }
    }
}

/// Writes the history and returns what was written. `index` is the running sandbox's key
/// index (so the seeded keys are known to it at once); `None` when the sandbox is not
/// running.
pub async fn seed_usage(
    db: &SqlitePool,
    index: Option<&KeyIndex>,
    options: SeedOptions,
) -> Result<SeedUsageReport, sqlx::Error> {
    let mut rng = StdRng::seed_from_u64(options.rng_seed);
    let days = options.days.max(1);
    let end_ms = options.now_ms;
    let start_ms = end_ms - i64::from(days) * DAY_MS;
    let key_ids = ensure_keys(db, index, start_ms, options.live).await?;

    let total = options.requests;
    let bursts = plan_bursts(
        &mut rng,
        total,
        start_ms,
        end_ms,
        options.per_key_per_second,
    );
    let burst_rows: usize = bursts.len();
    let burst_seconds = count_burst_seconds(&bursts);
    let regular = total.saturating_sub(burst_rows as u64);
    let incidents = plan_incidents(&mut rng, days, start_ms, end_ms);

    let minutes = (end_ms - start_ms) / MINUTE_MS;
    let day_noise: Vec<[f64; 5]> = (0..=days)
        .map(|_| std::array::from_fn(|_| rng.random_range(0.8..1.2)))
        .collect();
    let weight_of = |minute: i64| -> [f64; 5] {
        let t = start_ms + minute * MINUTE_MS;
        let day = ((t - start_ms) / DAY_MS) as usize;
        // A slow upward trend: the last day is about 30 % busier than the first.
        let trend = 1.0 + 0.3 * (t - start_ms) as f64 / (end_ms - start_ms).max(1) as f64;
        std::array::from_fn(|k| {
            let integration = &INTEGRATIONS[k];
            integration.share
                * rhythm(integration.rhythm, t)
                * trend
                * day_noise[day.min(day_noise.len() - 1)][k]
        })
    };
    let total_weight: f64 = (0..minutes).map(|m| weight_of(m).iter().sum::<f64>()).sum();

    let endpoint_weights: Vec<Vec<f64>> = INTEGRATIONS
        .iter()
        .map(|i| i.endpoints.iter().map(|e| e.weight).collect())
        .collect();
    let mut writer = Writer::new(db, &key_ids);
    let mut burst_iter = bursts.into_iter().peekable();
    let mut carry = 0.0_f64;
    let mut written: u64 = 0;
    let mut minute_rows: Vec<Row> = Vec::new();
    for minute in 0..minutes {
        let minute_start = start_ms + minute * MINUTE_MS;
        let weights = weight_of(minute);
        let expected =
            regular as f64 * weights.iter().sum::<f64>() / total_weight.max(f64::MIN_POSITIVE);
        carry += expected;
        let mut count = carry.floor() as u64;
        // The last minute takes whatever rounding left over, so the total is exact.
        if minute == minutes - 1 {
            count = regular.saturating_sub(written);
        }
        count = count.min(regular.saturating_sub(written));
        carry -= count as f64;
        written += count;
        minute_rows.clear();
        for _ in 0..count {
            let key = pick(&mut rng, &weights);
            let endpoint = pick(&mut rng, &endpoint_weights[key]);
            let time_ms = minute_start + rng.random_range(0..MINUTE_MS);
            minute_rows.push(regular_row(&mut rng, &incidents, key, endpoint, time_ms));
        }
        while let Some(row) = burst_iter.next_if(|r| r.time_ms < minute_start + MINUTE_MS) {
            minute_rows.push(row);
        }
        minute_rows.sort_by_key(|r| r.time_ms);
        for row in minute_rows.drain(..) {
            writer.push(row).await?;
        }
    }
    for row in burst_iter {
        writer.push(row).await?;
    }
    let summary = writer.finish().await?;
    Ok(SeedUsageReport {
        requests: summary.rows,
        days,
        from: from_ms(start_ms),
        to: from_ms(end_ms),
        key_ids,
        errors: summary.errors,
        rate_limited: summary.rate_limited,
        incidents: incidents.len() as u32,
        bursts: burst_seconds,
    })
}

/// How busy an integration is at `t` (Unix ms, UTC), relative to its own peak.
fn rhythm(rhythm: Rhythm, t: i64) -> f64 {
    let hour = ((t % DAY_MS) / HOUR_MS) as usize;
    // 1970-01-01 was a Thursday: day 0 of the week is Thursday, so days 2 and 3 are the weekend.
    let weekday = (t / DAY_MS).rem_euclid(7);
    let weekend = weekday == 2 || weekday == 3;
    const CONSUMER: [f64; 24] = [
        0.18, 0.12, 0.08, 0.06, 0.06, 0.08, 0.15, 0.3, 0.5, 0.62, 0.7, 0.78, 0.85, 0.9, 0.96, 1.0,
        0.97, 0.9, 0.82, 0.75, 0.66, 0.52, 0.38, 0.26,
    ];
    const OFFICE: [f64; 24] = [
        0.02, 0.02, 0.02, 0.02, 0.02, 0.03, 0.06, 0.2, 0.6, 0.92, 1.0, 0.95, 0.7, 0.85, 0.97, 0.93,
        0.85, 0.6, 0.25, 0.1, 0.06, 0.04, 0.03, 0.02,
    ];
    const NIGHTLY: [f64; 24] = [
        0.15, 0.85, 1.0, 0.95, 0.8, 0.2, 0.08, 0.08, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
        0.1, 0.08, 0.08, 0.08, 0.08, 0.08, 0.1,
    ];
    match rhythm {
        Rhythm::Consumer => CONSUMER[hour] * if weekend { 0.4 } else { 1.0 },
        Rhythm::Office => OFFICE[hour] * if weekend { 0.05 } else { 1.0 },
        Rhythm::Nightly => NIGHTLY[hour],
        Rhythm::Steady => {
            let minute_of_hour = (t % HOUR_MS) / MINUTE_MS;
            if minute_of_hour < 5 {
                1.0
            } else {
                0.35
            }
        }
    }
}

/// An index drawn with probability proportional to its weight.
fn pick(rng: &mut StdRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

/// A log-normal latency around `median_ms` (Box-Muller), in microseconds.
fn latency_us(rng: &mut StdRng, median_ms: f64, sigma: f64) -> i64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    ((median_ms * (sigma * normal).exp()) * 1000.0).clamp(200.0, 30_000_000.0) as i64
}

fn regular_row(
    rng: &mut StdRng,
    incidents: &[Incident],
    key: usize,
    endpoint: usize,
    time_ms: i64,
) -> Row {
    let e = &INTEGRATIONS[key].endpoints[endpoint];
    let incident = incidents
        .iter()
        .find(|i| i.target == (key, endpoint) && i.from_ms <= time_ms && time_ms < i.to_ms);
    let mut latency = latency_us(rng, e.median_ms, 0.45);
    let roll: f64 = rng.random_range(0.0..1.0);
    let status = match incident {
        Some(i) if roll < i.failure_rate => {
            latency = (latency as f64 * i.slowdown) as i64;
            [500, 502, 503, 503][rng.random_range(0..4)]
        }
        Some(i) => {
            latency = (latency as f64 * i.slowdown * 0.6) as i64;
            e.ok
        }
        None => {
            let by_id = e.route.contains("{id}");
            let writes = e.method != "GET";
            let mut p = roll;
            let mut take = |rate: f64| {
                let hit = p < rate;
                p -= rate;
                hit
            };
            if by_id && take(0.015) {
                404
            } else if writes && take(0.02) {
                422
            } else if (e.route.ends_with("/send") || e.route.ends_with("/resolve")) && take(0.012) {
                409
            } else if take(0.003) {
                400
            } else if take(0.002) {
                403
            } else if take(0.0015) {
                500
            } else {
                e.ok
            }
        }
    };
    if (400..500).contains(&status) {
        latency = (latency as f64 * 0.4) as i64;
    }
    Row {
        time_ms,
        key,
        endpoint,
        status,
        latency_us: latency.max(200),
        retry_after: None,
    }
}

/// Bursts: about 1.5 % of the traffic, in bursts of 40 to 160 requests sent faster than the
/// per-key limit; within each second the first `limit` requests are served and the rest
/// answered 429 with `Retry-After: 1`. Returned in time order.
fn plan_bursts(rng: &mut StdRng, total: u64, start_ms: i64, end_ms: i64, limit: u32) -> Vec<Row> {
    let mut budget = (total as f64 * 0.015).round() as u64;
    let limit = u64::from(limit.max(1));
    let mut rows = Vec::new();
    while budget > 0 {
        let size = rng.random_range(40..=160).min(budget);
        budget -= size;
        // Bursty integrations: the checkout bot and the CRM sync.
        let key = if rng.random_bool(0.6) { 0 } else { 1 };
        let endpoint = 0;
        let e = &INTEGRATIONS[key].endpoints[endpoint];
        let rate = (limit * rng.random_range(2..=5)).max(limit + 1);
        let span = end_ms - start_ms - 120_000;
        let second0 = (start_ms + rng.random_range(0..span.max(1))) / 1000 * 1000;
        let mut sent = 0;
        let mut second = 0;
        while sent < size {
            let this_second = rate.min(size - sent);
            for i in 0..this_second {
                let time_ms = second0 + second * 1000 + (i * 1000 / this_second) as i64;
                let served = i < limit;
                rows.push(Row {
                    time_ms,
                    key,
                    endpoint,
                    status: if served { e.ok } else { 429 },
                    latency_us: if served {
                        latency_us(rng, e.median_ms, 0.3)
                    } else {
                        rng.random_range(300..1500)
                    },
                    retry_after: if served { None } else { Some(1) },
                });
            }
            sent += this_second;
            second += 1;
        }
    }
    rows.sort_by_key(|r| r.time_ms);
    rows
}

fn count_burst_seconds(rows: &[Row]) -> u32 {
    let mut seconds: Vec<(usize, i64)> = rows
        .iter()
        .filter(|r| r.status == 429)
        .map(|r| (r.key, r.time_ms / 1000))
        .collect();
    seconds.dedup();
    seconds.len() as u32
}

/// About one incident a week (at least one): 20 to 90 minutes in which one endpoint fails
/// 30 to 60 % of the time and is 3 to 6 times slower.
fn plan_incidents(rng: &mut StdRng, days: u32, start_ms: i64, end_ms: i64) -> Vec<Incident> {
    let count = (days / 7).max(1) as usize;
    (0..count)
        .map(|i| {
            let length = rng.random_range(20..=90) * MINUTE_MS;
            // Spread over the history, in daytime so they show on busy traffic.
            let slot = (end_ms - start_ms) / count as i64;
            let day_start =
                (start_ms + slot * i as i64 + rng.random_range(0..slot.max(1))) / DAY_MS * DAY_MS;
            let from_ms =
                (day_start + rng.random_range(9..17) * HOUR_MS).clamp(start_ms, end_ms - length);
            Incident {
                target: INCIDENT_TARGETS[rng.random_range(0..INCIDENT_TARGETS.len())],
                from_ms,
                to_ms: from_ms + length,
                failure_rate: rng.random_range(0.3..0.6),
                slowdown: rng.random_range(3.0..6.0),
            }
        })
        .collect()
}

/// Reuses each integration's seeded key (by name, not revoked) or creates it, with the
/// scopes its traffic needs.
async fn ensure_keys(
    db: &SqlitePool,
    index: Option<&KeyIndex>,
    created_ms: i64,
    live: bool,
) -> Result<Vec<String>, sqlx::Error> {
    let mut ids = Vec::with_capacity(INTEGRATIONS.len());
    for integration in &INTEGRATIONS {
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM api_keys WHERE name = ? AND revoked_at IS NULL ORDER BY seq LIMIT 1",
        )
        .bind(integration.name)
        .fetch_optional(db)
        .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                let (row, _secret) = key_store::insert(
                    db,
                    integration.name,
                    integration.scopes,
                    created_ms,
                    None,
                    None,
                    live,
                )
                .await?;
                if let Some(index) = index {
                    index.put(&row);
                }
                row.id
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

#[derive(Default)]
struct Summary {
    rows: u64,
    errors: u64,
    rate_limited: u64,
}

/// Buffers rows into multi-row INSERTs inside bounded transactions.
struct Writer<'a> {
    db: &'a SqlitePool,
    key_ids: &'a [String],
    buffer: Vec<Row>,
    tx: Option<sqlx::Transaction<'a, Sqlite>>,
    in_tx: usize,
    last_used: Vec<Option<i64>>,
    summary: Summary,
}

impl<'a> Writer<'a> {
    fn new(db: &'a SqlitePool, key_ids: &'a [String]) -> Self {
        Self {
            db,
            key_ids,
            buffer: Vec::with_capacity(ROWS_PER_STATEMENT),
            tx: None,
            in_tx: 0,
            last_used: vec![None; key_ids.len()],
            summary: Summary::default(),
        }
    }

    async fn push(&mut self, row: Row) -> Result<(), sqlx::Error> {
        self.summary.rows += 1;
        if row.status >= 400 {
            self.summary.errors += 1;
        }
        if row.status == 429 {
            self.summary.rate_limited += 1;
        }
        let last = &mut self.last_used[row.key];
        *last = Some(last.map_or(row.time_ms, |t| t.max(row.time_ms)));
        self.buffer.push(row);
        if self.buffer.len() >= ROWS_PER_STATEMENT {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), sqlx::Error> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        if self.tx.is_none() {
            self.tx = Some(self.db.begin().await?);
        }
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO usage_requests (time, key_id, method, route, status, latency_us, rate_limited, retry_after) ",
        );
        insert.push_values(self.buffer.iter(), |mut b, row| {
            let e = &INTEGRATIONS[row.key].endpoints[row.endpoint];
            b.push_bind(row.time_ms)
                .push_bind(&self.key_ids[row.key])
                .push_bind(e.method)
                .push_bind(e.route)
                .push_bind(i64::from(row.status))
                .push_bind(row.latency_us)
                .push_bind(row.status == 429)
                .push_bind(row.retry_after);
        });
        if let Some(tx) = self.tx.as_mut() {
            insert.build().execute(&mut **tx).await?;
        }
        self.in_tx += self.buffer.len();
        self.buffer.clear();
        if self.in_tx >= ROWS_PER_TRANSACTION {
            if let Some(tx) = self.tx.take() {
                tx.commit().await?;
            }
            self.in_tx = 0;
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<Summary, sqlx::Error> {
        self.flush().await?;
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        for (key_id, last) in self.key_ids.iter().zip(&self.last_used) {
            if let Some(time_ms) = last {
                sqlx::query(
                    "UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?",
                )
                .bind(time_ms)
                .bind(key_id)
                .execute(self.db)
                .await?;
            }
        }
        Ok(self.summary)
    }
}

/// Seeds a data dir directly, whether or not its sandbox is running: the
/// `botbat-sandbox seed-usage` command.
pub async fn seed_data_dir(
    data_dir: &std::path::Path,
    days: u32,
    requests: u64,
    per_key_per_second: u32,
    rng_seed: u64,
) -> anyhow::Result<SeedUsageReport> {
    anyhow::ensure!(
        (1..=3650).contains(&days),
        "--days must be from 1 to 3650 (got {days})"
    );
    anyhow::ensure!(requests >= 1, "--requests must be at least 1");
    let db = crate::db::open(data_dir).await?;
    let offset = crate::db::clock_offset_ms(&db).await?;
    let live: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_keys WHERE prefix = 'bb_live_')")
            .fetch_one(&db)
            .await?;
    let _claim = SeedClaim::try_claim(&db)
        .ok_or_else(|| anyhow::anyhow!("a seed is already running on this data dir"))?;
    let report = seed_usage(
        &db,
        None,
        SeedOptions {
            days,
            requests,
            now_ms: chrono::Utc::now().timestamp_millis() + offset,
            per_key_per_second,
            rng_seed,
            live,
        },
    )
    .await?;
    db.close().await;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_serve_the_limit_each_second_and_429_the_rest() {
        let mut rng = StdRng::seed_from_u64(7);
        let rows = plan_bursts(&mut rng, 100_000, 0, 30 * DAY_MS, 5);
        assert_eq!(rows.len(), 1_500);
        let mut per_second = std::collections::HashMap::new();
        for row in &rows {
            let entry = per_second
                .entry((row.key, row.time_ms / 1000))
                .or_insert((0, 0));
            if row.status == 429 {
                entry.1 += 1;
                assert_eq!(row.retry_after, Some(1));
            } else {
                entry.0 += 1;
            }
        }
        assert!(per_second.values().all(|(served, _)| *served <= 5));
        assert!(per_second.values().any(|(_, limited)| *limited > 0));
    }

    #[test]
    fn rhythms_have_quiet_nights_and_busy_afternoons() {
        let monday = 4 * DAY_MS; // 1970-01-05
        let at = |hour: i64| monday + hour * HOUR_MS;
        assert!(rhythm(Rhythm::Consumer, at(15)) > 5.0 * rhythm(Rhythm::Consumer, at(3)));
        assert!(rhythm(Rhythm::Nightly, at(2)) > 5.0 * rhythm(Rhythm::Nightly, at(15)));
        let saturday = 2 * DAY_MS;
        assert!(
            rhythm(Rhythm::Office, saturday + 10 * HOUR_MS) < 0.1 * rhythm(Rhythm::Office, at(10))
        );
    }
}
