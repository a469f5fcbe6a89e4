//! The rollups against the truth: for random ranges, bucket widths, time zones and
//! filters, every chart's answer from the rollups (and from the raw rows, the benchmark's
//! baseline) equals an aggregation of the generated requests written here, in plain Rust,
//! sharing nothing with the store's SQL. The data is ingested in random batch sizes with
//! times out of order (as a seeded history arriving after live traffic does), so buckets
//! are merged across many transactions.

use std::collections::BTreeMap;

use botbat_api::UsageRecord;
use botbat_usage::latency::Histogram;
use botbat_usage::{
    Answer, EndpointName, ErrorsBy, Filters, LogQuery, Series, Source, StatusClass, Summary, Tz,
    UsageStore, VolumeBy, Window,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const KEYS: [&str; 6] = [
    "key_checkout",
    "key_crm",
    "key_support",
    "key_campaigns",
    "key_analytics",
    "key_admin",
];
const ENDPOINTS: [(&str, &str); 9] = [
    ("POST", "/v1/messages/send"),
    ("GET", "/v1/messages/{id}"),
    ("GET", "/v1/contacts"),
    ("PUT", "/v1/contacts/{id}"),
    ("GET", "/v1/contacts/search"),
    ("GET", "/v1/conversations"),
    ("POST", "/v1/campaigns/{id}/send"),
    ("GET", "/v1/usage/requests"),
    ("GET", "/v1/me"),
];
const STATUSES: [u16; 11] = [200, 200, 200, 201, 202, 400, 404, 409, 422, 429, 503];

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .expect("date")
}

fn records(rng: &mut StdRng, n: usize, days: i64) -> Vec<UsageRecord> {
    let span_ms = days * 86_400_000;
    (0..n)
        .map(|i| {
            let status = STATUSES[rng.random_range(0..STATUSES.len())];
            let (method, route) = ENDPOINTS[rng.random_range(0..ENDPOINTS.len())];
            UsageRecord {
                id: i as i64 + 1,
                time: start() + Duration::milliseconds(rng.random_range(0..span_ms)),
                key_id: KEYS[rng.random_range(0..KEYS.len())].to_string(),
                method: method.to_string(),
                route: route.to_string(),
                status,
                latency_ms: (rng.random_range(0.05f64..9.0)).exp() * 0.5,
                rate_limited: status == 429,
                retry_after: (status == 429).then_some(1),
                request_id: None,
                // The console's own polls, marked by the platform.
                console: route.starts_with("/v1/usage")
                    || (route == "/v1/me" && rng.random_bool(0.5)),
            }
        })
        .collect()
}

/// Keys named for chart labels; the others are labelled with their id.
const NAMES: [(&str, &str); 2] = [("key_checkout", "Checkout bot"), ("key_crm", "CRM sync")];

async fn filled_store(dir: &tempfile::TempDir, rng: &mut StdRng) -> (UsageStore, Vec<UsageRecord>) {
    let store = UsageStore::open(&dir.path().join("usage.sqlite"), "sandbox")
        .await
        .expect("store");
    let all = records(rng, 12_000, 12);
    let mut rest = &all[..];
    while !rest.is_empty() {
        let take = rng.random_range(1..=700).min(rest.len());
        let (batch, tail) = rest.split_at(take);
        store.ingest(batch.to_vec()).await.expect("ingest");
        rest = tail;
    }
    store
        .set_key_names(
            NAMES
                .iter()
                .map(|(id, name)| (id.to_string(), name.to_string()))
                .collect(),
        )
        .await
        .expect("names");
    (store, all)
}

// ---------------------------------------------------------------------------------------
// The truth: the generated requests aggregated directly, as the charts define them.
// ---------------------------------------------------------------------------------------

/// What the charts say the cache holds, worked out from the requests themselves.
struct Truth<'a> {
    records: &'a [UsageRecord],
}

/// Per-bucket counts for each named group.
type Groups = BTreeMap<String, (Option<String>, Vec<u64>)>;

fn latency_us(record: &UsageRecord) -> i64 {
    (record.latency_ms * 1000.0).round() as i64
}

fn in_class(status: u16, class: StatusClass) -> bool {
    match class {
        StatusClass::Success => status < 400,
        StatusClass::ClientError => (400..500).contains(&status),
        StatusClass::RateLimited => status == 429,
        StatusClass::ServerError => status >= 500,
        StatusClass::ClientErrorOther => (400..500).contains(&status) && status != 429,
    }
}

