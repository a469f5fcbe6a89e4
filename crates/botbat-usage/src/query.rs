//! The questions the usage charts ask, answered from the rollups or, for checking and for
//! comparison, by aggregating the raw rows directly.
//!
//! Both sources run the same post-processing on the same bucketing, so for any range and
//! filters their answers must be identical (the rollup tests hold them to that). The
//! rollup resolution is the coarsest whose buckets fit inside the chart's buckets in the
//! viewer's time zone: a 30-day chart in 3-hour buckets reads hour rollups (in Berlin too,
//! across a clock change), a day chart in UTC reads day rollups, and Asia/Kolkata's
//! +05:30 falls back to minute rollups.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite};

use crate::calendar::{self, Run};
use crate::error::{Result, UsageError};
use crate::latency::Histogram;
use crate::store::{from_ms, PlanLimits, Resolution, UsageStore};

/// Bucket widths a chart may use, in seconds.
pub const BUCKET_CHOICES: [i64; 12] = [
    60, 300, 600, 900, 1_800, 3_600, 10_800, 21_600, 43_200, 86_400, 604_800, 2_592_000,
];
/// A chart has at most about this many buckets.
pub const MAX_BUCKETS: i64 = 240;
/// Series beyond this many are summed into "Other".
pub const MAX_SERIES: usize = 7;

/// Requests by how they were answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusClass {
    /// Below 400.
    Success,
    /// 400 to 499, 429 included.
    ClientError,
    /// 429 only.
    RateLimited,
    /// 400 to 499 without 429: the errors chart's "4xx", beside its "429".
    ClientErrorOther,
    /// 500 and above.
    ServerError,
}

impl StatusClass {
    pub fn parse(text: &str) -> Option<StatusClass> {
        match text {
            "2xx" | "success" => Some(StatusClass::Success),
            "4xx" | "client_error" => Some(StatusClass::ClientError),
            "429" | "rate_limited" => Some(StatusClass::RateLimited),
            "5xx" | "server_error" => Some(StatusClass::ServerError),
            "4xx_other" => Some(StatusClass::ClientErrorOther),
            _ => None,
        }
    }

    /// The name [`StatusClass::parse`] reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusClass::Success => "2xx",
            StatusClass::ClientError => "4xx",
            StatusClass::RateLimited => "429",
            StatusClass::ServerError => "5xx",
            StatusClass::ClientErrorOther => "4xx_other",
        }
    }

    fn sql(self) -> &'static str {
        match self {
            StatusClass::Success => " AND status < 400",
            StatusClass::ClientError => " AND status >= 400 AND status < 500",
            StatusClass::RateLimited => " AND status = 429",
            StatusClass::ServerError => " AND status >= 500",
            StatusClass::ClientErrorOther => {
                " AND status >= 400 AND status < 500 AND status != 429"
            }
        }
    }
}

/// `GET /v1/contacts`-style endpoint name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointName {
    pub method: String,
    pub route: String,
}

impl EndpointName {
    /// Parses `"GET /v1/contacts"`.
    pub fn parse(text: &str) -> Option<EndpointName> {
        let (method, route) = text.trim().split_once(' ')?;
        Some(EndpointName {
            method: method.trim().to_ascii_uppercase(),
            route: route.trim().to_string(),
        })
    }
}

impl std::fmt::Display for EndpointName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.route)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub key_id: Option<String>,
    pub endpoint: Option<EndpointName>,
    pub status: Option<StatusClass>,
    /// Counts the console's own requests too; left out by default, so the figures are the
    /// user's traffic alone.
    pub include_console: bool,
}

impl Filters {
    /// What the rate limits count: every request of the organisation or of one key, the
    /// console's own included, whatever the endpoint or status.
    pub fn of_limits(key_id: Option<&str>) -> Filters {
        Filters {
            key_id: key_id.map(str::to_string),
            include_console: true,
            ..Filters::default()
        }
    }
}

/// A chart's time axis: `[from_s, to_s)` in buckets of about `bucket_s` seconds laid out
/// in the viewer's time zone (see [`crate::calendar`]: days start at local midnight).
/// Built by [`Window::covering`] and [`Window::with_bucket`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from_s: i64,
    pub to_s: i64,
    /// The width of an ordinary bucket; a day with a clock change is an hour shorter or
    /// longer.
    pub bucket_s: i64,
    pub zone: Tz,
    runs: Vec<Run>,
}

