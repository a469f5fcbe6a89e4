//! `usage.sqlite`: the raw request log, its rollups and where the sync stands, for one
//! environment.
//!
//! Every page of the platform's log is ingested in one transaction that also moves the
//! watermark and the cursor, so whatever interrupts a sync (a dropped future, a closed
//! window, a lost network) leaves either all of a page or none of it, and the next sync
//! carries on from exactly there. Rollups are updated in the same transaction with
//! additive upserts (no read before write), which is what keeps ingestion cheap.
//!
//! Every write runs on a task of its own, one at a time. Dropping a future while it is
//! opening a transaction can leave a pooled connection inside that transaction (sqlx
//! issues no rollback for a `begin` that never returned), and later writes on that
//! connection would then never be committed; and a statement already handed to SQLite
//! runs to its end whether or not anyone still waits for it. A detached task always runs
//! its write to the commit or to the rollback, whatever happens to the sync that asked
//! for it, and [`UsageStore::settled`] waits for it: once that returns, nothing an
//! interrupted sync started can still change the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botbat_api::UsageRecord;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};

use crate::error::{Result, UsageError};
use crate::latency::{self, Histogram};

/// The rollup tables and the width of their buckets, in seconds.
pub const RESOLUTIONS: [(Resolution, &str); 3] = [
    (Resolution::Minute, "rollup_minute"),
    (Resolution::Hour, "rollup_hour"),
    (Resolution::Day, "rollup_day"),
];

/// How fine a stored rollup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resolution {
    Minute,
    Hour,
    Day,
}

impl Resolution {
    pub fn seconds(self) -> i64 {
        match self {
            Resolution::Minute => 60,
            Resolution::Hour => 3_600,
            Resolution::Day => 86_400,
        }
    }

    pub fn table(self) -> &'static str {
        match self {
            Resolution::Minute => "rollup_minute",
            Resolution::Hour => "rollup_hour",
            Resolution::Day => "rollup_day",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Minute => "minute",
            Resolution::Hour => "hour",
            Resolution::Day => "day",
        }
    }
}

/// Raw rows are pruned after this many days unless set otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Rows per multi-row INSERT (10 values each: well under SQLite's variable limit).
const ROWS_PER_STATEMENT: usize = 1_000;
/// Histograms longer than this are re-encoded after a sync.
const COMPACT_OVER_BYTES: i64 = 160;

/// The plan limits the rate-limit chart draws, as last read from the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLimits {
    pub plan: String,
    pub per_key_per_second: u32,
    pub per_org_per_minute: u32,
}

/// Where the cache stands.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncState {
    /// The highest platform id ingested.
    pub watermark: i64,
    /// Where the next sync starts reading.
    pub cursor: Option<String>,
    /// Rows ingested since the cache was created (pruning does not lower it).
    pub rows_ingested: u64,
    /// The platform's row count when last asked.
    pub server_total: Option<u64>,
    pub last_started: Option<DateTime<Utc>>,
    /// The end of the last sync that completed: the cache's "as of".
    pub last_finished: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub plan: Option<PlanLimits>,
    pub retention_days: u32,
    /// Raw rows kept now.
    pub raw_rows: u64,
    /// The first and last minute with traffic, from the rollups (kept when raw rows go).
    pub oldest: Option<DateTime<Utc>>,
    pub newest: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Dims {
    keys: HashMap<String, i64>,
    endpoints: HashMap<(String, String), i64>,
}

/// One environment's usage cache. Clones share the same database and caches.
#[derive(Clone)]
pub struct UsageStore {
    pool: SqlitePool,
    env: i64,
    environment: String,
    path: PathBuf,
    dims: Arc<Mutex<Dims>>,
    /// Held by each detached write: one at a time, and [`UsageStore::settled`] waits for
    /// the one in flight.
    writing: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for UsageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsageStore")
            .field("environment", &self.environment)
            .field("path", &self.path)
            .finish()
    }
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A rollup cell being built from a batch.
#[derive(Default)]
struct Cell {
    requests: i64,
    limited: i64,
    latency_sum_us: i64,
    latency_max_us: i64,
    histogram: Histogram,
}

