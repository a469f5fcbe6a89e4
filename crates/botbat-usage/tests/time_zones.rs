//! Days in the viewer's time zone, on a real `usage.sqlite`: 30 days across a clock change
//! (Berlin going forward on 29 March 2026, New York going back on 1 November 2026) are
//! bucketed at local midnights, the 23- and 25-hour days count exactly the requests
//! inside them (one a minute either side of every midnight, and either side of the
//! change), and nothing is lost or counted twice. The expected buckets are worked out
//! here from the calendar, independently of the store.

use botbat_api::UsageRecord;
use botbat_usage::{
    parse_zone, Answer, ErrorsBy, Filters, Resolution, Source, Tz, UsageStore, VolumeBy, Window,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// Local midnight of `date` in `zone` (both zones here have exactly one on every day).
fn midnight(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    zone.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .expect("one midnight")
        .with_timezone(&Utc)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&Utc)
}

fn record(id: i64, time: DateTime<Utc>) -> UsageRecord {
    UsageRecord {
        id,
        time,
        key_id: "key_checkout".to_string(),
        method: "GET".to_string(),
        route: "/v1/contacts".to_string(),
        status: if id % 5 == 0 { 404 } else { 200 },
        latency_ms: 12.0,
        rate_limited: false,
        retry_after: None,
        request_id: None,
        console: false,
    }
}

struct Case {
    zone: &'static str,
    first: NaiveDate,
    /// The day the clocks change, and how long it is.
    change: NaiveDate,
    change_hours: i64,
    /// The instant the clocks change: a request is planted a minute either side.
    at: &'static str,
}

async fn check(case: Case) {
    let zone = parse_zone(case.zone).expect("zone");
    let days: Vec<NaiveDate> = (0..=30).map(|i| case.first + Duration::days(i)).collect();
    let midnights: Vec<DateTime<Utc>> = days.iter().map(|d| midnight(zone, *d)).collect();

    // One request a minute either side of every midnight (the outermost two fall outside
    // the range), one at local noon, and one either side of the clock change.
    let mut times = Vec::new();
    for m in &midnights {
        times.push(*m - Duration::minutes(1));
        times.push(*m + Duration::minutes(1));
    }
    for d in &days[..30] {
        times.push(midnight(zone, *d) + Duration::hours(12));
    }
    times.push(utc(case.at) - Duration::minutes(1));
    times.push(utc(case.at) + Duration::minutes(1));
    let records: Vec<UsageRecord> = times
        .iter()
        .enumerate()
        .map(|(i, t)| record(i as i64 + 1, *t))
        .collect();

    let dir = tempfile::tempdir().expect("dir");
    let store = UsageStore::open(&dir.path().join("usage.sqlite"), "sandbox")
        .await
        .expect("store");
    store.ingest(records.clone()).await.expect("ingest");

    let (from, to) = (midnights[0], midnights[30]);
    let window = Window::with_bucket(from, to, 86_400, zone).expect("window");
    assert_eq!(window.buckets(), 30, "{}: 30 days", case.zone);
    let edges = window.edges();
    assert_eq!(
        edges,
        midnights.iter().map(|m| m.timestamp()).collect::<Vec<_>>(),
        "{}: every bucket starts at local midnight",
        case.zone
    );
    let change = days
        .iter()
        .position(|d| *d == case.change)
        .expect("change inside");
    assert_eq!(
        edges[change + 1] - edges[change],
        case.change_hours * 3_600,
        "{}: the day of the change",
        case.zone
    );
    assert_eq!(
        window.rollup(),
        Resolution::Hour,
        "whole-hour offsets read hour rollups"
    );

    // The truth: each request's day, from the calendar.
    let mut expected = vec![0u64; 30];
    let mut inside = 0u64;
    for t in &times {
        if let Some(b) = midnights.windows(2).position(|w| w[0] <= *t && *t < w[1]) {
            expected[b] += 1;
            inside += 1;
        }
    }
    assert_eq!(
        expected[change], 5,
        "{}: the change's day holds its two midnights' requests, noon and both sides of the change",
        case.zone
    );
    assert_eq!(
        inside,
        times.len() as u64 - 2,
        "only the outermost two are outside"
    );

    for source in [Source::Rollups, Source::Raw] {
        let what = format!("{} {source:?}", case.zone);
        let volume: Answer = store
            .volume(&window, &Filters::default(), VolumeBy::Endpoint, source)
            .await
            .expect("volume");
        assert_eq!(volume.totals, expected, "{what}: requests per local day");
        assert_eq!(volume.totals.iter().sum::<u64>(), inside, "{what}: total");
        let errors = store
            .errors(&window, &Filters::default(), ErrorsBy::StatusClass, source)
            .await
            .expect("errors");
        assert_eq!(errors.totals, expected, "{what}: errors per local day");
        let summary = store
            .summary(&window, &Filters::default(), source)
            .await
            .expect("summary");
        assert_eq!(summary.requests, inside, "{what}: summary");
        let load = store.load(&window, None, source).await.expect("load");
        assert_eq!(load.totals, expected, "{what}: load per local day");
    }

    // The chart the console draws for the last 30 days (30 × 24 hours): 3-hour buckets,
    // from hour rollups, with every local midnight on an edge and the raw rows agreeing.
    let covering = Window::covering(from, from + Duration::days(30), zone).expect("covering");
    assert_eq!(covering.bucket_s, 10_800);
    let edges = covering.edges();
    for m in &midnights {
        assert!(
            edges.contains(&m.timestamp()),
            "{}: {m} is a bucket edge",
            case.zone
        );
    }
    let (mut answers, all) = (Vec::new(), Filters::default());
    for source in [Source::Rollups, Source::Raw] {
        let answer = store.volume(&covering, &all, VolumeBy::Endpoint, source);
        answers.push(answer.await.expect("volume"));
    }
    let (rollups, raw) = (&answers[0], &answers[1]);
    assert_eq!(rollups.answered_from, "hour rollups");
    assert_eq!(rollups.totals, raw.totals, "{}: rollups agree", case.zone);
    let covered = times
        .iter()
        .filter(|t| (covering.from_s..covering.to_s).contains(&t.timestamp()))
        .count() as u64;
    assert_eq!(rollups.totals.iter().sum::<u64>(), covered);
}