impl Window {
    /// The window covering `[from, to)` with the finest bucket that keeps the chart under
    /// [`MAX_BUCKETS`], its edges moved out to bucket boundaries.
    pub fn covering(from: DateTime<Utc>, to: DateTime<Utc>, zone: Tz) -> Result<Window> {
        let (from_s, to_s) = (from.timestamp(), to.timestamp());
        if to_s <= from_s {
            return Err(UsageError::invalid("the range must end after it starts"));
        }
        let span = to_s - from_s;
        let bucket_s = BUCKET_CHOICES
            .into_iter()
            .find(|b| (span + b - 1) / b <= MAX_BUCKETS)
            .unwrap_or(BUCKET_CHOICES[BUCKET_CHOICES.len() - 1]);
        Window::with_bucket(from, to, bucket_s, zone)
    }

    /// A window with a given bucket width (a multiple of 60 seconds).
    pub fn with_bucket(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        bucket_s: i64,
        zone: Tz,
    ) -> Result<Window> {
        if bucket_s < 60 || bucket_s % 60 != 0 {
            return Err(UsageError::invalid(
                "buckets must be whole minutes (a multiple of 60 seconds)",
            ));
        }
        let (from_s, to_s) = (from.timestamp(), to.timestamp());
        if to_s <= from_s {
            return Err(UsageError::invalid("the range must end after it starts"));
        }
        let (runs, end_s) = calendar::runs(zone, from_s, to_s, bucket_s)?;
        if runs
            .iter()
            .any(|r| r.start_s % 60 != 0 || r.width_s % 60 != 0)
        {
            return Err(UsageError::invalid(format!(
                "{zone}'s offset from UTC in this range is not whole minutes: choose a later range"
            )));
        }
        Ok(Window {
            from_s: runs.first().map_or(from_s, |r| r.start_s),
            to_s: end_s,
            bucket_s,
            zone,
            runs,
        })
    }

    pub fn buckets(&self) -> usize {
        self.runs.last().map_or(0, |r| {
            (r.first + (self.to_s - r.start_s) / r.width_s).max(0) as usize
        })
    }

    /// Unix seconds at which bucket `i` starts (`to_s` for the bucket after the last).
    pub fn bucket_start(&self, i: usize) -> i64 {
        let i = i as i64;
        let k = self.runs.partition_point(|r| r.first <= i);
        match k.checked_sub(1).and_then(|k| self.runs.get(k)) {
            Some(r) => (r.start_s + (i - r.first) * r.width_s).min(self.to_s),
            None => self.from_s,
        }
    }

    /// Where each bucket starts, then where the last one ends.
    pub fn edges(&self) -> Vec<i64> {
        (0..=self.buckets()).map(|i| self.bucket_start(i)).collect()
    }

    /// The bucket Unix second `t` falls in, if inside the window.
    pub fn index_of(&self, t: i64) -> Option<usize> {
        if !(self.from_s..self.to_s).contains(&t) {
            return None;
        }
        let k = self.runs.partition_point(|r| r.start_s <= t);
        let r = self.runs.get(k.checked_sub(1)?)?;
        Some((r.first + (t - r.start_s) / r.width_s) as usize)
    }

    /// The coarsest rollup whose buckets never straddle this window's: hour rollups while
    /// the zone's offset is whole hours, day rollups (days in UTC) only where local days
    /// are UTC days.
    pub fn rollup(&self) -> Resolution {
        [Resolution::Day, Resolution::Hour, Resolution::Minute]
            .into_iter()
            .find(|res| {
                let s = res.seconds();
                self.runs
                    .iter()
                    .all(|r| r.start_s % s == 0 && r.width_s % s == 0)
            })
            .unwrap_or(Resolution::Minute)
    }

    /// SQL for the bucket index of `time_s` (an expression in Unix seconds at or after
    /// `from_s`): one arithmetic step per run of equal buckets, its numbers bound.
    fn push_index<'q>(&self, q: &mut QueryBuilder<'q, Sqlite>, time_s: &str) {
        let step = |q: &mut QueryBuilder<'q, Sqlite>, r: &Run| {
            q.push(format!("(({time_s} - "))
                .push_bind(r.start_s)
                .push(") / ")
                .push_bind(r.width_s)
                .push(" + ")
                .push_bind(r.first)
                .push(")");
        };
        let Some((last, earlier)) = self.runs.split_last() else {
            q.push("0");
            return;
        };
        if earlier.is_empty() {
            step(q, last);
            return;
        }
        q.push("CASE");
        for (r, next) in earlier.iter().zip(&self.runs[1..]) {
            q.push(format!(" WHEN {time_s} < "))
                .push_bind(next.start_s)
                .push(" THEN ");
            step(q, r);
        }
        q.push(" ELSE ");
        step(q, last);
        q.push(" END");
    }
}

