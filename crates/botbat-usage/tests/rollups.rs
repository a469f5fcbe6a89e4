//! The rollups against the truth: for random ranges, bucket widths, time zones and
//! filters, every chart's answer from the rollups equals a direct aggregation of the raw
//! rows in the same real SQLite file. The data is ingested in random batch sizes with
//! times out of order (as a seeded history arriving after live traffic does), so buckets
//! are merged across many transactions.

use botbat_api::UsageRecord;
use botbat_usage::{
    Answer, EndpointName, ErrorsBy, Filters, Source, StatusClass, UsageStore, VolumeBy, Window,
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
            let status = STATUSES[rng.gen_range(0..STATUSES.len())];
            let (method, route) = ENDPOINTS[rng.gen_range(0..ENDPOINTS.len())];
            UsageRecord {
                id: i as i64 + 1,
                time: start() + Duration::milliseconds(rng.gen_range(0..span_ms)),
                key_id: KEYS[rng.gen_range(0..KEYS.len())].to_string(),
                method: method.to_string(),
                route: route.to_string(),
                status,
                latency_ms: (rng.gen_range(0.05f64..9.0)).exp() * 0.5,
                rate_limited: status == 429,
                retry_after: (status == 429).then_some(1),
                request_id: None,
            }
        })
        .collect()
}

async fn filled_store(dir: &tempfile::TempDir, rng: &mut StdRng) -> UsageStore {
    let store = UsageStore::open(&dir.path().join("usage.sqlite"), "sandbox")
        .await
        .expect("store");
    let all = records(rng, 12_000, 12);
    let mut rest = &all[..];
    while !rest.is_empty() {
        let take = rng.gen_range(1..=700).min(rest.len());
        let (batch, tail) = rest.split_at(take);
        store.ingest(batch.to_vec()).await.expect("ingest");
        rest = tail;
    }
    store
        .set_key_names(vec![
            ("key_checkout".into(), "Checkout bot".into()),
            ("key_crm".into(), "CRM sync".into()),
        ])
        .await
        .expect("names");
    store
}

fn same(rollups: &Answer, raw: &Answer, what: &str) {
    assert_eq!(rollups.window, raw.window, "{what}: window");
    assert_eq!(rollups.totals, raw.totals, "{what}: totals");
    assert_eq!(rollups.series, raw.series, "{what}: series");
    assert_ne!(raw.answered_from, rollups.answered_from);
}

fn random_filters(rng: &mut StdRng) -> Filters {
    Filters {
        key_id: rng
            .gen_bool(0.4)
            .then(|| KEYS[rng.gen_range(0..KEYS.len())].to_string()),
        endpoint: rng.gen_bool(0.3).then(|| {
            let (method, route) = ENDPOINTS[rng.gen_range(0..ENDPOINTS.len())];
            EndpointName {
                method: method.into(),
                route: route.into(),
            }
        }),
        status: if rng.gen_bool(0.3) {
            [
                StatusClass::Success,
                StatusClass::ClientError,
                StatusClass::RateLimited,
                StatusClass::ServerError,
            ]
            .get(rng.gen_range(0..4))
            .copied()
        } else {
            None
        },
    }
}

