//! The inspector's receiver against a bare server, on this machine, in one run.
//!
//! 1. Throughput: the same signed webhook POSTed 20,000 times over 32 connections to a bare
//!    axum server that answers 200, and to the receiver (verify, store in SQLite, answer
//!    the mock 200). Five rounds alternate; the figure is the ratio of median rates, and
//!    each round's pair of rates is printed for the spread. The count
//!    stored must equal the count sent, or the bench fails. Then the same with the store
//!    at its retention limit, so every batch also deletes as many old captures.
//! 2. Forwarding overhead: 2,000 sequential requests straight to a target, then through the
//!    receiver forwarding to it; p50 and p99 of the difference.
//! 3. The capture list at 100,000 rows: one window of 100 rows deep in the list (with the
//!    total, as the list asks for it), a filter and a body search, against one query that
//!    reads every row's summary, which is what a list without windows would do.
//!
//! Traffic stays on 127.0.0.1 and every loop is bounded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botbat_webhooks::capture::{CaptureFilter, CaptureSource, CaptureStore, NewCapture, Retention};
use botbat_webhooks::inspector::{start_receiver, Behaviour, InspectorCore, ReceiverConfig};
use botbat_webhooks::{standard, Candidate};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const REQUESTS: usize = 20_000;
const CONNECTIONS: usize = 32;
const ROUNDS: usize = 5;

fn body() -> String {
    serde_json::json!({
        "id": "evt_bench", "type": "message.delivered", "created_at": "2026-11-21T09:30:02Z",
        "livemode": false,
        "data": {"id": "msg_7Hq2cX9LmP4vT1sD", "contact_id": "ct_3Jk8QwErTy5UiOp2",
                 "channel": "whatsapp", "body": "Hi Ada, your order A-1042 has shipped.",
                 "status": "delivered", "queued_at": "2026-11-21T09:30:00Z"}
    })
    .to_string()
}

fn headers(body: &str) -> Vec<(String, String)> {
    let ts = chrono::Utc::now().timestamp();
    vec![
        ("webhook-id".into(), "evt_bench".into()),
        ("webhook-timestamp".into(), ts.to_string()),
        (
            "webhook-signature".into(),
            standard::sign(&[SECRET], "evt_bench", ts, body.as_bytes()),
        ),
        ("content-type".into(), "application/json".into()),
    ]
}