/// Where an answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The rollup tables: what the charts use.
    Rollups,
    /// Every raw row in the range: the reference the rollups are checked against, and the
    /// benchmark's baseline.
    Raw,
}

/// How volume is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeBy {
    Endpoint,
    Key,
}

/// How errors are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorsBy {
    /// 4xx (without 429), 429 and 5xx.
    StatusClass,
    /// Each error status with the platform's code, e.g. `404 not_found`.
    ErrorCode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// A key's id when `name` is its name.
    pub detail: Option<String>,
    /// One value per bucket; `None` where there is nothing to measure.
    pub values: Vec<Option<f64>>,
    /// The requests the series stands for, as the request log asks for them: with a
    /// bucket's period added, the log lists exactly the requests a count series counted
    /// in that bucket. "Other" and the series that are not counts (latency, the busiest
    /// minute) stand for every request the chart read.
    pub filter: LogQuery,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub window: Window,
    pub series: Vec<Series>,
    /// Requests per bucket, for context ("3.2 % of 1,204 requests").
    pub totals: Vec<u64>,
    /// `"hour rollups"`, `"raw requests"`, …
    pub answered_from: String,
    /// Rows the database aggregated.
    pub rows_read: u64,
}

/// Totals over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub requests: u64,
    pub errors: u64,
    pub rate_limited: u64,
    pub server_errors: u64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacet {
    pub key_id: String,
    pub name: Option<String>,
}

/// Which cached requests the request log lists: the charts' filters, and a status code, a
/// time range and an exact request id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    pub filters: Filters,
    /// One status code, e.g. 404.
    pub status_code: Option<u16>,
    /// Unix milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub to_ms: Option<i64>,
    /// A `req_…` id, matched exactly.
    pub request_id: Option<String>,
}