#[tokio::test]
async fn berlin_days_start_at_local_midnight_across_the_spring_change() {
    check(Case {
        zone: "Europe/Berlin",
        first: day(2026, 3, 15),
        change: day(2026, 3, 29),
        change_hours: 23,
        // 02:00 CET becomes 03:00 CEST.
        at: "2026-03-29T01:00:00Z",
    })
    .await;
}

#[tokio::test]
async fn new_york_days_start_at_local_midnight_across_the_autumn_change() {
    check(Case {
        zone: "America/New_York",
        first: day(2026, 10, 15),
        change: day(2026, 11, 1),
        change_hours: 25,
        // 02:00 EDT becomes 01:00 EST: 01:00 to 02:00 happens twice.
        at: "2026-11-01T06:00:00Z",
    })
    .await;
}

#[test]
fn days_read_day_rollups_only_where_they_are_utc_days() {
    let from = utc("2026-03-01T00:00:00Z");
    let to = utc("2026-04-30T00:00:00Z");
    let rollup = |zone: &str| {
        Window::with_bucket(from, to, 86_400, parse_zone(zone).expect("zone"))
            .expect("window")
            .rollup()
    };
    assert_eq!(rollup("UTC"), Resolution::Day);
    assert_eq!(rollup("Europe/London"), Resolution::Hour, "BST is not UTC");
    assert_eq!(rollup("Asia/Kolkata"), Resolution::Minute);
}

#[test]
fn an_unknown_zone_is_refused_with_what_a_zone_looks_like() {
    let error = parse_zone("Europe/Atlantis").expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("Europe/Atlantis") && message.contains("Europe/Berlin"),
        "{message}"
    );
    assert!(parse_zone("+01:00").is_err(), "an offset is not a zone");
    assert!(parse_zone("").is_err());
}
