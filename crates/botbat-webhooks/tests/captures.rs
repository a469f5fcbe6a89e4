//! What the inspector keeps, with real parts: the receiver over loopback HTTP, a real
//! `inspector.sqlite`, a real target server. Credentials never reach the file (its bytes
//! and its write-ahead log are scanned), replays put kept ones back, the writer prunes by
//! count and by age, a target's endless body is read only up to the cap, and the exports
//! carry the mask and the exact bytes (the cURL command is run by a real shell and curl).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botbat_webhooks::capture::{
    CaptureDetail, CaptureFilter, CaptureSource, CaptureStore, NewCapture, Retention,
};
use botbat_webhooks::credentials::KeptSecret;
use botbat_webhooks::forward::{forward, http_client, RESPONSE_BODY_LIMIT};
use botbat_webhooks::inspector::{
    start_receiver, Behaviour, InspectorCore, MockResponse, ReceiverConfig, Replay,
};
use botbat_webhooks::{Candidate, Scheme};
use rand::distr::{Alphanumeric, SampleString};

fn random(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

/// Method, URI, headers (raw bytes, lowercase names; repeated names joined by `, `) and
/// body of a request the target got.
#[derive(Clone, Debug)]
struct Seen {
    uri: String,
    headers: BTreeMap<String, Vec<u8>>,
    body: Vec<u8>,
}

/// A target that records requests. `/endless` streams a body that never ends, `/cookie`
/// answers with a session cookie, anything else answers 200 `ok` as HTML.
#[derive(Clone, Default)]
struct Target {
    seen: Arc<Mutex<Vec<Seen>>>,
}

const SESSION: &str = "session=srv_9f8e7d6c5b4a3928";

impl Target {
    async fn start(&self) -> String {
        use axum::body::Body;
        use axum::http::{header, Response};
        let seen = self.seen.clone();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let seen = seen.clone();
                async move {
                    let mut named: BTreeMap<String, Vec<u8>> = BTreeMap::new();
                    for (k, v) in &headers {
                        let entry = named.entry(k.to_string()).or_default();
                        if !entry.is_empty() {
                            entry.extend_from_slice(b", ");
                        }
                        entry.extend_from_slice(v.as_bytes());
                    }
                    seen.lock().expect("lock").push(Seen {
                        uri: uri.to_string(),
                        headers: named,
                        body: body.to_vec(),
                    });
                    let builder = Response::builder().status(200);
                    if uri.path().ends_with("/endless") {
                        let chunk = bytes::Bytes::from(vec![b'z'; 16 * 1024]);
                        let endless = futures::stream::repeat_with(move || {
                            Ok::<_, std::io::Error>(chunk.clone())
                        });
                        return builder
                            .header(header::CONTENT_TYPE, "text/plain")
                            .body(Body::from_stream(endless))
                            .expect("response");
                    }
                    let builder = if uri.path().ends_with("/cookie") {
                        builder.header(header::SET_COOKIE, SESSION)
                    } else {
                        builder
                    };
                    builder
                        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                        .body(Body::from("ok"))
                        .expect("response")
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    fn last(&self) -> Seen {
        self.seen
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("a request")
    }
}

async fn core(dir: &tempfile::TempDir, candidates: Vec<Candidate>) -> Arc<InspectorCore> {
    let store = CaptureStore::open(&dir.path().join("inspector.sqlite"))
        .await
        .expect("store");
    Arc::new(InspectorCore::new(
        store,
        "sandbox",
        Arc::new(move || candidates.clone()),
        Arc::new(|_| {}),
    ))
}

async fn newest(core: &InspectorCore) -> CaptureDetail {
    let page = core
        .store
        .list(&CaptureFilter::default(), 0, 1)
        .await
        .expect("list");
    core.store
        .get(page.rows[0].id)
        .await
        .expect("get")
        .expect("row")
}

async fn wait_until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every file of the store: the database, its write-ahead log and shared memory.
fn store_bytes(dir: &tempfile::TempDir) -> Vec<(String, Vec<u8>)> {
    [
        "inspector.sqlite",
        "inspector.sqlite-wal",
        "inspector.sqlite-shm",
    ]
    .iter()
    .filter_map(|name| {
        std::fs::read(dir.path().join(name))
            .ok()
            .map(|bytes| (name.to_string(), bytes))
    })
    .collect()
}

fn files_holding(files: &[(String, Vec<u8>)], needle: &str) -> Vec<String> {
    files
        .iter()
        .filter(|(_, bytes)| {
            bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        })
        .map(|(name, _)| name.clone())
        .collect()
}

#[tokio::test]
async fn credentials_are_verified_forwarded_and_stored_only_masked() {
    let dir = tempfile::tempdir().expect("dir");
    let bearer = format!("bb_test_{}", random(32));
    let bm_token = format!("bm_{}", random(24));
    let api_key = format!("ak_{}", random(24));
    let cookie = format!("sid={}", random(20));
    let canary = format!("canary_{}", random(24));
    let core = core(&dir, vec![Candidate::new("botmaker", bm_token.clone())]).await;
    let target = Target::default();
    let target_url = target.start().await;
    core.set_behaviour(Behaviour {
        forward_target: Some(url::Url::parse(&target_url).expect("url")),
        mock: MockResponse::default(),
        routes: Vec::new(),
    });
    let receiver = start_receiver(
        core.clone(),
        ReceiverConfig::new("127.0.0.1:0".parse().expect("addr")),
    )
    .await
    .expect("receiver");

    let body = format!(r#"{{"type":"message.received","note":"{canary}"}}"#);
    let response = reqwest::Client::new()
        .post(format!("http://{}/cookie?attempt=1", receiver.addr))
        .header("Authorization", format!("Bearer {bearer}"))
        .header("auth-bm-token", &bm_token)
        .header("X-Api-Key", &api_key)
        .header("Cookie", &cookie)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    receiver.stop().await;

    // Their server got every credential as sent.
    let seen = target.last();
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {bearer}").as_bytes()
    );
    assert_eq!(seen.headers["auth-bm-token"], bm_token.as_bytes());
    assert_eq!(seen.headers["x-api-key"], api_key.as_bytes());
    assert_eq!(seen.headers["cookie"], cookie.as_bytes());

    // Verified against the raw token before it was masked.
    let detail = newest(&core).await;
    let verdict = detail.verdict.clone().expect("verdict");
    assert_eq!(verdict.scheme, Scheme::Botmaker);
    assert!(verdict.valid, "{}", verdict.detail);
    assert_eq!(verdict.matched.as_deref(), Some("botmaker"));

    // Stored masked, and marked so.
    let value = |name: &str| {
        detail
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .expect(name)
    };
    assert_eq!(
        value("authorization"),
        format!("Bearer bb_test_…{}", &bearer[bearer.len() - 4..])
    );
    assert_eq!(
        value("auth-bm-token"),
        format!("…{}", &bm_token[bm_token.len() - 4..])
    );
    let mut names: Vec<&str> = detail.masked.iter().map(|m| m.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["auth-bm-token", "authorization", "cookie", "x-api-key"]
    );
    assert_eq!(detail.body, body, "bodies are stored as received");
    let forwarded = detail.forward.clone().expect("forward");
    let set_cookie = forwarded
        .headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.clone())
        .expect("set-cookie");
    assert!(
        set_cookie.starts_with('…'),
        "the target's cookie is masked: {set_cookie}"
    );

    // The exports carry the mask.
    let curl = botbat_webhooks::export::curl(&detail, &target_url);
    let har = botbat_webhooks::export::har(std::slice::from_ref(&detail), "http://127.0.0.1:4040")
        .to_string();
    for raw in [bearer.as_str(), &bm_token, &api_key, &cookie, SESSION] {
        assert!(!curl.contains(raw), "cURL holds {raw}");
        assert!(!har.contains(raw), "HAR holds {raw}");
    }
    assert!(curl.contains("Bearer bb_test_…"));

    // The file and its log: the scan finds the body's canary there, and no credential.
    let files = store_bytes(&dir);
    assert!(
        !files_holding(&files, &canary).is_empty(),
        "the scan reads where captures live: {:?}",
        files.iter().map(|(n, b)| (n, b.len())).collect::<Vec<_>>()
    );
    for raw in [bearer.as_str(), &bm_token, &api_key, &cookie, SESSION] {
        assert_eq!(
            files_holding(&files, raw),
            Vec::<String>::new(),
            "{raw} on disk"
        );
    }
}

#[tokio::test]
async fn a_replay_sends_a_kept_credential_back_and_the_mask_otherwise() {
    let dir = tempfile::tempdir().expect("dir");
    let kept_key = format!("bb_test_{}", random(32));
    let unkept = format!("tok_{}", random(24));
    let core = core(&dir, Vec::new()).await;
    let target = Target::default();
    let target_url = target.start().await;
    core.set_behaviour(Behaviour {
        forward_target: Some(url::Url::parse(&target_url).expect("url")),
        mock: MockResponse::default(),
        routes: Vec::new(),
    });
    let id = core
        .store
        .record(NewCapture {
            source: CaptureSource::Receiver,
            received_at: chrono::Utc::now(),
            method: "POST".into(),
            path: "/hooks".into(),
            headers: vec![
                ("authorization".into(), format!("Bearer {kept_key}")),
                ("x-auth-token".into(), unkept.clone()),
            ],
            body: b"{}".to_vec(),
            body_size: 2,
            response_status: Some(200),
            event_id: None,
            event_type: None,
            verdict: None,
            note: None,
        })
        .await
        .expect("record");
    let kept = [
        KeptSecret::new("the Sandbox management key", kept_key.clone()),
        KeptSecret::new("a webhook secret", format!("whsec_{}", random(32))),
    ];

    let statuses = core.credentials(id, &kept).await.expect("credentials");
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[0].name, "authorization");
    assert_eq!(
        statuses[0].kept_as.as_deref(),
        Some("the Sandbox management key")
    );
    assert_eq!(statuses[1].kept_as, None, "this machine does not keep it");

    let result = core
        .replay(id, Replay::AsCaptured, &kept)
        .await
        .expect("replay");
    assert_eq!(result.status, Some(200));
    let seen = target.last();
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {kept_key}").as_bytes()
    );
    assert_eq!(
        seen.headers["x-auth-token"],
        statuses[1].masked.as_bytes(),
        "not kept: sent as masked"
    );

    // Edited: the mask left alone is filled in, a value typed over it goes as typed.
    let detail = core.store.get(id).await.expect("get").expect("row");
    let mut headers = detail.headers.clone();
    headers[1].1 = unkept.clone();
    core.replay(
        id,
        Replay::Edited {
            headers,
            body: "{}".into(),
        },
        &kept,
    )
    .await
    .expect("edited");
    let seen = target.last();
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {kept_key}").as_bytes()
    );
    assert_eq!(seen.headers["x-auth-token"], unkept.as_bytes());

    // Without the kept secrets, the mask goes.
    core.replay(id, Replay::AsCaptured, &[])
        .await
        .expect("replay");
    assert_eq!(
        target.last().headers["authorization"],
        statuses[0].masked.as_bytes()
    );
    assert_eq!(seen.uri, "/hooks");
}