impl LogQuery {
    /// Every request `filters` let through, at any time.
    pub fn of(filters: Filters) -> LogQuery {
        LogQuery {
            filters,
            ..LogQuery::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecentRequest {
    pub id: i64,
    pub time: DateTime<Utc>,
    pub key_id: String,
    pub key_name: Option<String>,
    pub method: String,
    pub route: String,
    pub status: u16,
    pub latency_ms: f64,
    pub retry_after: Option<u32>,
    pub request_id: Option<String>,
    /// The console sent it for itself.
    pub console: bool,
}

/// The platform's error code for a status, as the API Reference lists them.
pub fn error_code(status: u16) -> &'static str {
    match status {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        422 => "validation_error",
        426 => "upgrade_required",
        429 => "rate_limited",
        s if s >= 500 => "internal_error",
        _ => "error",
    }
}

/// A named group of statuses, e.g. 4xx without 429.
type StatusGroup = (&'static str, StatusClass, fn(u16) -> bool);
/// A series before it is kept or summed into "Other": name, detail, filter, counts.
type Named = (String, Option<String>, LogQuery, Vec<u64>);
/// Narrows a chart's filters to one key or endpoint.
type Narrow = Box<dyn Fn(&Filters) -> Filters + Send + Sync>;
/// A dimension's label, detail and [`Narrow`].
type Label = (String, Option<String>, Narrow);

/// Dimension refs of the filters (`-1` for a key the cache does not know).
struct Refs {
    key: Option<i64>,
}

/// The table and column names one source reads.
struct Plan {
    table: &'static str,
    time_s: &'static str,
    count: &'static str,
    lo: i64,
    hi: i64,
    answered_from: String,
}

impl Plan {
    fn new(window: &Window, source: Source) -> Plan {
        match source {
            Source::Rollups => {
                let r = window.rollup();
                Plan {
                    table: r.table(),
                    time_s: "bucket",
                    count: "requests",
                    lo: window.from_s,
                    hi: window.to_s,
                    answered_from: format!("{} rollups", r.as_str()),
                }
            }
            Source::Raw => Plan {
                table: "requests",
                time_s: "(time_ms / 1000)",
                count: "1",
                lo: window.from_s * 1000,
                hi: window.to_s * 1000,
                answered_from: "raw requests".to_string(),
            },
        }
    }

    fn time_column(&self) -> &'static str {
        if self.table == "requests" {
            "time_ms"
        } else {
            "bucket"
        }
    }
}

impl UsageStore {
    /// A key's ref; an unknown key gets one that matches nothing rather than everything.
    async fn key_ref_of(&self, key_id: &str) -> Result<i64> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT ref FROM keys WHERE env = ? AND key_id = ?")
                .bind(self.env())
                .bind(key_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(found.unwrap_or(-1))
    }

    async fn refs_of(&self, filters: &Filters) -> Result<Refs> {
        Ok(Refs {
            key: match &filters.key_id {
                Some(key_id) => Some(self.key_ref_of(key_id).await?),
                None => None,
            },
        })
    }

    /// `WHERE` clause for the window and filters (`env`, time, key, endpoint, status, and
    /// the console's own requests unless they are included).
    fn filter_sql(
        &self,
        q: &mut QueryBuilder<'_, Sqlite>,
        plan: &Plan,
        filters: &Filters,
        refs: &Refs,
    ) {
        q.push(" WHERE env = ")
            .push_bind(self.env())
            .push(format!(" AND {} >= ", plan.time_column()))
            .push_bind(plan.lo)
            .push(format!(" AND {} < ", plan.time_column()))
            .push_bind(plan.hi);
        if let Some(key_ref) = refs.key {
            q.push(" AND key_ref = ").push_bind(key_ref);
        }
        // An endpoint is one row per caller (the console's or not): the filter takes both.
        if let Some(endpoint) = &filters.endpoint {
            q.push(" AND endpoint_ref IN (SELECT ref FROM endpoints WHERE env = ")
                .push_bind(self.env())
                .push(" AND method = ")
                .push_bind(endpoint.method.clone())
                .push(" AND route = ")
                .push_bind(endpoint.route.clone())
                .push(")");
        }
        if !filters.include_console {
            q.push(" AND endpoint_ref NOT IN (SELECT ref FROM endpoints WHERE env = ")
                .push_bind(self.env())
                .push(" AND console = 1)");
        }
        if let Some(status) = filters.status {
            q.push(status.sql());
        }
    }

    /// `SELECT <bucket index> AS b, <columns> FROM <the plan's table>`.
    fn select(plan: &Plan, window: &Window, columns: &str) -> QueryBuilder<'static, Sqlite> {
        let mut q = QueryBuilder::new("SELECT ");
        window.push_index(&mut q, plan.time_s);
        q.push(format!(" AS b, {columns} FROM {}", plan.table));
        q
    }

    /// Requests per bucket, stacked by endpoint or key (the busiest [`MAX_SERIES`], the
    /// rest as "Other").
    pub async fn volume(
        &self,
        window: &Window,
        filters: &Filters,
        by: VolumeBy,
        source: Source,
    ) -> Result<Answer> {
        let plan = Plan::new(window, source);
        let dim = match by {
            VolumeBy::Endpoint => "endpoint_ref",
            VolumeBy::Key => "key_ref",
        };
        let refs = self.refs_of(filters).await?;
        let mut q = Self::select(
            &plan,
            window,
            &format!("{dim} AS d, SUM({}) AS n, COUNT(*) AS nrows", plan.count),
        );
        self.filter_sql(&mut q, &plan, filters, &refs);
        q.push(" GROUP BY b, d");
        let rows = q.build().fetch_all(self.pool()).await?;
        let n = window.buckets();
        let mut by_dim: HashMap<i64, Vec<u64>> = HashMap::new();
        let mut totals = vec![0u64; n];
        let mut rows_read = 0u64;
        for row in &rows {
            let (b, d, count, read) = (
                index(row, "b", n),
                row.try_get::<i64, _>("d")?,
                row.try_get::<i64, _>("n")?.max(0) as u64,
                row.try_get::<i64, _>("nrows")?.max(0) as u64,
            );
            rows_read += read;
            let Some(b) = b else { continue };
            by_dim.entry(d).or_insert_with(|| vec![0; n])[b] += count;
            totals[b] += count;
        }
        let labels = self.labels(by).await?;
        let mut named: Vec<Named> = by_dim
            .into_iter()
            .map(|(d, values)| {
                let (name, detail, filters) = match labels.get(&d) {
                    Some((name, detail, narrow)) => (name.clone(), detail.clone(), narrow(filters)),
                    None => (format!("#{d}"), None, filters.clone()),
                };
                (name, detail, LogQuery::of(filters), values)
            })
            .collect();
        let series = top_series(&mut named, n, filters);
        Ok(Answer {
            window: window.clone(),
            series,
            totals,
            answered_from: plan.answered_from,
            rows_read,
        })
    }

    /// Label, detail and the filters that single it out, for each dimension ref.
    async fn labels(&self, by: VolumeBy) -> Result<HashMap<i64, Label>> {
        Ok(match by {
            VolumeBy::Key => {
                let rows: Vec<(i64, String, Option<String>)> =
                    sqlx::query_as("SELECT ref, key_id, name FROM keys WHERE env = ?")
                        .bind(self.env())
                        .fetch_all(self.pool())
                        .await?;
                rows.into_iter()
                    .map(|(r, id, name)| {
                        let key_id = id.clone();
                        let narrow: Narrow = Box::new(move |f: &Filters| Filters {
                            key_id: Some(key_id.clone()),
                            ..f.clone()
                        });
                        match name {
                            Some(name) => (r, (name, Some(id), narrow)),
                            None => (r, (id, None, narrow)),
                        }
                    })
                    .collect()
            }
            VolumeBy::Endpoint => {
                let rows: Vec<(i64, String, String, bool)> = sqlx::query_as(
                    "SELECT ref, method, route, console FROM endpoints WHERE env = ?",
                )
                .bind(self.env())
                .fetch_all(self.pool())
                .await?;
                rows.into_iter()
                    .map(|(r, m, p, console)| {
                        let by = if console { " (console)" } else { "" };
                        let label = format!("{m} {p}{by}");
                        let endpoint = EndpointName {
                            method: m,
                            route: p,
                        };
                        // The user's calls of an endpoint are told from the console's by
                        // leaving the console's out; the console's series lists both.
                        let narrow: Narrow = Box::new(move |f: &Filters| Filters {
                            endpoint: Some(endpoint.clone()),
                            include_console: console,
                            ..f.clone()
                        });
                        (r, (label, None, narrow))
                    })
                    .collect()
            }
        })
    }

    /// Counts per bucket and status.
    async fn by_status(
        &self,
        window: &Window,
        filters: &Filters,
        source: Source,
    ) -> Result<(Plan, Vec<BTreeMap<u16, u64>>, u64)> {
        let plan = Plan::new(window, source);
        let refs = self.refs_of(filters).await?;
        let mut q = Self::select(
            &plan,
            window,
            &format!("status, SUM({}) AS n, COUNT(*) AS nrows", plan.count),
        );
        self.filter_sql(&mut q, &plan, filters, &refs);
        q.push(" GROUP BY b, status");
        let rows = q.build().fetch_all(self.pool()).await?;
        let n = window.buckets();
        let mut buckets = vec![BTreeMap::new(); n];
        let mut rows_read = 0;
        for row in &rows {
            rows_read += row.try_get::<i64, _>("nrows")?.max(0) as u64;
            let Some(b) = index(row, "b", n) else {
                continue;
            };
            let status = row.try_get::<i64, _>("status")?.clamp(0, 999) as u16;
            *buckets[b].entry(status).or_insert(0) += row.try_get::<i64, _>("n")?.max(0) as u64;
        }
        Ok((plan, buckets, rows_read))
    }

    /// Error rate (percent of all requests) per bucket, by status class or error code.
    pub async fn errors(
        &self,
        window: &Window,
        filters: &Filters,
        by: ErrorsBy,
        source: Source,
    ) -> Result<Answer> {
        let (plan, buckets, rows_read) = self.by_status(window, filters, source).await?;
        let n = window.buckets();
        let totals: Vec<u64> = buckets.iter().map(|b| b.values().sum()).collect();
        let mut named: Vec<Named> = match by {
            ErrorsBy::StatusClass => {
                let classes: [StatusGroup; 3] = [
                    ("4xx", StatusClass::ClientErrorOther, |s| {
                        (400..500).contains(&s) && s != 429
                    }),
                    ("429 rate limited", StatusClass::RateLimited, |s| s == 429),
                    ("5xx", StatusClass::ServerError, |s| s >= 500),
                ];
                classes
                    .iter()
                    .map(|(name, class, member)| {
                        let values = buckets
                            .iter()
                            .map(|b| b.iter().filter(|(s, _)| member(**s)).map(|(_, n)| n).sum())
                            .collect();
                        // Within the chart's own status filter, a class is itself or
                        // empty (and then drawn as nothing, so never clicked).
                        let filter = LogQuery::of(Filters {
                            status: Some(*class),
                            ..filters.clone()
                        });
                        (name.to_string(), None, filter, values)
                    })
                    .collect()
            }
            ErrorsBy::ErrorCode => {
                let mut per_status: BTreeMap<u16, Vec<u64>> = BTreeMap::new();
                for (i, bucket) in buckets.iter().enumerate() {
                    for (status, count) in bucket.iter().filter(|(s, _)| **s >= 400) {
                        per_status.entry(*status).or_insert_with(|| vec![0; n])[i] += count;
                    }
                }
                per_status
                    .into_iter()
                    .map(|(s, values)| {
                        let filter = LogQuery {
                            status_code: Some(s),
                            ..LogQuery::of(Filters {
                                status: None,
                                ..filters.clone()
                            })
                        };
                        (format!("{s} {}", error_code(s)), None, filter, values)
                    })
                    .collect()
            }
        };
        let counts = match by {
            // The three classes always show, in their fixed order.
            ErrorsBy::StatusClass => named
                .drain(..)
                .map(|(name, detail, filter, values)| Series {
                    name,
                    detail,
                    values: values.into_iter().map(|v| Some(v as f64)).collect(),
                    filter,
                })
                .collect(),
            ErrorsBy::ErrorCode => top_series(&mut named, n, filters),
        };
        let series = counts
            .into_iter()
            .map(|s| Series {
                values: s
                    .values
                    .iter()
                    .zip(&totals)
                    .map(|(v, t)| match (v, t) {
                        (_, 0) => None,
                        (Some(v), t) => Some(v * 100.0 / *t as f64),
                        (None, _) => None,
                    })
                    .collect(),
                ..s
            })
            .collect();
        Ok(Answer {
            window: window.clone(),
            series,
            totals,
            answered_from: plan.answered_from,
            rows_read,
        })
    }

    /// Latency histograms per bucket.
    async fn histograms(
        &self,
        window: &Window,
        filters: &Filters,
        source: Source,
    ) -> Result<(Plan, Vec<Histogram>, u64)> {
        let plan = Plan::new(window, source);
        let refs = self.refs_of(filters).await?;
        let value = match source {
            Source::Rollups => "histogram",
            Source::Raw => "latency_us",
        };
        let mut q = Self::select(&plan, window, &format!("{value} AS v"));
        self.filter_sql(&mut q, &plan, filters, &refs);
        let rows = q.build().fetch_all(self.pool()).await?;
        let n = window.buckets();
        let mut histograms = vec![Histogram::default(); n];
        for row in &rows {
            let Some(b) = index(row, "b", n) else {
                continue;
            };
            match source {
                Source::Rollups => histograms[b].add_encoded(&row.try_get::<Vec<u8>, _>("v")?),
                Source::Raw => histograms[b].add(row.try_get::<i64, _>("v")?),
            }
        }
        Ok((plan, histograms, rows.len() as u64))
    }

    /// p50, p95 and p99 latency (ms) per bucket.
    pub async fn latency(
        &self,
        window: &Window,
        filters: &Filters,
        source: Source,
    ) -> Result<Answer> {
        let (plan, histograms, rows_read) = self.histograms(window, filters, source).await?;
        let series = [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
            .into_iter()
            .map(|(name, q)| Series {
                name: name.to_string(),
                detail: None,
                values: histograms.iter().map(|h| h.percentile(q)).collect(),
                filter: LogQuery::of(filters.clone()),
            })
            .collect();
        Ok(Answer {
            window: window.clone(),
            totals: histograms.iter().map(Histogram::count).collect(),
            series,
            answered_from: plan.answered_from,
            rows_read,
        })
    }

    /// What the rate limits count: the busiest minute of each bucket (requests the
    /// platform admitted) and the 429s answered, for the whole organisation or one key.
    /// Endpoint and status filters do not apply, and the console's own requests count:
    /// limits count every request.
    pub async fn load(
        &self,
        window: &Window,
        key_id: Option<&str>,
        source: Source,
    ) -> Result<Answer> {
        let key_ref = match key_id {
            Some(key_id) => self.key_ref_of(key_id).await?,
            None => 0,
        };
        let (sql, answered_from) = match source {
            Source::Rollups => (
                "SELECT minute, requests, limited, 1 AS nrows FROM load_minute
                 WHERE env = ?1 AND key_ref = ?2 AND minute >= ?3 AND minute < ?4"
                    .to_string(),
                "minute load".to_string(),
            ),
            Source::Raw => (
                "SELECT time_ms / 60000 * 60 AS minute, COUNT(*) AS requests,
                        SUM(rate_limited) AS limited, COUNT(*) AS nrows
                 FROM requests WHERE env = ?1 AND (?2 = 0 OR key_ref = ?2)
                   AND time_ms >= ?3 * 1000 AND time_ms < ?4 * 1000
                 GROUP BY minute"
                    .to_string(),
                "raw requests".to_string(),
            ),
        };
        let rows = sqlx::query(&sql)
            .bind(self.env())
            .bind(key_ref)
            .bind(window.from_s)
            .bind(window.to_s)
            .fetch_all(self.pool())
            .await?;
        let n = window.buckets();
        let every = Filters::of_limits(key_id);
        let mut peak = vec![0u64; n];
        let mut limited = vec![0u64; n];
        let mut totals = vec![0u64; n];
        let mut rows_read = 0;
        for row in &rows {
            let minute: i64 = row.try_get("minute")?;
            let requests = row.try_get::<i64, _>("requests")?.max(0) as u64;
            let refused = row.try_get::<i64, _>("limited")?.max(0) as u64;
            rows_read += row.try_get::<i64, _>("nrows")?.max(0) as u64;
            let Some(b) = window.index_of(minute) else {
                continue;
            };
            peak[b] = peak[b].max(requests.saturating_sub(refused));
            limited[b] += refused;
            totals[b] += requests;
        }
        Ok(Answer {
            window: window.clone(),
            series: vec![
                Series {
                    name: "Busiest minute".to_string(),
                    detail: None,
                    values: peak.iter().map(|v| Some(*v as f64)).collect(),
                    filter: LogQuery::of(every.clone()),
                },
                Series {
                    name: "429 responses".to_string(),
                    detail: None,
                    values: limited.iter().map(|v| Some(*v as f64)).collect(),
                    filter: LogQuery::of(Filters {
                        status: Some(StatusClass::RateLimited),
                        ..every
                    }),
                },
            ],
            totals,
            answered_from,
            rows_read,
        })
    }

    /// Totals over the window.
    pub async fn summary(
        &self,
        window: &Window,
        filters: &Filters,
        source: Source,
    ) -> Result<Summary> {
        let (_, buckets, _) = self.by_status(window, filters, source).await?;
        let (_, histograms, _) = self.histograms(window, filters, source).await?;
        let mut merged = Histogram::default();
        for h in &histograms {
            merged.merge(h);
        }
        let mut summary = Summary {
            requests: 0,
            errors: 0,
            rate_limited: 0,
            server_errors: 0,
            p50_ms: merged.percentile(0.5),
            p95_ms: merged.percentile(0.95),
            p99_ms: merged.percentile(0.99),
        };
        for bucket in &buckets {
            for (status, count) in bucket {
                summary.requests += count;
                if *status >= 400 {
                    summary.errors += count;
                }
                if *status == 429 {
                    summary.rate_limited += count;
                }
                if *status >= 500 {
                    summary.server_errors += count;
                }
            }
        }
        Ok(summary)
    }

    /// The plan limits last read from the platform.
    pub async fn plan_limits(&self) -> Result<Option<PlanLimits>> {
        Ok(self.state().await?.plan)
    }

    /// Keys seen in the log (or named by the platform), by name then id.
    pub async fn keys(&self) -> Result<Vec<KeyFacet>> {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT key_id, name FROM keys WHERE env = ?
               AND (EXISTS (SELECT 1 FROM load_minute l WHERE l.env = keys.env AND l.key_ref = keys.ref))
             ORDER BY name IS NULL, name, key_id",
        )
        .bind(self.env())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key_id, name)| KeyFacet { key_id, name })
            .collect())
    }

    /// Endpoints seen in the log.
    pub async fn endpoints(&self) -> Result<Vec<EndpointName>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT method, route FROM endpoints WHERE env = ? ORDER BY route, method",
        )
        .bind(self.env())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(method, route)| EndpointName { method, route })
            .collect())
    }

    /// The newest raw requests in the window that match the filters.
    pub async fn recent(
        &self,
        window: &Window,
        filters: &Filters,
        limit: u32,
    ) -> Result<Vec<RecentRequest>> {
        self.log(
            &LogQuery {
                filters: filters.clone(),
                from_ms: Some(window.from_s * 1000),
                to_ms: Some(window.to_s * 1000),
                ..LogQuery::default()
            },
            0,
            limit.clamp(1, 500),
        )
        .await
    }

    /// `WHERE` clause of the request log's question, over raw rows.
    fn log_filter(&self, q: &mut QueryBuilder<'_, Sqlite>, query: &LogQuery, refs: &Refs) {
        let plan = Plan {
            table: "requests",
            time_s: "(time_ms / 1000)",
            count: "1",
            lo: query.from_ms.unwrap_or(i64::MIN),
            hi: query.to_ms.unwrap_or(i64::MAX),
            answered_from: String::new(),
        };
        self.filter_sql(q, &plan, &query.filters, refs);
        if let Some(code) = query.status_code {
            q.push(" AND status = ").push_bind(i64::from(code));
        }
        if let Some(request_id) = &query.request_id {
            q.push(" AND request_id = ")
                .push_bind(request_id.trim().to_string());
        }
    }

    /// How many cached requests the request log's question matches.
    pub async fn log_count(&self, query: &LogQuery) -> Result<u64> {
        let refs = self.refs_of(&query.filters).await?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT COUNT(*) FROM requests");
        self.log_filter(&mut q, query, &refs);
        let n: i64 = q.build_query_scalar().fetch_one(self.pool()).await?;
        Ok(n.max(0) as u64)
    }

    /// Rows `offset` to `offset + limit` (at most 1,000) of the request log's answer,
    /// newest first: a window of the list, wherever it is scrolled.
    pub async fn log(
        &self,
        query: &LogQuery,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<RecentRequest>> {
        let refs = self.refs_of(&query.filters).await?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM (SELECT * FROM requests"
        ));
        self.log_filter(&mut q, query, &refs);
        q.push(" ORDER BY time_ms DESC, id DESC LIMIT ")
            .push_bind(i64::from(limit.clamp(1, 1_000)))
            .push(" OFFSET ")
            .push_bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .push(format!(
                ") r {REQUEST_JOINS} ORDER BY r.time_ms DESC, r.id DESC"
            ));
        let rows = q.build().fetch_all(self.pool()).await?;
        rows.iter().map(recent_request).collect()
    }

    /// The cached request answered with `request_id` (an exact `req_…` match), looked up
    /// through its index: how a pasted request id is found in the platform's log. `+r.env`
    /// keeps SQLite from choosing the `(env, time_ms)` index instead, a scan of the whole log.
    pub async fn find_request(&self, request_id: &str) -> Result<Option<RecentRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM requests r {REQUEST_JOINS}
             WHERE r.request_id = ? AND +r.env = ?"
        ))
        .bind(request_id.trim())
        .bind(self.env())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(recent_request).transpose()
    }
}

