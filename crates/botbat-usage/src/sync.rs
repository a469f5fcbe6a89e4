//! Incremental sync of `GET /v1/usage/requests` into the cache.
//!
//! The log is read oldest first by platform id. Two things are kept with the data, in the
//! transaction that stores each page: the **watermark** (the highest id stored; anything at
//! or below it is skipped, so nothing is stored twice) and the **cursor** the platform gave
//! for the next page (so a sync starts where the last one stopped). The last page of a run
//! has no cursor, so the next run re-reads that one page from the previous cursor and the
//! watermark drops what it already has. This relies on the platform making ids visible in
//! order, which its log does (one writer, ids assigned at commit).
//!
//! The next page is fetched while the current one is being stored, and requests are paced
//! to a share of the plan's tighter limit (per key per second, per organisation per minute)
//! so that a long first sync does not starve the organisation's own integrations. A 429 is
//! waited out as its `Retry-After` says (the client does that), and when a response says
//! the window is used up the sync waits for the window to turn instead of earning a 429.

use std::time::{Duration, Instant};

use botbat_api::{Client, ClientError, ErrorCode, Page, Response, UsageRecord};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use crate::error::Result;
use crate::store::{PlanLimits, UsageStore};

/// Rows per page: the platform's maximum.
pub const PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Use at most this share (0 to 1) of the tighter rate limit; `None` paces only by
    /// the platform's answers (benchmarks, and servers without limits).
    pub max_share_of_limit: Option<f64>,
    /// How often progress is reported, at most.
    pub progress_every: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            // Leaves 40 % of the budget to the organisation's integrations and the
            // console's other panels.
            max_share_of_limit: Some(0.6),
            progress_every: Duration::from_millis(250),
        }
    }
}

/// Where a running sync is.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncProgress {
    /// Rows stored by this run.
    pub rows: u64,
    pub pages: u32,
    pub rows_per_second: f64,
    /// The time of the newest request in the page just stored: how far through the log the
    /// sync has come.
    pub reached: Option<DateTime<Utc>>,
    /// Rows the platform has that the cache does not, as far as the last page said.
    pub remaining: Option<u64>,
    /// Time spent waiting for rate-limit windows to turn.
    pub waited_ms: u64,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncReport {
    pub rows: u64,
    pub pages: u32,
    pub elapsed: Duration,
    pub rows_per_second: f64,
    pub watermark: i64,
    pub server_total: Option<u64>,
    /// Raw rows deleted by the retention setting after the sync.
    pub pruned: u64,
    pub waited_ms: u64,
}

/// Spaces request starts so that they stay within a share of the limits.
struct Pacer {
    gap: Duration,
    next: Instant,
    waited: Duration,
}

impl Pacer {
    fn new(limits: Option<&PlanLimits>, share: Option<f64>) -> Pacer {
        let gap = match (limits, share) {
            (Some(limits), Some(share)) if share > 0.0 => {
                let per_second = f64::from(limits.per_key_per_second)
                    .min(f64::from(limits.per_org_per_minute) / 60.0)
                    .max(0.1);
                Duration::from_secs_f64(1.0 / (per_second * share.min(1.0)))
            }
            _ => Duration::ZERO,
        };
        Pacer {
            gap,
            next: Instant::now(),
            waited: Duration::ZERO,
        }
    }

    async fn wait_turn(&mut self) {
        let now = Instant::now();
        if self.next > now {
            let wait = self.next - now;
            self.waited += wait;
            tokio::time::sleep(wait).await;
        }
        self.next = Instant::now().max(self.next) + self.gap;
    }

    /// After a response that used up its window: wait for the window to turn.
    fn respect<T>(&mut self, response: &Response<T>) {
        if let Some(limit) = &response.rate_limit {
            if limit.remaining == 0 {
                // Capped, overflow-proof: a far-off or absurd reset waits a minute at most.
                let wait = limit.until_reset().duration() + Duration::from_millis(50);
                self.next = self.next.max(Instant::now() + wait);
            }
        }
    }
}

async fn fetch_page(
    client: &Client,
    cursor: Option<String>,
) -> std::result::Result<Response<Page<UsageRecord>>, ClientError> {
    let mut query = vec![("limit", PAGE_SIZE.to_string())];
    if let Some(cursor) = cursor {
        query.push(("cursor", cursor));
    }
    client.get("/usage/requests", &query).await
}

/// How a sync that could be stopped ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEnd {
    Finished(SyncReport),
    /// Stopped before the end. `rows` were stored by this run; they are all in the file,
    /// and nothing this run started can add to them any more.
    Stopped {
        rows: u64,
    },
}

/// [`sync`] until `stop` completes, whichever comes first. A stop abandons the page being
/// fetched and any wait for the rate limits, lets the page being written commit or roll
/// back as a whole, and only then returns: what it reports is exactly what the file holds.
pub async fn sync_until(
    client: &Client,
    store: &UsageStore,
    options: &SyncOptions,
    progress: impl FnMut(&SyncProgress),
    stop: impl std::future::Future<Output = ()>,
) -> Result<SyncEnd> {
    store.settled().await;
    let before = store.state().await?.rows_ingested;
    let finished = tokio::select! {
        biased;
        result = sync(client, store, options, progress) => Some(result?),
        () = stop => None,
    };
    match finished {
        Some(report) => Ok(SyncEnd::Finished(report)),
        None => {
            // The sync's future is gone; a write it handed off may still be running.
            store.settled().await;
            let after = store.state().await?.rows_ingested;
            Ok(SyncEnd::Stopped {
                rows: after.saturating_sub(before),
            })
        }
    }
}