#[tokio::test]
async fn rollups_answer_exactly_what_the_raw_rows_do() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(20261121);
    let store = filled_store(&dir, &mut rng).await;
    assert_eq!(store.rolled_up_requests().await.expect("sum"), 12_000);

    let offsets = [0, 3_600, -5 * 3_600, 19_800, -12_600];
    let mut resolutions = std::collections::BTreeSet::new();
    for round in 0..120 {
        let from = start() + Duration::minutes(rng.gen_range(-600..17_000));
        let to = from + Duration::minutes(rng.gen_range(1..18_000));
        let offset = offsets[rng.gen_range(0..offsets.len())];
        let window = if rng.gen_bool(0.5) {
            Window::covering(from, to, offset).expect("window")
        } else {
            let bucket = [60, 300, 3_600, 10_800, 86_400][rng.gen_range(0..5)];
            match Window::with_bucket(from, to, bucket, offset) {
                Ok(w) if w.buckets() <= 20_000 => w,
                _ => continue,
            }
        };
        resolutions.insert(window.rollup());
        let filters = random_filters(&mut rng);
        let what = format!("round {round}: {window:?} {filters:?}");

        for by in [VolumeBy::Endpoint, VolumeBy::Key] {
            let a = store
                .volume(&window, &filters, by, Source::Rollups)
                .await
                .expect("rollups");
            let b = store
                .volume(&window, &filters, by, Source::Raw)
                .await
                .expect("raw");
            same(&a, &b, &format!("volume {by:?} {what}"));
        }
        for by in [ErrorsBy::StatusClass, ErrorsBy::ErrorCode] {
            let a = store
                .errors(&window, &filters, by, Source::Rollups)
                .await
                .expect("rollups");
            let b = store
                .errors(&window, &filters, by, Source::Raw)
                .await
                .expect("raw");
            same(&a, &b, &format!("errors {by:?} {what}"));
        }
        let a = store
            .latency(&window, &filters, Source::Rollups)
            .await
            .expect("rollups");
        let b = store
            .latency(&window, &filters, Source::Raw)
            .await
            .expect("raw");
        same(&a, &b, &format!("latency {what}"));
        let key = filters.key_id.as_deref();
        let a = store
            .load(&window, key, Source::Rollups)
            .await
            .expect("rollups");
        let b = store.load(&window, key, Source::Raw).await.expect("raw");
        same(&a, &b, &format!("load {what}"));
        let a = store
            .summary(&window, &filters, Source::Rollups)
            .await
            .expect("rollups");
        let b = store
            .summary(&window, &filters, Source::Raw)
            .await
            .expect("raw");
        assert_eq!(a, b, "summary {what}");
    }
    assert_eq!(
        resolutions.len(),
        3,
        "minute, hour and day rollups were all used: {resolutions:?}"
    );
}

#[tokio::test]
async fn a_month_is_read_from_far_fewer_rollup_rows_than_raw_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(3);
    let store = filled_store(&dir, &mut rng).await;
    let window = Window::covering(start(), start() + Duration::days(12), 0).expect("window");
    assert_eq!(window.bucket_s, 10_800, "12 days in 3-hour buckets");
    let rollups = store
        .volume(
            &window,
            &Filters::default(),
            VolumeBy::Endpoint,
            Source::Rollups,
        )
        .await
        .expect("rollups");
    let raw = store
        .volume(
            &window,
            &Filters::default(),
            VolumeBy::Endpoint,
            Source::Raw,
        )
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
    assert_eq!(rollups.series, raw.series);
}

#[tokio::test]
async fn pruning_raw_rows_keeps_the_rollups() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(5);
    let store = filled_store(&dir, &mut rng).await;
    let window = Window::covering(start(), start() + Duration::days(12), 0).expect("window");
    let before = store
        .volume(&window, &Filters::default(), VolumeBy::Key, Source::Rollups)
        .await
        .expect("before");
    // Keep 3 days as seen from the end of the data: three quarters of the rows go.
    let now = start() + Duration::days(12);
    let pruned = store.set_retention_days(3, now).await.expect("retention");
    assert!((8_000..10_000).contains(&pruned), "{pruned}");
    let state = store.state().await.expect("state");
    assert_eq!(state.raw_rows, 12_000 - pruned);
    assert_eq!(state.retention_days, 3);
    let after = store
        .volume(&window, &Filters::default(), VolumeBy::Key, Source::Rollups)
        .await
        .expect("after");
    assert_eq!(before, after, "charts from rollups are unchanged");
    let raw = store
        .volume(&window, &Filters::default(), VolumeBy::Key, Source::Raw)
        .await
        .expect("raw");
    assert_eq!(raw.totals.iter().sum::<u64>(), 12_000 - pruned);
    assert!(store.set_retention_days(0, now).await.is_err());
}

#[tokio::test]
async fn keys_are_labelled_by_name_and_series_beyond_seven_are_other() {
    let dir = tempfile::tempdir().expect("dir");
    let mut rng = StdRng::seed_from_u64(9);
    let store = filled_store(&dir, &mut rng).await;
    let window = Window::covering(start(), start() + Duration::days(12), 0).expect("window");
    let by_key = store
        .volume(&window, &Filters::default(), VolumeBy::Key, Source::Rollups)
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
        .volume(
            &window,
            &Filters::default(),
            VolumeBy::Endpoint,
            Source::Rollups,
        )
        .await
        .expect("volume");
    assert_eq!(by_endpoint.series.len(), 8);
    assert_eq!(by_endpoint.series[7].name, "Other (2)");
    let errors = store
        .errors(
            &window,
            &Filters::default(),
            ErrorsBy::ErrorCode,
            Source::Rollups,
        )
        .await
        .expect("errors");
    let names: Vec<_> = errors.series.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"404 not_found") && names.contains(&"503 internal_error"),
        "{names:?}"
    );
}