fn capture_at(at: chrono::DateTime<chrono::Utc>, n: usize) -> NewCapture {
    NewCapture {
        source: CaptureSource::Receiver,
        received_at: at,
        method: "POST".into(),
        path: format!("/n/{n}"),
        headers: Vec::new(),
        body: format!("{{\"n\":{n}}}").into_bytes(),
        body_size: 8,
        response_status: Some(200),
        event_id: None,
        event_type: None,
        verdict: None,
        note: None,
    }
}

/// `senders` tasks each recording `each` captures at once, as a burst of webhooks does.
async fn record_concurrently(store: &CaptureStore, senders: usize, each: usize) {
    let mut tasks = Vec::new();
    for w in 0..senders {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..each {
                store
                    .record(capture_at(chrono::Utc::now(), w * each + i))
                    .await
                    .expect("record");
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_keeps_the_newest_captures_up_to_the_count_and_the_age() {
    let dir = tempfile::tempdir().expect("dir");
    let store = CaptureStore::open(&dir.path().join("inspector.sqlite"))
        .await
        .expect("store");
    assert_eq!(
        store.retention(),
        Retention {
            max_captures: 100_000,
            max_age_days: 30
        }
    );

    // Count: 120 captures from 8 concurrent senders into a store keeping 50.
    store
        .set_retention(Retention {
            max_captures: 50,
            max_age_days: 30,
        })
        .await
        .expect("retention");
    record_concurrently(&store, 8, 15).await;
    // The writer lowers its running count just after each prune commits, so the store is
    // waited on until both the file and the count say 50.
    wait_until("50 captures kept", || async {
        store.count().await.expect("count") == 50 && store.stored() == 50
    })
    .await;
    let page = store
        .list(&CaptureFilter::default(), 0, 200)
        .await
        .expect("list");
    let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, (71..=120).rev().collect::<Vec<i64>>(), "the newest 50");
    assert_eq!(store.stored(), 50);

    // Lowered far below what is stored: pruned in bounded steps down to the new count.
    store
        .set_retention(Retention {
            max_captures: 5_000,
            max_age_days: 30,
        })
        .await
        .expect("retention");
    record_concurrently(&store, 8, 625).await;
    // A capture is acknowledged once written; the prune of its batch follows just after.
    wait_until("at most 5,000 captures kept", || async {
        store.count().await.expect("count") <= 5_000 && store.stored() <= 5_000
    })
    .await;
    store
        .set_retention(Retention {
            max_captures: 7,
            max_age_days: 30,
        })
        .await
        .expect("retention");
    wait_until("7 captures kept", || async {
        store.count().await.expect("count") == 7 && store.stored() == 7
    })
    .await;
    assert_eq!(store.stored(), 7);
    store.clear().await.expect("clear");

    // Age: captures from 40 days ago go once the retention is applied, recent ones stay.
    store
        .set_retention(Retention {
            max_captures: 100_000,
            max_age_days: 3_650,
        })
        .await
        .expect("retention");
    let old = chrono::Utc::now() - chrono::Duration::days(40);
    for n in 0..30 {
        store.record(capture_at(old, n)).await.expect("record");
    }
    for n in 0..20 {
        store
            .record(capture_at(chrono::Utc::now(), n))
            .await
            .expect("record");
    }
    assert_eq!(
        store.count().await.expect("count"),
        50,
        "ten years keeps them"
    );
    store
        .set_retention(Retention {
            max_captures: 100_000,
            max_age_days: 30,
        })
        .await
        .expect("retention");
    wait_until("old captures pruned", || async {
        store.count().await.expect("count") == 20 && store.stored() == 20
    })
    .await;
    let page = store
        .list(&CaptureFilter::default(), 0, 100)
        .await
        .expect("list");
    let cutoff = chrono::Utc::now() - chrono::Duration::days(30);
    assert!(page.rows.iter().all(|r| r.received_at > cutoff));
    assert_eq!(store.stored(), 20);
}

/// The write-ahead log is copied into the file while the store stays open and the writer
/// goes on (by its checkpointer), instead of only when the log reaches SQLite's default
/// 1,000 pages on a commit: a burst of about 300 pages ends up in `inspector.sqlite`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_captures_reach_the_database_file_while_the_store_is_open() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("inspector.sqlite");
    let store = CaptureStore::open(&path).await.expect("store");
    let before = std::fs::metadata(&path).expect("file").len();
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..100 {
                let mut capture = capture_at(chrono::Utc::now(), w * 100 + i);
                capture.body = random(3_000).into_bytes();
                store.record(capture).await.expect("record");
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    wait_until("the captures in the database file", || async {
        std::fs::metadata(&path).expect("file").len() >= before + 400 * 3_000
    })
    .await;
    assert_eq!(store.count().await.expect("count"), 400);
}

/// A long burst does not pile up in the write-ahead log: 48 MiB of captures pass through
/// it while it stays near the size at which the log starts over (16 MiB), and every
/// capture is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_stays_bounded_through_a_long_burst() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("inspector.sqlite");
    let wal = dir.path().join("inspector.sqlite-wal");
    let store = CaptureStore::open(&path).await.expect("store");
    let largest = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let (largest, watching, wal) = (largest.clone(), watching.clone(), wal.clone());
        tokio::spawn(async move {
            while watching.load(std::sync::atomic::Ordering::SeqCst) {
                let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                largest.fetch_max(size, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let body = random(8_000);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (store, body) = (store.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..750 {
                let mut capture = capture_at(chrono::Utc::now(), w * 750 + i);
                capture.body = body.clone().into_bytes();
                store.record(capture).await.expect("record");
            }
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    watching.store(false, std::sync::atomic::Ordering::SeqCst);
    watcher.await.expect("watcher");
    assert_eq!(store.count().await.expect("count"), 6_000);
    let largest = largest.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        largest > 0 && largest <= 24 * 1024 * 1024,
        "the write-ahead log reached {largest} bytes"
    );
}

#[tokio::test]
async fn a_target_streaming_an_endless_body_is_read_only_up_to_the_cap() {
    let target = Target::default();
    let base = target.start().await;
    let http = http_client();
    let endless = tokio::time::timeout(
        Duration::from_secs(20),
        forward(
            &http,
            &format!("{base}/endless"),
            "POST",
            &[],
            b"{}".to_vec(),
            None,
        ),
    )
    .await
    .expect("the read stops at the cap instead of waiting for the end");
    assert_eq!(endless.status, Some(200));
    assert_eq!(endless.body.len(), RESPONSE_BODY_LIMIT);
    assert!(endless.body_truncated);
    assert_eq!(endless.error, None);

    let small = forward(
        &http,
        &format!("{base}/small"),
        "POST",
        &[],
        Vec::new(),
        None,
    )
    .await;
    assert_eq!(small.body, "ok");
    assert!(!small.body_truncated);
}

/// Runs a command line in `shell`, typed in as a user pastes it (on standard input: a
/// large body would not fit one `-c` argument), and waits for it with a deadline.
async fn run(shell: &str, command: &str) {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(shell)
        .arg("-s")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("shell");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("{command}\n").as_bytes())
        .await
        .expect("type the command");
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("curl finished")
        .expect("status");
    assert!(status.success(), "{shell} -c failed: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_curl_command_sends_the_exact_bytes_and_the_har_has_query_types_and_new_names() {
    let dir = tempfile::tempdir().expect("dir");
    let core = core(&dir, Vec::new()).await;
    let receiver = start_receiver(
        core.clone(),
        ReceiverConfig::new("127.0.0.1:0".parse().expect("addr")),
    )
    .await
    .expect("receiver");
    let target = Target::default();
    let target_url = target.start().await;

    let mut binary: Vec<u8> = (0..=255u8).collect();
    binary.extend_from_slice(b"'%s\\n$(id)`id`\"\r\n\0end\xc3\x28\xff");
    let text = "{\"quote\":\"it's\",\"dollar\":\"$HOME `id` $(id)\",\"percent\":\"100%\",\n\"café\":\"\\\\\"}";
    let big = "x".repeat(200 * 1024);
    for (label, body) in [
        ("binary", binary.clone()),
        ("text", text.as_bytes().to_vec()),
        ("big", big.clone().into_bytes()),
    ] {
        reqwest::Client::new()
            .post(format!(
                "http://{}/hooks?kind={label}&x=a%20b",
                receiver.addr
            ))
            .header("content-type", "application/octet-stream")
            .header("authorization", format!("Bearer bb_test_{}", random(32)))
            .body(body.clone())
            .send()
            .await
            .expect("capture");
        let detail = newest(&core).await;
        let curl = botbat_webhooks::export::curl(&detail, &format!("{target_url}/replayed"));
        assert_eq!(
            curl.starts_with("printf "),
            label != "text",
            "{label}: inline only for short text: {}",
            &curl[..80.min(curl.len())]
        );
        for shell in ["sh", "bash"] {
            run(shell, &curl).await;
            let seen = target.last();
            assert_eq!(seen.body, body, "{label} through {shell}: the same bytes");
            assert!(seen.uri.starts_with("/replayed"));
            assert_eq!(
                seen.headers["authorization"],
                detail
                    .headers
                    .iter()
                    .find(|(k, _)| k == "authorization")
                    .expect("auth")
                    .1
                    .as_bytes(),
                "the mask, not a credential"
            );
        }
    }
    receiver.stop().await;

    // HAR: the query parsed, the types from Content-Type, the exact bytes of a binary body.
    let page = core
        .store
        .list(&CaptureFilter::default(), 0, 10)
        .await
        .expect("list");
    let details = core
        .store
        .details(&page.rows.iter().map(|r| r.id).collect::<Vec<_>>())
        .await
        .expect("details");
    let har = botbat_webhooks::export::har(&details, "http://127.0.0.1:4040");
    let binary_entry = &har["log"]["entries"][2]["request"];
    assert_eq!(
        binary_entry["queryString"],
        serde_json::json!([{"name": "kind", "value": "binary"}, {"name": "x", "value": "a b"}])
    );
    assert_eq!(
        binary_entry["postData"]["mimeType"],
        "application/octet-stream"
    );
    assert_eq!(binary_entry["postData"]["encoding"], "base64");
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(binary_entry["postData"]["text"].as_str().expect("text"))
            .expect("base64"),
        binary
    );
    assert_eq!(
        har["log"]["entries"][1]["request"]["postData"]["text"],
        text
    );

    // The response's type comes from what the target said.
    core.set_behaviour(Behaviour {
        forward_target: Some(url::Url::parse(&target_url).expect("url")),
        mock: MockResponse::default(),
        routes: Vec::new(),
    });
    core.replay(details[0].summary.id, Replay::AsCaptured, &[])
        .await
        .expect("replay");
    let replayed = core
        .store
        .get(details[0].summary.id)
        .await
        .expect("get")
        .expect("row");
    let har = botbat_webhooks::export::har(&[replayed], "http://127.0.0.1:4040");
    assert_eq!(
        har["log"]["entries"][0]["response"]["content"]["mimeType"],
        "text/html; charset=utf-8"
    );

    // Exports made back to back never overwrite each other.
    let out = tempfile::tempdir().expect("out");
    let paths: Vec<std::path::PathBuf> = (0..3)
        .map(|_| {
            botbat_webhooks::export::write_har(out.path(), "sandbox", &details, "http://x")
                .expect("har")
        })
        .collect();
    let distinct: std::collections::BTreeSet<_> = paths.iter().collect();
    assert_eq!(distinct.len(), 3, "{paths:?}");
    assert!(paths.iter().all(|p| p.exists()));
}