/// Brings `store` up to date with the platform `client` points at, reporting progress as
/// it goes. Safe to interrupt at any point (drop the future): the next call resumes with
/// no gap and no duplicate. A page being written when the future is dropped is still
/// committed, or rolled back, as a whole; [`UsageStore::settled`] waits for that, and
/// [`sync_until`] does it for a sync that is stopped.
pub async fn sync(
    client: &Client,
    store: &UsageStore,
    options: &SyncOptions,
    mut progress: impl FnMut(&SyncProgress),
) -> Result<SyncReport> {
    store.settled().await;
    store.mark_started(Utc::now()).await?;
    match run(client, store, options, &mut progress).await {
        Ok(report) => Ok(report),
        Err(error) => {
            if let Err(record) = store.mark_failed(&error.to_string()).await {
                tracing::warn!(%record, "could not record the sync failure");
            }
            Err(error)
        }
    }
}

async fn run(
    client: &Client,
    store: &UsageStore,
    options: &SyncOptions,
    progress: &mut impl FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let started = Instant::now();
    let limits = client.rate_limits().await?;
    let plan = PlanLimits {
        plan: limits.data.plan.as_str().to_string(),
        per_key_per_second: limits.data.per_key.limit,
        per_org_per_minute: limits.data.per_org.limit,
    };
    store.set_plan(&plan).await?;
    let mut pacer = Pacer::new(Some(&plan), options.max_share_of_limit);
    pacer.respect(&limits);

    pacer.wait_turn().await;
    name_keys(client, store).await?;

    let state = store.state().await?;
    let mut stored_before = state.rows_ingested;
    let mut report = SyncReport {
        rows: 0,
        pages: 0,
        elapsed: Duration::ZERO,
        rows_per_second: 0.0,
        watermark: state.watermark,
        server_total: state.server_total,
        pruned: 0,
        waited_ms: 0,
    };
    let mut reached = None;
    let mut last_report = Instant::now();
    let mut tell = |report: &SyncReport, reached, remaining, done, pacer: &Pacer| {
        let elapsed = started.elapsed().as_secs_f64().max(1e-6);
        progress(&SyncProgress {
            rows: report.rows,
            pages: report.pages,
            rows_per_second: report.rows as f64 / elapsed,
            reached,
            remaining,
            waited_ms: pacer.waited.as_millis() as u64,
            done,
        });
    };

    pacer.wait_turn().await;
    let mut page = fetch_page(client, state.cursor.clone()).await?;
    loop {
        pacer.respect(&page);
        let records = std::mem::take(&mut page.data.data);
        let next_cursor = page.data.cursor.take();
        let total = page.data.total;
        let newest = records.iter().map(|r| r.time).max();
        let ingest = store.ingest_page(records, next_cursor.clone(), Some(total));
        let (stored, next) = match next_cursor.clone() {
            Some(cursor) => {
                // Fetch the next page while this one is written.
                let fetch = async {
                    pacer.wait_turn().await;
                    fetch_page(client, Some(cursor)).await
                };
                let (stored, next) = tokio::join!(ingest, fetch);
                (stored?, Some(next?))
            }
            None => (ingest.await?, None),
        };
        report.rows += stored;
        report.pages += 1;
        stored_before += stored;
        report.server_total = Some(total);
        // Where the sync is in the log: the newest request of the page just stored (the
        // log is in id order, which for history is time order).
        if newest.is_some() {
            reached = newest;
        }
        let remaining = Some(total.saturating_sub(stored_before));
        match next {
            Some(next) => {
                page = next;
                if last_report.elapsed() >= options.progress_every {
                    last_report = Instant::now();
                    tell(&report, reached, remaining, false, &pacer);
                }
            }
            None => {
                report.pruned = store.prune(Utc::now()).await?;
                if report.rows > 0 {
                    store.compact_histograms().await?;
                    // Keeps the write-ahead log from holding megabytes between syncs; a
                    // reader in the way only means it is truncated next time.
                    if let Err(error) = store.checkpoint().await {
                        tracing::debug!(%error, "usage cache checkpoint postponed");
                    }
                }
                store.mark_finished(Utc::now()).await?;
                report.watermark = store.state().await?.watermark;
                report.elapsed = started.elapsed();
                report.rows_per_second =
                    report.rows as f64 / report.elapsed.as_secs_f64().max(1e-6);
                report.waited_ms = pacer.waited.as_millis() as u64;
                tell(&report, reached, Some(0), true, &pacer);
                return Ok(report);
            }
        }
    }
}

/// Names the keys for chart labels. A management key without `keys:manage` cannot list
/// keys; the charts then show key ids, which is no reason to fail the sync.
async fn name_keys(client: &Client, store: &UsageStore) -> Result<()> {
    let keys: std::result::Result<Vec<botbat_api::ApiKey>, ClientError> = client
        .paginate("/api_keys", vec![("limit", "100".to_string())])
        .try_collect()
        .await;
    match keys {
        Ok(keys) => {
            let names: Vec<(String, String)> = keys.into_iter().map(|k| (k.id, k.name)).collect();
            store.set_key_names(names).await
        }
        Err(ClientError::Api { error, .. }) if error.code == ErrorCode::Forbidden => Ok(()),
        Err(error) => Err(error.into()),
    }
}