async fn bare_server() -> String {
    let app = axum::Router::new().fallback(|_body: axum::body::Bytes| async { "ok" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/webhooks")
}

async fn blast(url: &str, body: &str, headers: &[(String, String)]) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, url, body, headers) = (
            client.clone(),
            url.to_string(),
            body.to_string(),
            headers.to_vec(),
        );
        tasks.push(tokio::spawn(async move {
            for _ in 0..REQUESTS / CONNECTIONS {
                let mut request = client.post(&url).body(body.clone());
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                let response = request.send().await.expect("request");
                assert!(response.status().is_success(), "{}", response.status());
                response.bytes().await.expect("body");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    (REQUESTS / CONNECTIONS * CONNECTIONS) as f64 / started.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn core(dir: &std::path::Path) -> Arc<InspectorCore> {
    let store = CaptureStore::open(&dir.join("inspector.sqlite"))
        .await
        .expect("store");
    Arc::new(InspectorCore::new(
        store,
        "sandbox",
        Arc::new(|| vec![Candidate::new("endpoint", SECRET).in_environment("sandbox")]),
        Arc::new(|_| {}),
    ))
}

async fn latencies(url: &str, body: &str, n: usize) -> Vec<f64> {
    let client = reqwest::Client::new();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut request = client.post(url).body(body.to_string());
        for (k, v) in headers(body) {
            request = request.header(k, v);
        }
        let started = Instant::now();
        let response = request.send().await.expect("request");
        response.bytes().await.expect("body");
        out.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    out.sort_by(f64::total_cmp);
    out
}

#[tokio::main]
async fn main() {
    let body = body();
    let signed = headers(&body);

    // 1. Throughput.
    let bare = bare_server().await;
    let dir = tempfile::tempdir().expect("dir");
    let core_ = core(dir.path()).await;
    let mut config = ReceiverConfig::new("127.0.0.1:0".parse().expect("addr"));
    config.max_in_flight = 256;
    let receiver = start_receiver(core_.clone(), config)
        .await
        .expect("receiver");
    let inspector = format!("http://{}/webhooks", receiver.addr);
    let (mut bare_rates, mut inspector_rates) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        bare_rates.push(blast(&bare, &body, &signed).await);
        inspector_rates.push(blast(&inspector, &body, &signed).await);
    }
    let sent = (REQUESTS / CONNECTIONS * CONNECTIONS * ROUNDS) as u64;
    let stored = core_.store.count().await.expect("count");
    let rounds = bare_rates
        .iter()
        .zip(&inspector_rates)
        .map(|(b, i)| format!("{i:.0}/{b:.0} ({:.2})", i / b))
        .collect::<Vec<_>>()
        .join(", ");
    println!("receiver rounds, receiver/bare req/s: {rounds}");
    let (b, i) = (median(bare_rates), median(inspector_rates));
    println!(
        "receiver: {i:.0} req/s captured and persisted vs bare axum 200 {b:.0} req/s: ratio {:.2}; stored {stored} of {sent} sent",
        i / b,
    );
    if stored != sent {
        eprintln!("the receiver stored {stored} captures but acknowledged {sent}");
        std::process::exit(1);
    }

    // At the retention limit: each batch inserted deletes as many of the oldest.
    let kept = 10_000;
    core_
        .store
        .set_retention(Retention {
            max_captures: kept,
            ..Retention::default()
        })
        .await
        .expect("retention");
    let deadline = Instant::now() + Duration::from_secs(120);
    while core_.store.count().await.expect("count") != kept {
        assert!(
            Instant::now() < deadline,
            "pruning to {kept} never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut pruning_rates = Vec::new();
    for _ in 0..ROUNDS {
        pruning_rates.push(blast(&inspector, &body, &signed).await);
    }
    let p = median(pruning_rates);
    let stored = core_.store.count().await.expect("count");
    println!(
        "receiver at its retention limit ({kept} kept, the oldest deleted by every batch): {p:.0} req/s, {:.2} of the rate below the limit; {stored} kept",
        p / i,
    );
    if stored != kept {
        eprintln!("the store kept {stored} captures, not {kept}");
        std::process::exit(1);
    }
    receiver.stop().await;

    // 2. Forwarding overhead.
    let target = bare_server().await;
    let dir2 = tempfile::tempdir().expect("dir");
    let forwarding = core(dir2.path()).await;
    forwarding.set_behaviour(Behaviour {
        forward_target: Some(url::Url::parse(&target).expect("url")),
        ..Behaviour::default()
    });
    let receiver = start_receiver(
        forwarding,
        ReceiverConfig::new("127.0.0.1:0".parse().expect("addr")),
    )
    .await
    .expect("receiver");
    let through_url = format!("http://{}/", receiver.addr);
    let _ = latencies(&target, &body, 200).await;
    let _ = latencies(&through_url, &body, 200).await;
    let direct = latencies(&target, &body, 2_000).await;
    let through = latencies(&through_url, &body, 2_000).await;
    println!(
        "forwarding overhead (through the inspector minus direct): p50 {:.3} ms, p99 {:.3} ms (direct p50 {:.3} ms, p99 {:.3} ms)",
        percentile(&through, 0.5) - percentile(&direct, 0.5),
        percentile(&through, 0.99) - percentile(&direct, 0.99),
        percentile(&direct, 0.5),
        percentile(&direct, 0.99),
    );
    receiver.stop().await;

    // 3. The list at 100,000 rows.
    let dir3 = tempfile::tempdir().expect("dir");
    let store = CaptureStore::open(&dir3.path().join("inspector.sqlite"))
        .await
        .expect("store");
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        let body = body.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..12_500 {
                let n = w * 12_500 + i;
                store
                    .record(NewCapture {
                        source: CaptureSource::Receiver,
                        received_at: chrono::Utc::now(),
                        method: "POST".into(),
                        path: "/webhooks".into(),
                        headers: vec![("content-type".into(), "application/json".into())],
                        body: body.replace("evt_bench", &format!("evt_{n}")).into_bytes(),
                        body_size: body.len() as u64,
                        response_status: Some(200),
                        event_id: Some(format!("evt_{n}")),
                        event_type: Some(
                            if n % 3 == 0 {
                                "message.read"
                            } else {
                                "message.delivered"
                            }
                            .into(),
                        ),
                        verdict: None,
                        note: None,
                    })
                    .await
                    .expect("record");
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    // Each of the two compared reads is timed 5 times (warm, like a list being scrolled);
    // the figure is the median of each.
    let time = |f: Duration| f.as_secs_f64() * 1000.0;
    let mut window_times = Vec::new();
    let mut window = None;
    for _ in 0..5 {
        let started = Instant::now();
        window = Some(
            store
                .list(&CaptureFilter::default(), 50_000, 100)
                .await
                .expect("window"),
        );
        window_times.push(time(started.elapsed()));
    }
    let window = window.expect("a window");
    assert_eq!(window.rows.len(), 100);
    let window_ms = median(window_times);
    let started = Instant::now();
    let filtered = store
        .list(
            &CaptureFilter {
                event_type: Some("message.read".into()),
                ..Default::default()
            },
            20_000,
            100,
        )
        .await
        .expect("filtered");
    let filtered_ms = time(started.elapsed());
    let started = Instant::now();
    let search = store
        .list(
            &CaptureFilter {
                search: Some("evt_99999".into()),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .expect("search");
    let search_ms = time(started.elapsed());
    // One full read: every row's summary in one query, on its own connection.
    let reader = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir3.path().join("inspector.sqlite"))
                .read_only(true),
        )
        .await
        .expect("reader");
    type SummaryRow = (
        i64,
        String,
        i64,
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    let mut everything_times = Vec::new();
    let mut total_rows = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let all: Vec<SummaryRow> = sqlx::query_as(
            "SELECT id, source, received_at, method, path, body_size, response_status, event_id,
                    event_type, scheme, signature_valid, forward_status, forward_error, note
             FROM captures ORDER BY id DESC",
        )
        .fetch_all(&reader)
        .await
        .expect("all rows");
        everything_times.push(time(started.elapsed()));
        total_rows = all.len();
    }
    let everything_ms = median(everything_times);
    println!(
        "capture list at {} rows: a 100-row window at offset 50,000 in {window_ms:.1} ms (with the total), event-type filter {filtered_ms:.1} ms, body search {search_ms:.1} ms ({} hit); one query reading all {total_rows} rows {everything_ms:.0} ms: the window is {:.0}x cheaper",
        window.total,
        search.total,
        everything_ms / window_ms,
    );
    assert_eq!(filtered.rows.len(), 100);
}
