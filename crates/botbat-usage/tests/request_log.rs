//! The request log the Requests view lists, over a real `usage.sqlite` of 100,000 rows:
//! any window of the list by offset, newest first, its length under each filter, and a
//! request found by its exact id.

use botbat_api::UsageRecord;
use botbat_usage::{Filters, LogQuery, StatusClass, UsageStore};
use chrono::{Duration, TimeZone, Utc};

const ROWS: i64 = 100_000;

fn record(id: i64) -> UsageRecord {
    let status = match id % 10 {
        0 => 404,
        1 => 429,
        2 => 503,
        _ => 200,
    };
    UsageRecord {
        id,
        time: Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .expect("date")
            + Duration::seconds(id),
        key_id: if id % 2 == 0 { "key_even" } else { "key_odd" }.to_string(),
        method: "GET".to_string(),
        route: "/v1/contacts".to_string(),
        status,
        latency_ms: 2.0,
        rate_limited: status == 429,
        retry_after: (status == 429).then_some(1),
        request_id: Some(format!("req_{id:08}")),
        console: id % 100 == 99,
    }
}

#[tokio::test]
async fn any_window_of_a_hundred_thousand_rows_is_read_by_offset() {
    let dir = tempfile::tempdir().expect("dir");
    let store = UsageStore::open(&dir.path().join("usage.sqlite"), "sandbox")
        .await
        .expect("store");
    for chunk in (1..=ROWS).collect::<Vec<_>>().chunks(10_000) {
        store
            .ingest(chunk.iter().map(|&id| record(id)).collect())
            .await
            .expect("ingest");
    }
    let everything = LogQuery {
        filters: Filters {
            include_console: true,
            ..Filters::default()
        },
        ..LogQuery::default()
    };
    assert_eq!(
        store.log_count(&everything).await.expect("count"),
        ROWS as u64
    );
    // The console's own (one in a hundred) are left out by default.
    assert_eq!(
        store.log_count(&LogQuery::default()).await.expect("count"),
        (ROWS - ROWS / 100) as u64
    );

    let top = store.log(&everything, 0, 3).await.expect("top");
    assert_eq!(
        top.iter().map(|r| r.id).collect::<Vec<_>>(),
        [ROWS, ROWS - 1, ROWS - 2]
    );
    let deep = store.log(&everything, 99_990, 50).await.expect("deep");
    assert_eq!(
        deep.iter().map(|r| r.id).collect::<Vec<_>>(),
        (1..=10).rev().collect::<Vec<_>>(),
        "the last window holds the oldest rows, and no more"
    );

    let not_found = LogQuery {
        status_code: Some(404),
        ..everything.clone()
    };
    assert_eq!(store.log_count(&not_found).await.expect("count"), 10_000);
    let client_errors = LogQuery {
        filters: Filters {
            status: Some(StatusClass::ClientError),
            key_id: Some("key_odd".to_string()),
            include_console: true,
            ..Filters::default()
        },
        ..LogQuery::default()
    };
    // Odd ids answered 4xx: the 429s (id % 10 == 1).
    assert_eq!(
        store.log_count(&client_errors).await.expect("count"),
        10_000
    );
    let page = store.log(&client_errors, 0, 5).await.expect("page");
    assert!(page
        .iter()
        .all(|r| r.status == 429 && r.key_id == "key_odd"));

    let one = LogQuery {
        request_id: Some(" req_00012345 ".to_string()),
        ..everything.clone()
    };
    let found = store.log(&one, 0, 10).await.expect("found");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, 12_345);
    assert_eq!(
        store
            .find_request("req_00012345")
            .await
            .expect("find")
            .map(|r| r.id),
        Some(12_345)
    );
}