/// The columns [`recent_request`] reads, from `requests r` and [`REQUEST_JOINS`].
const REQUEST_COLUMNS: &str = "r.id, r.time_ms, k.key_id, k.name, e.method, e.route, e.console,
    r.status, r.latency_us, r.retry_after, r.request_id";
const REQUEST_JOINS: &str =
    "JOIN keys k ON k.ref = r.key_ref JOIN endpoints e ON e.ref = r.endpoint_ref";

/// A raw request joined with its key and endpoint.
fn recent_request(row: &SqliteRow) -> Result<RecentRequest> {
    Ok(RecentRequest {
        id: row.try_get("id")?,
        time: from_ms(row.try_get("time_ms")?),
        key_id: row.try_get("key_id")?,
        key_name: row.try_get("name")?,
        method: row.try_get("method")?,
        route: row.try_get("route")?,
        status: row.try_get::<i64, _>("status")?.clamp(0, 999) as u16,
        latency_ms: row.try_get::<i64, _>("latency_us")? as f64 / 1000.0,
        retry_after: row
            .try_get::<Option<i64>, _>("retry_after")?
            .map(|s| s.clamp(0, i64::from(u32::MAX)) as u32),
        request_id: row.try_get("request_id")?,
        console: row.try_get("console")?,
    })
}