fn code_of(status: u16) -> &'static str {
    match status {
        400 => "invalid_request",
        404 => "not_found",
        409 => "conflict",
        422 => "validation_error",
        429 => "rate_limited",
        503 => "internal_error",
        other => panic!("the test generates no {other}"),
    }
}

/// The seven biggest groups by total (ties by name) and, when more than one is left, the
/// rest summed as "Other (n)".
fn top_seven(groups: Groups, buckets: usize) -> Vec<Series> {
    let mut sorted: Vec<(String, Option<String>, Vec<u64>)> = groups
        .into_iter()
        .map(|(name, (detail, values))| (name, detail, values))
        .collect();
    sorted.sort_by_key(|(name, _, values)| {
        (std::cmp::Reverse(values.iter().sum::<u64>()), name.clone())
    });
    let keep = if sorted.len() > 8 { 7 } else { sorted.len() };
    let rest = sorted.split_off(keep);
    let mut series: Vec<Series> = sorted
        .into_iter()
        .map(|(name, detail, values)| Series {
            name,
            detail,
            values: values.into_iter().map(|v| Some(v as f64)).collect(),
            filter: LogQuery::default(),
        })
        .collect();
    if !rest.is_empty() {
        let mut other = vec![0u64; buckets];
        for (_, _, values) in &rest {
            for (o, v) in other.iter_mut().zip(values) {
                *o += v;
            }
        }
        series.push(Series {
            name: format!("Other ({})", rest.len()),
            detail: None,
            filter: LogQuery::default(),
            values: other.into_iter().map(|v| Some(v as f64)).collect(),
        });
    }
    series
}

/// Counts as percentages of each bucket's requests (nothing where there were none).
fn as_rates(series: Vec<Series>, totals: &[u64]) -> Vec<Series> {
    series
        .into_iter()
        .map(|s| Series {
            values: s
                .values
                .iter()
                .zip(totals)
                .map(|(v, t)| match (v, t) {
                    (_, 0) => None,
                    (v, t) => v.map(|v| v * 100.0 / *t as f64),
                })
                .collect(),
            ..s
        })
        .collect()
}