struct Row {
    id: i64,
    time_ms: i64,
    key_ref: i64,
    endpoint_ref: i64,
    status: i64,
    latency_us: i64,
    rate_limited: bool,
    retry_after: Option<i64>,
    request_id: Option<String>,
}

impl UsageStore {
    /// Opens (or creates) the cache at `path` for `environment`. A file that already
    /// belongs to another environment is refused.
    pub async fn open(path: &Path, environment: &str) -> Result<UsageStore> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                UsageError::invalid(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let database = |source| UsageError::Database {
            path: path.display().to_string(),
            source,
        };
        // A path, never a `sqlite://` URL: a data dir may hold `?`, `#`, `%` or spaces.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(database)?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let existing: Vec<(i64, String)> =
            sqlx::query_as("SELECT code, name FROM environments ORDER BY code")
                .fetch_all(&pool)
                .await?;
        let env = match existing.iter().find(|(_, name)| name == environment) {
            Some((code, _)) => *code,
            None if existing.is_empty() => {
                // 0 and 1 are stored in no bytes at all: the tag on every row is free.
                let code = if environment == "production" { 1 } else { 0 };
                sqlx::query("INSERT INTO environments (code, name) VALUES (?, ?)")
                    .bind(code)
                    .bind(environment)
                    .execute(&pool)
                    .await?;
                sqlx::query("INSERT INTO sync_state (env, retention_days) VALUES (?, ?)")
                    .bind(code)
                    .bind(DEFAULT_RETENTION_DAYS)
                    .execute(&pool)
                    .await?;
                code
            }
            None => {
                return Err(UsageError::WrongEnvironment(format!(
                    "{} holds {}'s usage, not {environment}'s; each environment keeps its own file",
                    path.display(),
                    existing
                        .iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        let mut dims = Dims::default();
        let keys: Vec<(i64, String)> = sqlx::query_as("SELECT ref, key_id FROM keys WHERE env = ?")
            .bind(env)
            .fetch_all(&pool)
            .await?;
        dims.keys = keys.into_iter().map(|(r, k)| (k, r)).collect();
        let endpoints: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT ref, method, route FROM endpoints WHERE env = ?")
                .bind(env)
                .fetch_all(&pool)
                .await?;
        dims.endpoints = endpoints.into_iter().map(|(r, m, p)| ((m, p), r)).collect();
        Ok(UsageStore {
            pool,
            env,
            environment: environment.to_string(),
            path: path.to_path_buf(),
            dims: Arc::new(Mutex::new(dims)),
            writing: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Runs a write on its own task (see the module docs), one write at a time.
    async fn detached<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        // Taken before the task exists, so `settled` can never slip in between.
        let turn = self.writing.clone().lock_owned().await;
        tokio::spawn(async move {
            let result = work.await;
            drop(turn);
            result
        })
        .await
        .map_err(|e| UsageError::invalid(format!("a usage cache write stopped: {e}")))?
    }

    /// Waits until a write still running for an interrupted sync has finished.
    pub async fn settled(&self) {
        drop(self.writing.lock().await);
    }

    pub fn environment(&self) -> &str {
        &self.environment
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) fn env(&self) -> i64 {
        self.env
    }

    /// Bytes on disk: the database and its write-ahead log.
    pub fn file_size(&self) -> u64 {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        size(&self.path) + size(&wal)
    }

    /// Writes the log out of the WAL into the database file (for an honest file size).
    pub async fn checkpoint(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(self) {
        self.pool.close().await;
    }

    pub async fn state(&self) -> Result<SyncState> {
        #[derive(sqlx::FromRow)]
        struct StateRow {
            watermark: i64,
            cursor: Option<String>,
            rows_ingested: i64,
            server_total: Option<i64>,
            last_started_ms: Option<i64>,
            last_finished_ms: Option<i64>,
            last_error: Option<String>,
            plan: Option<String>,
            per_key_per_second: Option<i64>,
            per_org_per_minute: Option<i64>,
            retention_days: i64,
        }
        let row: StateRow = sqlx::query_as("SELECT * FROM sync_state WHERE env = ?")
            .bind(self.env)
            .fetch_one(&self.pool)
            .await?;
        let raw_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM requests WHERE env = ?")
            .bind(self.env)
            .fetch_one(&self.pool)
            .await?;
        let (oldest, newest): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MIN(minute), MAX(minute) FROM load_minute WHERE env = ? AND key_ref = 0",
        )
        .bind(self.env)
        .fetch_one(&self.pool)
        .await?;
        Ok(SyncState {
            watermark: row.watermark,
            cursor: row.cursor,
            rows_ingested: row.rows_ingested.max(0) as u64,
            server_total: row.server_total.map(|t| t.max(0) as u64),
            last_started: row.last_started_ms.map(from_ms),
            last_finished: row.last_finished_ms.map(from_ms),
            last_error: row.last_error,
            plan: match (row.plan, row.per_key_per_second, row.per_org_per_minute) {
                (Some(plan), Some(per_key), Some(per_org)) => Some(PlanLimits {
                    plan,
                    per_key_per_second: per_key.max(0) as u32,
                    per_org_per_minute: per_org.max(0) as u32,
                }),
                _ => None,
            },
            retention_days: row.retention_days.max(1) as u32,
            raw_rows: raw_rows.max(0) as u64,
            oldest: oldest.map(|s| from_ms(s * 1000)),
            newest: newest.map(|s| from_ms(s * 1000)),
        })
    }

    /// Ingests records that are not in the cache yet (ids above the watermark), moving the
    /// watermark, in one transaction. Returns how many were new.
    pub async fn ingest(&self, records: Vec<UsageRecord>) -> Result<u64> {
        self.ingest_page(records, None, None).await
    }

    /// [`UsageStore::ingest`] that also records where the next page starts (when the
    /// platform gave a cursor) and the platform's row count, in the same transaction. The
    /// transaction runs to its end even if the caller stops waiting.
    pub(crate) async fn ingest_page(
        &self,
        records: Vec<UsageRecord>,
        next_cursor: Option<String>,
        server_total: Option<u64>,
    ) -> Result<u64> {
        let store = self.clone();
        self.detached(async move {
            store
                .write_page(&records, next_cursor.as_deref(), server_total)
                .await
        })
        .await
    }

    async fn write_page(
        &self,
        records: &[UsageRecord],
        next_cursor: Option<&str>,
        server_total: Option<u64>,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let watermark: i64 = sqlx::query_scalar("SELECT watermark FROM sync_state WHERE env = ?")
            .bind(self.env)
            .fetch_one(&mut *tx)
            .await?;
        let fresh: Vec<&UsageRecord> = records.iter().filter(|r| r.id > watermark).collect();
        let mut new_keys = Vec::new();
        let mut new_endpoints = Vec::new();
        let mut rows = Vec::with_capacity(fresh.len());
        for record in &fresh {
            let key_ref = self.key_ref(&mut tx, &record.key_id, &mut new_keys).await?;
            let endpoint_ref = self
                .endpoint_ref(&mut tx, &record.method, &record.route, &mut new_endpoints)
                .await?;
            rows.push(Row {
                id: record.id,
                time_ms: record.time.timestamp_millis(),
                key_ref,
                endpoint_ref,
                status: i64::from(record.status),
                latency_us: (record.latency_ms * 1000.0).round() as i64,
                rate_limited: record.rate_limited,
                retry_after: record.retry_after.map(i64::from),
                request_id: record.request_id.clone(),
            });
        }
        insert_raw(&mut tx, self.env, &rows).await?;
        for (resolution, table) in RESOLUTIONS {
            upsert_rollup(&mut tx, self.env, table, resolution.seconds(), &rows).await?;
        }
        upsert_load(&mut tx, self.env, &rows).await?;
        let top = rows
            .iter()
            .map(|r| r.id)
            .max()
            .unwrap_or(watermark)
            .max(watermark);
        sqlx::query(
            "UPDATE sync_state SET watermark = ?, cursor = COALESCE(?, cursor),
                rows_ingested = rows_ingested + ?, server_total = COALESCE(?, server_total)
             WHERE env = ?",
        )
        .bind(top)
        .bind(next_cursor)
        .bind(rows.len() as i64)
        .bind(server_total.map(|t| t as i64))
        .bind(self.env)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Only now that they exist on disk may later batches reuse these refs.
        let mut dims = self.dims.lock().unwrap_or_else(|p| p.into_inner());
        dims.keys.extend(new_keys);
        dims.endpoints.extend(new_endpoints);
        Ok(rows.len() as u64)
    }

    async fn key_ref(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        key_id: &str,
        new: &mut Vec<(String, i64)>,
    ) -> Result<i64> {
        if let Some(found) = self
            .dims
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys
            .get(key_id)
        {
            return Ok(*found);
        }
        if let Some((_, found)) = new.iter().find(|(k, _)| k == key_id) {
            return Ok(*found);
        }
        sqlx::query("INSERT INTO keys (env, key_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(self.env)
            .bind(key_id)
            .execute(&mut **tx)
            .await?;
        let found: i64 = sqlx::query_scalar("SELECT ref FROM keys WHERE env = ? AND key_id = ?")
            .bind(self.env)
            .bind(key_id)
            .fetch_one(&mut **tx)
            .await?;
        new.push((key_id.to_string(), found));
        Ok(found)
    }

    async fn endpoint_ref(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        method: &str,
        route: &str,
        new: &mut Vec<((String, String), i64)>,
    ) -> Result<i64> {
        let wanted = (method.to_string(), route.to_string());
        if let Some(found) = self
            .dims
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .endpoints
            .get(&wanted)
        {
            return Ok(*found);
        }
        if let Some((_, found)) = new.iter().find(|(k, _)| *k == wanted) {
            return Ok(*found);
        }
        sqlx::query(
            "INSERT INTO endpoints (env, method, route) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(self.env)
        .bind(method)
        .bind(route)
        .execute(&mut **tx)
        .await?;
        let found: i64 = sqlx::query_scalar(
            "SELECT ref FROM endpoints WHERE env = ? AND method = ? AND route = ?",
        )
        .bind(self.env)
        .bind(method)
        .bind(route)
        .fetch_one(&mut **tx)
        .await?;
        new.push((wanted, found));
        Ok(found)
    }

    /// Names keys for chart labels (`key_id`, name).
    pub async fn set_key_names(&self, names: Vec<(String, String)>) -> Result<()> {
        let store = self.clone();
        self.detached(async move { store.write_key_names(&names).await })
            .await
    }

    async fn write_key_names(&self, names: &[(String, String)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (key_id, name) in names {
            sqlx::query(
                "INSERT INTO keys (env, key_id, name) VALUES (?, ?, ?)
                 ON CONFLICT (env, key_id) DO UPDATE SET name = excluded.name",
            )
            .bind(self.env)
            .bind(key_id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let keys: Vec<(i64, String)> = sqlx::query_as("SELECT ref, key_id FROM keys WHERE env = ?")
            .bind(self.env)
            .fetch_all(&self.pool)
            .await?;
        self.dims.lock().unwrap_or_else(|p| p.into_inner()).keys =
            keys.into_iter().map(|(r, k)| (k, r)).collect();
        Ok(())
    }

    pub async fn set_plan(&self, limits: &PlanLimits) -> Result<()> {
        let store = self.clone();
        let limits = limits.clone();
        self.detached(async move {
            sqlx::query(
                "UPDATE sync_state SET plan = ?, per_key_per_second = ?, per_org_per_minute = ? WHERE env = ?",
            )
            .bind(&limits.plan)
            .bind(limits.per_key_per_second)
            .bind(limits.per_org_per_minute)
            .bind(store.env)
            .execute(&store.pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Sets columns of this environment's `sync_state` on the writer: `assignments` is the
    /// `SET` clause, with one `?` for `value`.
    async fn update_state<V>(&self, assignments: &'static str, value: V) -> Result<()>
    where
        V: for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send + 'static,
    {
        let store = self.clone();
        self.detached(async move {
            let sql = format!("UPDATE sync_state SET {assignments} WHERE env = ?");
            sqlx::query(&sql)
                .bind(value)
                .bind(store.env)
                .execute(&store.pool)
                .await?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn mark_started(&self, now: DateTime<Utc>) -> Result<()> {
        self.update_state("last_started_ms = ?", now.timestamp_millis())
            .await
    }

    pub(crate) async fn mark_finished(&self, now: DateTime<Utc>) -> Result<()> {
        self.update_state(
            "last_finished_ms = ?, last_error = NULL",
            now.timestamp_millis(),
        )
        .await
    }

    pub(crate) async fn mark_failed(&self, message: &str) -> Result<()> {
        self.update_state("last_error = ?", message.to_string())
            .await
    }

    /// Sets how long raw rows are kept (1 to 3650 days) and prunes at once.
    pub async fn set_retention_days(&self, days: u32, now: DateTime<Utc>) -> Result<u64> {
        if !(1..=3650).contains(&days) {
            return Err(UsageError::invalid(format!(
                "retention must be from 1 to 3650 days (got {days})"
            )));
        }
        self.update_state("retention_days = ?", days).await?;
        self.prune(now).await
    }

    /// Deletes raw rows older than the retention period; rollups stay. Returns the rows
    /// deleted.
    pub async fn prune(&self, now: DateTime<Utc>) -> Result<u64> {
        let store = self.clone();
        self.detached(async move {
            let days: i64 =
                sqlx::query_scalar("SELECT retention_days FROM sync_state WHERE env = ?")
                    .bind(store.env)
                    .fetch_one(&store.pool)
                    .await?;
            let cutoff = now.timestamp_millis() - days.max(1) * 86_400_000;
            let done = sqlx::query("DELETE FROM requests WHERE env = ? AND time_ms < ?")
                .bind(store.env)
                .bind(cutoff)
                .execute(&store.pool)
                .await?;
            Ok(done.rows_affected())
        })
        .await
    }

    /// Re-encodes rollup histograms that many merges have made long. Returns the rows
    /// rewritten.
    pub async fn compact_histograms(&self) -> Result<u64> {
        let store = self.clone();
        self.detached(async move { store.rewrite_long_histograms().await })
            .await
    }

    async fn rewrite_long_histograms(&self) -> Result<u64> {
        let mut rewritten = 0;
        for (_, table) in RESOLUTIONS {
            let long: Vec<(i64, i64, i64, i64, Vec<u8>)> = sqlx::query_as(&format!(
                "SELECT bucket, key_ref, endpoint_ref, status, histogram FROM {table}
                 WHERE env = ? AND length(histogram) > ?"
            ))
            .bind(self.env)
            .bind(COMPACT_OVER_BYTES)
            .fetch_all(&self.pool)
            .await?;
            let mut tx = self.pool.begin().await?;
            for (bucket, key_ref, endpoint_ref, status, histogram) in long {
                sqlx::query(&format!(
                    "UPDATE {table} SET histogram = ? WHERE env = ? AND bucket = ? AND key_ref = ?
                       AND endpoint_ref = ? AND status = ?"
                ))
                .bind(latency::compact(&histogram))
                .bind(self.env)
                .bind(bucket)
                .bind(key_ref)
                .bind(endpoint_ref)
                .bind(status)
                .execute(&mut *tx)
                .await?;
                rewritten += 1;
            }
            tx.commit().await?;
        }
        Ok(rewritten)
    }

    /// The platform ids of the raw rows kept, ascending (for checks that nothing is
    /// missing or doubled).
    pub async fn raw_ids(&self) -> Result<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM requests WHERE env = ? ORDER BY id")
                .bind(self.env)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Requests counted by the minute rollups: equal to the rows ever ingested.
    pub async fn rolled_up_requests(&self) -> Result<u64> {
        let n: Option<i64> =
            sqlx::query_scalar("SELECT SUM(requests) FROM rollup_minute WHERE env = ?")
                .bind(self.env)
                .fetch_one(&self.pool)
                .await?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }
}

async fn insert_raw(tx: &mut Transaction<'_, Sqlite>, env: i64, rows: &[Row]) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO requests (id, env, time_ms, key_ref, endpoint_ref, status, latency_us, rate_limited, retry_after, request_id) ",
        );
        insert.push_values(chunk, |mut b, row| {
            b.push_bind(row.id)
                .push_bind(env)
                .push_bind(row.time_ms)
                .push_bind(row.key_ref)
                .push_bind(row.endpoint_ref)
                .push_bind(row.status)
                .push_bind(row.latency_us)
                .push_bind(row.rate_limited)
                .push_bind(row.retry_after)
                .push_bind(row.request_id.clone());
        });
        insert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_rollup(
    tx: &mut Transaction<'_, Sqlite>,
    env: i64,
    table: &str,
    width_s: i64,
    rows: &[Row],
) -> Result<()> {
    let mut cells: HashMap<(i64, i64, i64, i64), Cell> = HashMap::new();
    for row in rows {
        let bucket = row.time_ms.div_euclid(1000).div_euclid(width_s) * width_s;
        let cell = cells
            .entry((bucket, row.key_ref, row.endpoint_ref, row.status))
            .or_default();
        cell.requests += 1;
        cell.limited += i64::from(row.rate_limited);
        cell.latency_sum_us += row.latency_us;
        cell.latency_max_us = cell.latency_max_us.max(row.latency_us);
        cell.histogram.add(row.latency_us);
    }
    let mut cells: Vec<_> = cells.into_iter().collect();
    cells.sort_by_key(|(k, _)| *k);
    for chunk in cells.chunks(ROWS_PER_STATEMENT) {
        let mut upsert: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "INSERT INTO {table} (env, bucket, key_ref, endpoint_ref, status, requests, limited, latency_sum_us, latency_max_us, histogram) "
        ));
        upsert.push_values(
            chunk,
            |mut b, ((bucket, key_ref, endpoint_ref, status), cell)| {
                b.push_bind(env)
                    .push_bind(*bucket)
                    .push_bind(*key_ref)
                    .push_bind(*endpoint_ref)
                    .push_bind(*status)
                    .push_bind(cell.requests)
                    .push_bind(cell.limited)
                    .push_bind(cell.latency_sum_us)
                    .push_bind(cell.latency_max_us)
                    .push_bind(cell.histogram.encode());
            },
        );
        upsert.push(
            " ON CONFLICT (env, bucket, key_ref, endpoint_ref, status) DO UPDATE SET
               requests = requests + excluded.requests,
               limited = limited + excluded.limited,
               latency_sum_us = latency_sum_us + excluded.latency_sum_us,
               latency_max_us = max(latency_max_us, excluded.latency_max_us),
               histogram = CAST(histogram || excluded.histogram AS BLOB)",
        );
        upsert.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_load(tx: &mut Transaction<'_, Sqlite>, env: i64, rows: &[Row]) -> Result<()> {
    let mut minutes: HashMap<(i64, i64), (i64, i64)> = HashMap::new();
    for row in rows {
        let minute = row.time_ms.div_euclid(60_000) * 60;
        for key_ref in [0, row.key_ref] {
            let entry = minutes.entry((key_ref, minute)).or_default();
            entry.0 += 1;
            entry.1 += i64::from(row.rate_limited);
        }
    }
    let mut minutes: Vec<_> = minutes.into_iter().collect();
    minutes.sort_by_key(|(k, _)| *k);
    for chunk in minutes.chunks(ROWS_PER_STATEMENT) {
        let mut upsert: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO load_minute (env, key_ref, minute, requests, limited) ");
        upsert.push_values(chunk, |mut b, ((key_ref, minute), (requests, limited))| {
            b.push_bind(env)
                .push_bind(*key_ref)
                .push_bind(*minute)
                .push_bind(*requests)
                .push_bind(*limited);
        });
        upsert.push(
            " ON CONFLICT (env, key_ref, minute) DO UPDATE SET
               requests = requests + excluded.requests, limited = limited + excluded.limited",
        );
        upsert.build().execute(&mut **tx).await?;
    }
    Ok(())
}