/// The bucket index in a row, if inside the window.
fn index(row: &SqliteRow, column: &str, n: usize) -> Option<usize> {
    let b: i64 = row.try_get(column).ok()?;
    (0..n as i64).contains(&b).then_some(b as usize)
}

/// The busiest [`MAX_SERIES`] by total (ties by name), the rest summed as "Other", which
/// stands for every request the chart read (`filters`).
fn top_series(named: &mut [Named], n: usize, filters: &Filters) -> Vec<Series> {
    named.sort_by(|a, b| {
        let (ta, tb): (u64, u64) = (a.3.iter().sum(), b.3.iter().sum());
        tb.cmp(&ta).then_with(|| a.0.cmp(&b.0))
    });
    let keep = if named.len() > MAX_SERIES + 1 {
        MAX_SERIES
    } else {
        named.len()
    };
    let mut series: Vec<Series> = named[..keep]
        .iter()
        .map(|(name, detail, filter, values)| Series {
            name: name.clone(),
            detail: detail.clone(),
            values: values.iter().map(|v| Some(*v as f64)).collect(),
            filter: filter.clone(),
        })
        .collect();
    if named.len() > keep {
        let mut other = vec![0u64; n];
        for (_, _, _, values) in &named[keep..] {
            for (o, v) in other.iter_mut().zip(values) {
                *o += v;
            }
        }
        series.push(Series {
            name: format!("Other ({})", named.len() - keep),
            detail: None,
            values: other.into_iter().map(|v| Some(v as f64)).collect(),
            filter: LogQuery::of(filters.clone()),
        });
    }
    series
}