impl Truth<'_> {
    /// The bucket a request falls in, if inside the window.
    fn bucket(&self, window: &Window, record: &UsageRecord) -> Option<usize> {
        let t = record.time.timestamp();
        (window.from_s..window.to_s)
            .contains(&t)
            .then(|| ((t - window.from_s) / window.bucket_s) as usize)
    }

    /// The requests in the window that match the filters, with their bucket.
    fn matching<'b>(
        &'b self,
        window: &'b Window,
        filters: &'b Filters,
    ) -> impl Iterator<Item = (usize, &'b UsageRecord)> + 'b {
        self.records.iter().filter_map(move |r| {
            let b = self.bucket(window, r)?;
            let key = filters.key_id.as_ref().is_none_or(|k| *k == r.key_id);
            let endpoint = filters
                .endpoint
                .as_ref()
                .is_none_or(|e| e.method == r.method && e.route == r.route);
            let status = filters.status.is_none_or(|c| in_class(r.status, c));
            let caller = filters.include_console || !r.console;
            (key && endpoint && status && caller).then_some((b, r))
        })
    }

    fn totals(&self, window: &Window, filters: &Filters) -> Vec<u64> {
        let mut totals = vec![0; window.buckets()];
        for (b, _) in self.matching(window, filters) {
            totals[b] += 1;
        }
        totals
    }

    fn volume(&self, window: &Window, filters: &Filters, by: VolumeBy) -> (Vec<Series>, Vec<u64>) {
        let n = window.buckets();
        let mut groups = Groups::new();
        for (b, r) in self.matching(window, filters) {
            let (name, detail) = match by {
                VolumeBy::Endpoint => {
                    let by = if r.console { " (console)" } else { "" };
                    (format!("{} {}{by}", r.method, r.route), None)
                }
                VolumeBy::Key => match NAMES.iter().find(|(id, _)| *id == r.key_id) {
                    Some((id, name)) => (name.to_string(), Some(id.to_string())),
                    None => (r.key_id.clone(), None),
                },
            };
            groups.entry(name).or_insert_with(|| (detail, vec![0; n])).1[b] += 1;
        }
        (top_seven(groups, n), self.totals(window, filters))
    }

    fn errors(&self, window: &Window, filters: &Filters, by: ErrorsBy) -> (Vec<Series>, Vec<u64>) {
        let n = window.buckets();
        let totals = self.totals(window, filters);
        let series = match by {
            ErrorsBy::StatusClass => {
                let mut counts = vec![vec![0u64; n]; 3];
                for (b, r) in self.matching(window, filters) {
                    match r.status {
                        429 => counts[1][b] += 1,
                        s if s >= 500 => counts[2][b] += 1,
                        s if s >= 400 => counts[0][b] += 1,
                        _ => {}
                    }
                }
                ["4xx", "429 rate limited", "5xx"]
                    .into_iter()
                    .zip(counts)
                    .map(|(name, values)| Series {
                        name: name.to_string(),
                        detail: None,
                        filter: LogQuery::default(),
                        values: values.into_iter().map(|v| Some(v as f64)).collect(),
                    })
                    .collect()
            }
            ErrorsBy::ErrorCode => {
                let mut groups = Groups::new();
                for (b, r) in self
                    .matching(window, filters)
                    .filter(|(_, r)| r.status >= 400)
                {
                    groups
                        .entry(format!("{} {}", r.status, code_of(r.status)))
                        .or_insert_with(|| (None, vec![0; n]))
                        .1[b] += 1;
                }
                top_seven(groups, n)
            }
        };
        (as_rates(series, &totals), totals)
    }

    fn histograms(&self, window: &Window, filters: &Filters) -> Vec<(Histogram, Vec<i64>)> {
        let mut per_bucket = vec![(Histogram::default(), Vec::new()); window.buckets()];
        for (b, r) in self.matching(window, filters) {
            per_bucket[b].0.add(latency_us(r));
            per_bucket[b].1.push(latency_us(r));
        }
        per_bucket
    }

    fn latency(&self, window: &Window, filters: &Filters, what: &str) -> (Vec<Series>, Vec<u64>) {
        let buckets = self.histograms(window, filters);
        let series = [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
            .into_iter()
            .map(|(name, q)| Series {
                name: name.to_string(),
                detail: None,
                filter: LogQuery::default(),
                values: buckets
                    .iter()
                    .map(|(h, exact)| {
                        let value = h.percentile(q);
                        within_ten_percent(value, exact, q, &format!("{name} of a bucket, {what}"));
                        value
                    })
                    .collect(),
            })
            .collect();
        (
            series,
            buckets.iter().map(|(_, l)| l.len() as u64).collect(),
        )
    }

    fn load(&self, window: &Window, key_id: Option<&str>) -> (Vec<Series>, Vec<u64>) {
        let n = window.buckets();
        let mut minutes: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
        for r in self.records {
            if key_id.is_some_and(|k| k != r.key_id) {
                continue;
            }
            let minute = r.time.timestamp_millis().div_euclid(60_000) * 60;
            let entry = minutes.entry(minute).or_default();
            entry.0 += 1;
            entry.1 += u64::from(r.rate_limited);
        }
        let (mut peak, mut limited, mut totals) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        for (minute, (requests, refused)) in minutes {
            if !(window.from_s..window.to_s).contains(&minute) {
                continue;
            }
            let b = ((minute - window.from_s) / window.bucket_s) as usize;
            peak[b] = peak[b].max(requests - refused);
            limited[b] += refused;
            totals[b] += requests;
        }
        let series = [("Busiest minute", peak), ("429 responses", limited)]
            .into_iter()
            .map(|(name, values)| Series {
                name: name.to_string(),
                detail: None,
                filter: LogQuery::default(),
                values: values.into_iter().map(|v| Some(v as f64)).collect(),
            })
            .collect();
        (series, totals)
    }

    fn summary(&self, window: &Window, filters: &Filters, what: &str) -> Summary {
        let mut merged = Histogram::default();
        let mut exact = Vec::new();
        let mut summary = Summary {
            requests: 0,
            errors: 0,
            rate_limited: 0,
            server_errors: 0,
            p50_ms: None,
            p95_ms: None,
            p99_ms: None,
        };
        for (_, r) in self.matching(window, filters) {
            summary.requests += 1;
            summary.errors += u64::from(r.status >= 400);
            summary.rate_limited += u64::from(r.status == 429);
            summary.server_errors += u64::from(r.status >= 500);
            merged.add(latency_us(r));
            exact.push(latency_us(r));
        }
        for (q, slot) in [
            (0.5, &mut summary.p50_ms),
            (0.95, &mut summary.p95_ms),
            (0.99, &mut summary.p99_ms),
        ] {
            *slot = merged.percentile(q);
            within_ten_percent(*slot, &exact, q, &format!("summary, {what}"));
        }
        summary
    }
}

/// A histogram's percentile is within 10 % of the exact one: the latency of rank ⌈q·n⌉.
fn within_ten_percent(value: Option<f64>, latencies_us: &[i64], q: f64, what: &str) {
    let mut sorted = latencies_us.to_vec();
    sorted.sort_unstable();
    let exact = (!sorted.is_empty()).then(|| {
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1] as f64 / 1000.0
    });
    match (value, exact) {
        (None, None) => {}
        (Some(v), Some(e)) => assert!(
            (v - e).abs() <= 0.1 * e,
            "{what}: p{q} {v} ms vs exact {e} ms"
        ),
        other => panic!("{what}: {other:?}"),
    }
}

/// The answer is the truth: same window, same series (names, details, values) and totals.
/// What each series stands for is checked against the request log, in
/// `each_series_lists_exactly_the_requests_it_counted`.
fn is_truth(answer: &Answer, truth: (Vec<Series>, Vec<u64>), window: &Window, what: &str) {
    assert_eq!(answer.window, *window, "{what}: window");
    assert_eq!(answer.totals, truth.1, "{what}: totals");
    let drawn: Vec<Series> = answer
        .series
        .iter()
        .map(|s| Series {
            filter: LogQuery::default(),
            ..s.clone()
        })
        .collect();
    assert_eq!(drawn, truth.0, "{what}: series");
}

fn random_filters(rng: &mut StdRng) -> Filters {
    Filters {
        key_id: rng
            .random_bool(0.4)
            .then(|| KEYS[rng.random_range(0..KEYS.len())].to_string()),
        endpoint: rng.random_bool(0.3).then(|| {
            let (method, route) = ENDPOINTS[rng.random_range(0..ENDPOINTS.len())];
            EndpointName {
                method: method.into(),
                route: route.into(),
            }
        }),
        status: if rng.random_bool(0.3) {
            [
                StatusClass::Success,
                StatusClass::ClientError,
                StatusClass::RateLimited,
                StatusClass::ServerError,
            ]
            .get(rng.random_range(0..4))
            .copied()
        } else {
            None
        },
        include_console: rng.random_bool(0.5),
    }
}

#[tokio::test]
async fn rollups_and_raw_rows_answer_what_the_requests_say() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(20261121);
    let (store, records) = filled_store(&dir, &mut rng).await;
    let truth = Truth { records: &records };
    assert_eq!(store.rolled_up_requests().await.expect("sum"), 12_000);

    // Zones without a clock change in the data's weeks, so the truth's buckets are equal:
    // UTC, +01:00, -05:00, +05:30 and -09:30.
    let zones = [
        Tz::UTC,
        Tz::Etc__GMTMinus1,
        Tz::Etc__GMTPlus5,
        Tz::Asia__Kolkata,
        Tz::Pacific__Marquesas,
    ];
    let mut resolutions = std::collections::BTreeSet::new();
    let mut checked = 0;
    for round in 0..120 {
        let from = start() + Duration::minutes(rng.random_range(-600..17_000));
        let to = from + Duration::minutes(rng.random_range(1..18_000));
        let zone = zones[rng.random_range(0..zones.len())];
        let window = if rng.random_bool(0.5) {
            Window::covering(from, to, zone).expect("window")
        } else {
            let bucket = [60, 300, 3_600, 10_800, 86_400][rng.random_range(0..5)];
            match Window::with_bucket(from, to, bucket, zone) {
                Ok(w) if w.buckets() <= 20_000 => w,
                _ => continue,
            }
        };
        resolutions.insert(window.rollup());
        let filters = random_filters(&mut rng);
        let what = format!("round {round}: {window:?} {filters:?}");
        checked += 1;

        for source in [Source::Rollups, Source::Raw] {
            let what = format!("{source:?}, {what}");
            for by in [VolumeBy::Endpoint, VolumeBy::Key] {
                let answer = store
                    .volume(&window, &filters, by, source)
                    .await
                    .expect("volume");
                let expected = truth.volume(&window, &filters, by);
                is_truth(&answer, expected, &window, &format!("volume {by:?} {what}"));
            }
            for by in [ErrorsBy::StatusClass, ErrorsBy::ErrorCode] {
                let answer = store
                    .errors(&window, &filters, by, source)
                    .await
                    .expect("errors");
                let expected = truth.errors(&window, &filters, by);
                is_truth(&answer, expected, &window, &format!("errors {by:?} {what}"));
            }
            let answer = store
                .latency(&window, &filters, source)
                .await
                .expect("latency");
            let expected = truth.latency(&window, &filters, &what);
            is_truth(&answer, expected, &window, &format!("latency {what}"));
            let key = filters.key_id.as_deref();
            let answer = store.load(&window, key, source).await.expect("load");
            is_truth(
                &answer,
                truth.load(&window, key),
                &window,
                &format!("load {what}"),
            );
            let answer = store
                .summary(&window, &filters, source)
                .await
                .expect("summary");
            assert_eq!(
                answer,
                truth.summary(&window, &filters, &what),
                "summary {what}"
            );
        }
    }
    assert!(checked >= 100, "most rounds had a window: {checked}");
    assert_eq!(
        resolutions.len(),
        3,
        "minute, hour and day rollups were all used: {resolutions:?}"
    );
}

/// Every request, the console's own included.
fn everything() -> Filters {
    Filters {
        include_console: true,
        ..Filters::default()
    }
}

#[tokio::test]
async fn a_month_is_read_from_far_fewer_rollup_rows_than_raw_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(3);
    let (store, records) = filled_store(&dir, &mut rng).await;
    let window = Window::covering(start(), start() + Duration::days(12), Tz::UTC).expect("window");
    assert_eq!(window.bucket_s, 10_800, "12 days in 3-hour buckets");
    let rollups = store
        .volume(&window, &everything(), VolumeBy::Endpoint, Source::Rollups)
        .await
        .expect("rollups");
    let raw = store
        .volume(&window, &everything(), VolumeBy::Endpoint, Source::Raw)
        .await
        .expect("raw");
    assert_eq!(raw.rows_read, 12_000);
    assert_eq!(rollups.answered_from, "hour rollups");
    assert!(
        rollups.rows_read < raw.rows_read,
        "{} vs {}",
        rollups.rows_read,
        raw.rows_read
    );
    let truth = Truth { records: &records };
    is_truth(
        &rollups,
        truth.volume(&window, &everything(), VolumeBy::Endpoint),
        &window,
        "a month by endpoint",
    );
}

#[tokio::test]
async fn pruning_raw_rows_keeps_the_rollups() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(5);
    let (store, records) = filled_store(&dir, &mut rng).await;
    let window = Window::covering(start(), start() + Duration::days(12), Tz::UTC).expect("window");
    let before = store
        .volume(&window, &everything(), VolumeBy::Key, Source::Rollups)
        .await
        .expect("before");
    // Keep 3 days as seen from the end of the data: three quarters of the rows go.
    let now = start() + Duration::days(12);
    let pruned = store.set_retention_days(3, now).await.expect("retention");
    let older = records
        .iter()
        .filter(|r| r.time < now - Duration::days(3))
        .count() as u64;
    assert_eq!(pruned, older, "exactly the rows older than three days");
    assert!((8_000..10_000).contains(&pruned), "{pruned}");
    let state = store.state().await.expect("state");
    assert_eq!(state.raw_rows, 12_000 - pruned);
    assert_eq!(state.retention_days, 3);
    let after = store
        .volume(&window, &everything(), VolumeBy::Key, Source::Rollups)
        .await
        .expect("after");
    assert_eq!(before, after, "charts from rollups are unchanged");
    let raw = store
        .volume(&window, &everything(), VolumeBy::Key, Source::Raw)
        .await
        .expect("raw");
    assert_eq!(raw.totals.iter().sum::<u64>(), 12_000 - pruned);
    assert!(store.set_retention_days(0, now).await.is_err());
}

#[tokio::test]
async fn keys_are_labelled_by_name_and_series_beyond_seven_are_other() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(9);
    let (store, _) = filled_store(&dir, &mut rng).await;
    let window = Window::covering(start(), start() + Duration::days(12), Tz::UTC).expect("window");
    let by_key = store
        .volume(&window, &everything(), VolumeBy::Key, Source::Rollups)
        .await
        .expect("volume");
    let checkout = by_key
        .series
        .iter()
        .find(|s| s.name == "Checkout bot")
        .expect("named key");
    assert_eq!(checkout.detail.as_deref(), Some("key_checkout"));
    assert!(by_key
        .series
        .iter()
        .any(|s| s.name == "key_support" && s.detail.is_none()));
    let by_endpoint = store
        .volume(&window, &everything(), VolumeBy::Endpoint, Source::Rollups)
        .await
        .expect("volume");
    assert_eq!(by_endpoint.series.len(), 8);
    // Nine endpoints, `GET /v1/me` once the user's and once the console's: ten series.
    assert_eq!(by_endpoint.series[7].name, "Other (3)");
    let errors = store
        .errors(&window, &everything(), ErrorsBy::ErrorCode, Source::Rollups)
        .await
        .expect("errors");
    let names: Vec<_> = errors.series.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"404 not_found") && names.contains(&"503 internal_error"),
        "{names:?}"
    );
}

/// A click on a series in a bucket lists the request log under the series' filter and the
/// bucket's period: that list must hold exactly the requests the series counted there.
/// "Other" and the console's calls of an endpoint stand for more than they count (every
/// request the chart read; the user's calls of that endpoint too), so they hold at least
/// as many; the series that are not counts, and those with nothing in any bucket, are not
/// checked.
#[tokio::test]
async fn each_series_lists_exactly_the_requests_it_counted() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(20261130);
    let (store, _) = filled_store(&dir, &mut rng).await;
    let window = Window::with_bucket(
        start() + Duration::hours(30),
        start() + Duration::hours(54),
        3_600,
        Tz::Etc__GMTMinus1,
    )
    .expect("window");
    let mut compared = 0;
    for round in 0..6 {
        let filters = match round {
            0 => Filters::default(),
            1 => Filters {
                include_console: true,
                ..Filters::default()
            },
            _ => random_filters(&mut rng),
        };
        let mut answers = Vec::new();
        for by in [VolumeBy::Endpoint, VolumeBy::Key] {
            answers.push((
                false,
                store.volume(&window, &filters, by, Source::Raw).await,
            ));
        }
        for by in [ErrorsBy::StatusClass, ErrorsBy::ErrorCode] {
            answers.push((true, store.errors(&window, &filters, by, Source::Raw).await));
        }
        let load = store
            .load(&window, filters.key_id.as_deref(), Source::Raw)
            .await;
        answers.push((false, load));
        for (rates, answer) in answers {
            let answer = answer.expect("answer");
            for series in &answer.series {
                // A status filter of the chart leaves some classes empty; nothing to click.
                let empty = series.values.iter().all(|v| v.unwrap_or(0.0) == 0.0);
                if series.name == "Busiest minute" || empty {
                    continue;
                }
                let loose =
                    series.name.starts_with("Other (") || series.name.ends_with("(console)");
                for (b, value) in series.values.iter().enumerate() {
                    let counted = match (rates, value) {
                        (true, Some(v)) => (v * answer.totals[b] as f64 / 100.0).round() as u64,
                        (false, Some(v)) => *v as u64,
                        (_, None) => 0,
                    };
                    let listed = store
                        .log_count(&LogQuery {
                            from_ms: Some(window.bucket_start(b) * 1000),
                            to_ms: Some(window.bucket_start(b + 1) * 1000),
                            ..series.filter.clone()
                        })
                        .await
                        .expect("count");
                    let what = format!("{} in bucket {b} with {filters:?}", series.name);
                    if loose {
                        assert!(
                            listed >= counted,
                            "{what}: {listed} listed, {counted} counted"
                        );
                    } else {
                        assert_eq!(listed, counted, "{what}");
                    }
                    compared += usize::from(counted > 0);
                }
            }
        }
    }
    assert!(
        compared > 200,
        "buckets with requests were compared: {compared}"
    );
}
