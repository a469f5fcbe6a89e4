//! The inspector with real parts: the receiver over real HTTP on loopback, a real SQLite
//! store, a real target server, the real sandbox's listen tunnel through a TCP proxy that
//! can cut or freeze the connection, and a receiver process killed with SIGKILL.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use botbat_webhooks::capture::{CaptureFilter, CaptureStore, ForwardFilter, VerdictFilter};
use botbat_webhooks::inspector::{
    start_receiver, Behaviour, InspectorCore, MockResponse, ReceiverConfig, Replay,
};
use botbat_webhooks::tunnel::{start_tunnel, TunnelConfig, TunnelState, TunnelStatus};
use botbat_webhooks::{standard, verify, Candidate, Problem, Scheme, VerifyOptions};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("addr")
}

async fn core(dir: &tempfile::TempDir) -> Arc<InspectorCore> {
    let store = CaptureStore::open(&dir.path().join("inspector.sqlite"))
        .await
        .expect("store");
    Arc::new(InspectorCore::new(
        store,
        "sandbox",
        Arc::new(|| vec![Candidate::new("endpoint", SECRET).in_environment("sandbox")]),
        Arc::new(|_| {}),
    ))
}

fn signed(body: &str, id: &str, timestamp: i64) -> Vec<(String, String)> {
    vec![
        ("webhook-id".into(), id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        (
            "webhook-signature".into(),
            standard::sign(&[SECRET], id, timestamp, body.as_bytes()),
        ),
        ("content-type".into(), "application/json".into()),
    ]
}

async fn post(url: &str, headers: &[(String, String)], body: &str) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(url).body(body.to_string());
    for (k, v) in headers {
        request = request.header(k, v);
    }
    request.send().await.expect("request")
}

/// Method, URI, headers and body of a request the target got.
type Seen = (String, String, BTreeMap<String, String>, Vec<u8>);

/// A target server that records requests and verifies Standard Webhooks strictly.
#[derive(Clone, Default)]
struct Target {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Target {
    async fn start(&self) -> String {
        let seen = self.seen.clone();
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method,
                  uri: axum::http::Uri,
                  headers: axum::http::HeaderMap,
                  body: axum::body::Bytes| {
                let seen = seen.clone();
                async move {
                    let headers: BTreeMap<String, String> = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect();
                    let list: Vec<(String, String)> = headers
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    let verdict = verify(
                        Scheme::Standard,
                        &list,
                        &body,
                        &[Candidate::new("mine", SECRET)],
                        &VerifyOptions::at(chrono::Utc::now().timestamp()),
                    );
                    seen.lock().expect("lock").push((
                        method.to_string(),
                        uri.to_string(),
                        headers,
                        body.to_vec(),
                    ));
                    if verdict.valid {
                        (axum::http::StatusCode::OK, "verified".to_string())
                    } else {
                        (axum::http::StatusCode::BAD_REQUEST, verdict.detail)
                    }
                }
            },
        );
        let listener = tokio::net::TcpListener::bind(loopback())
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}/webhooks")
    }
}

#[tokio::test]
async fn the_receiver_records_verifies_and_answers_with_the_mock() {
    let dir = tempfile::tempdir().expect("dir");
    let core = core(&dir).await;
    core.set_behaviour(Behaviour {
        forward_target: None,
        mock: MockResponse {
            status: 202,
            body: "queued".into(),
            content_type: "text/plain".into(),
            delay_ms: 0,
        },
        routes: Vec::new(),
    });
    let receiver = start_receiver(core.clone(), ReceiverConfig::new(loopback()))
        .await
        .expect("receiver");
    let url = format!("http://{}/hooks/orders?attempt=1", receiver.addr);
    let body = r#"{"id":"evt_1","type":"message.delivered","data":{"id":"msg_1"}}"#;
    let now = chrono::Utc::now().timestamp();
    let response = post(&url, &signed(body, "evt_1", now), body).await;
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(response.text().await.expect("text"), "queued");

    // Tampered body, old timestamp, and no signature at all.
    post(
        &url,
        &signed(body, "evt_2", now),
        &body.replace("msg_1", "msg_2"),
    )
    .await;
    post(&url, &signed(body, "evt_3", now - 3600), body).await;
    post(&format!("http://{}/plain", receiver.addr), &[], "hello").await;

    let page = core
        .store
        .list(&CaptureFilter::default(), 0, 50)
        .await
        .expect("list");
    assert_eq!(page.total, 4);
    let first = &page.rows[3];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/hooks/orders?attempt=1");
    assert_eq!(first.event_type.as_deref(), Some("message.delivered"));
    assert_eq!(first.event_id.as_deref(), Some("evt_1"));
    assert_eq!(first.signature_valid, Some(true));
    assert_eq!(first.response_status, Some(202));
    let detail = core.store.get(first.id).await.expect("get").expect("row");
    assert_eq!(detail.body, body);
    assert_eq!(
        detail.verdict.expect("verdict").matched.as_deref(),
        Some("endpoint")
    );

    let tampered = core
        .store
        .get(page.rows[2].id)
        .await
        .expect("get")
        .expect("row");
    assert_eq!(tampered.summary.signature_valid, Some(false));
    assert_eq!(
        tampered.verdict.expect("verdict").problem,
        Some(Problem::NoMatch)
    );
    let stale = core
        .store
        .get(page.rows[1].id)
        .await
        .expect("get")
        .expect("row");
    assert!(matches!(
        stale.verdict.expect("verdict").problem,
        Some(Problem::TimestampOutsideTolerance { .. })
    ));
    assert_eq!(page.rows[0].signature_valid, None, "unsigned");

    let valid = CaptureFilter {
        verdict: Some(VerdictFilter::Invalid),
        ..Default::default()
    };
    assert_eq!(core.store.list(&valid, 0, 50).await.expect("list").total, 2);
    let search = CaptureFilter {
        search: Some("msg_2".into()),
        ..Default::default()
    };
    assert_eq!(
        core.store.list(&search, 0, 50).await.expect("list").total,
        1
    );
    receiver.stop().await;
}

// Multi-threaded: the test talks raw HTTP over blocking sockets while the receiver runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_get_413_and_are_recorded_as_such() {
    let dir = tempfile::tempdir().expect("dir");
    let core = core(&dir).await;
    let mut config = ReceiverConfig::new(loopback());
    config.body_limit = 1024;
    config.read_timeout = Duration::from_secs(1);
    let receiver = start_receiver(core.clone(), config)
        .await
        .expect("receiver");
    let url = format!("http://{}/big", receiver.addr);
    let response = post(&url, &[], &"x".repeat(4096)).await;
    assert_eq!(response.status().as_u16(), 413);

    // Chunked (no Content-Length) over the limit: refused while reading.
    let mut chunked = std::net::TcpStream::connect(receiver.addr).expect("tcp");
    chunked
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    chunked
        .write_all(b"POST /big HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n")
        .expect("head");
    for _ in 0..8 {
        let _ = chunked.write_all(format!("200\r\n{}\r\n", "y".repeat(512)).as_bytes());
    }
    let _ = chunked.write_all(b"0\r\n\r\n");
    let mut answer = [0u8; 32];
    let n = chunked.read(&mut answer).expect("answer");
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"));

    // Malformed HTTP gets 400 from the HTTP layer, and the receiver keeps serving.
    let mut raw = std::net::TcpStream::connect(receiver.addr).expect("tcp");
    raw.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    raw.write_all(b"NOT HTTP AT ALL\r\n\r\n").expect("write");
    let mut answer = [0u8; 64];
    let n = raw.read(&mut answer).expect("an answer to garbage");
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");

    // A client that promises a body and never sends it is cut off and recorded.
    let mut slow = tokio::net::TcpStream::connect(receiver.addr)
        .await
        .expect("tcp");
    slow.write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc")
        .await
        .expect("write");
    let mut answer = vec![0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), async {
        use tokio::io::AsyncReadExt;
        slow.read(&mut answer).await
    })
    .await
    .expect("answered in time")
    .expect("read");
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 408"));

    let page = core
        .store
        .list(&CaptureFilter::default(), 0, 10)
        .await
        .expect("list");
    let statuses: Vec<Option<u16>> = page.rows.iter().map(|r| r.response_status).collect();
    assert_eq!(statuses, [Some(408), Some(413), Some(413)]);
    assert!(page.rows[2]
        .note
        .as_deref()
        .expect("note")
        .contains("limit"));
    assert_eq!(page.rows[2].body_size, 4096);
    assert_eq!(
        post(&format!("http://{}/ok", receiver.addr), &[], "{}")
            .await
            .status()
            .as_u16(),
        200
    );
    receiver.stop().await;
}

#[tokio::test]
async fn forwarding_and_the_three_replays() {
    let dir = tempfile::tempdir().expect("dir");
    let core = core(&dir).await;
    let target = Target::default();
    let target_url = target.start().await;
    core.set_behaviour(Behaviour {
        forward_target: Some(url::Url::parse(&target_url).expect("url")),
        ..Behaviour::default()
    });
    let receiver = start_receiver(core.clone(), ReceiverConfig::new(loopback()))
        .await
        .expect("receiver");
    // Bytes a re-serializer would change: spacing and key order.
    let body = "{ \"type\": \"message.delivered\",  \"id\": \"evt_9\" }";
    let mut headers = signed(body, "evt_9", chrono::Utc::now().timestamp());
    headers.push(("x-custom".into(), "kept".into()));
    let response = post(
        &format!("http://{}/orders?x=1", receiver.addr),
        &headers,
        body,
    )
    .await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "the target's answer comes back"
    );
    assert_eq!(response.text().await.expect("text"), "verified");
    {
        let seen = target.seen.lock().expect("lock");
        assert_eq!(seen.len(), 1);
        let (method, uri, headers, bytes) = &seen[0];
        assert_eq!(method, "POST");
        assert_eq!(uri, "/webhooks/orders?x=1", "the path suffix is preserved");
        assert_eq!(headers["x-custom"], "kept");
        assert_eq!(bytes, body.as_bytes(), "the exact body bytes");
    }
    let id = core
        .store
        .list(&CaptureFilter::default(), 0, 1)
        .await
        .expect("list")
        .rows[0]
        .id;
    let detail = core.store.get(id).await.expect("get").expect("row");
    let forward = detail.forward.expect("forward recorded");
    assert_eq!(forward.status, Some(200));
    assert_eq!(forward.body, "verified");

    let again = core
        .replay(id, Replay::AsCaptured, &[])
        .await
        .expect("replay");
    assert_eq!(again.status, Some(200));
    let edited = core
        .replay(
            id,
            Replay::Edited {
                headers: detail.headers.clone(),
                body: body.replace("evt_9", "evt_10"),
            },
            &[],
        )
        .await
        .expect("edited");
    assert_eq!(
        edited.status,
        Some(400),
        "an edited body no longer matches its signature"
    );
    let resigned = core
        .replay(
            id,
            Replay::Resigned {
                secret: SECRET.into(),
                body: Some(body.replace("evt_9", "evt_10")),
            },
            &[],
        )
        .await
        .expect("resigned");
    assert_eq!(
        resigned.status,
        Some(200),
        "re-signed with a fresh timestamp: accepted"
    );
    let detail = core.store.get(id).await.expect("get").expect("row");
    assert_eq!(detail.replays.len(), 3);
    assert_eq!(target.seen.lock().expect("lock").len(), 4);

    let failed = CaptureFilter {
        forward: Some(ForwardFilter::Succeeded),
        ..Default::default()
    };
    assert_eq!(
        core.store.list(&failed, 0, 10).await.expect("list").total,
        1
    );
    let curl = botbat_webhooks::export::curl(&detail, "http://localhost:3000/webhooks");
    assert!(curl.contains("--data-binary"));
    assert!(curl.contains("webhook-signature: v1,"));
    let har = botbat_webhooks::export::har(&[detail], "http://127.0.0.1:4040");
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(
        har["log"]["entries"][0]["request"]["postData"]["text"],
        body
    );
    receiver.stop().await;
}

/// Starts the `botbat-receiver` binary on a free loopback port with `db` as its store and
/// `secret` (if any) in its environment, and waits for its ready line.
/// A receiver process that is killed when the test ends, also when it fails half-way.
struct Running(std::process::Child);

impl std::ops::Deref for Running {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_receiver(db: &std::path::Path, secret: Option<&str>) -> (Running, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_botbat-receiver"));
    command
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(db)
        .env_remove("BOTBAT_RECEIVER_SECRET")
        .stdout(std::process::Stdio::piped());
    if let Some(secret) = secret {
        command.env("BOTBAT_RECEIVER_SECRET", secret);
    }
    let mut child = Running(command.spawn().expect("receiver starts"));
    // Read on a thread of its own, so a receiver that never gets ready fails the test
    // after a minute instead of hanging it.
    let stdout = child.stdout.take().expect("stdout");
    let (sender, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let Ok(line) = ready.recv_timeout(Duration::from_secs(60)) else {
        let _ = child.kill();
        panic!("the receiver printed no ready line within a minute");
    };
    let url = line
        .trim()
        .strip_prefix("receiver ready: ")
        .expect("ready line")
        .to_string();
    (child, url)
}

/// Runs `botbat-receiver` with `args` and `secret` (if any) in its environment to
/// completion: exit code, stdout, stderr.
/// Its store is a path below a plain file, so arguments that parse make it fail at once
/// (exit code 1) instead of serving until killed.
fn run_receiver(args: &[&str], secret: Option<&str>) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").expect("file");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_botbat-receiver"))
        .args(args)
        .arg("--db")
        .arg(file.join("inspector.sqlite"))
        .env_remove("BOTBAT_RECEIVER_SECRET")
        .envs(secret.map(|s| ("BOTBAT_RECEIVER_SECRET", s)))
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("receiver runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn receiver_help_explains_every_option() {
    let (code, help, _) = run_receiver(&["--help"], None);
    assert_eq!(code, Some(0), "{help}");
    // Compared with runs of whitespace as one space, however the help is wrapped.
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for option in [
        "--listen <ADDR>",
        "--db <FILE>",
        "--forward <URL>",
        "--secret <SECRET>",
        "--keep-captures <N>",
        "--keep-days <DAYS>",
        "[env: BOTBAT_RECEIVER_SECRET",
        "visible in `ps`",
        "[default: 127.0.0.1:0]",
        "[default: 100000]",
    ] {
        assert!(help.contains(option), "--help lacks {option:?}:\n{help}");
    }
}

#[test]
fn receiver_verifies_with_the_secret_from_its_environment() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("inspector.sqlite");
    let (mut child, url) = spawn_receiver(&db, Some(SECRET));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let body = r#"{"id":"evt_env","type":"message.delivered","data":{"id":"msg_1"}}"#;
    let now = chrono::Utc::now().timestamp();
    let other = standard::sign(
        &["whsec_b3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcjA="],
        "evt_other",
        now,
        body.as_bytes(),
    );
    runtime.block_on(async {
        let response = post(&format!("{url}/env"), &signed(body, "evt_env", now), body).await;
        assert_eq!(response.status().as_u16(), 200);
        let mut headers = signed(body, "evt_other", now);
        headers[2].1 = other;
        let response = post(&format!("{url}/other"), &headers, body).await;
        assert_eq!(response.status().as_u16(), 200);
    });
    child.kill().expect("kill");
    let _ = child.wait();
    runtime.block_on(async {
        let store = CaptureStore::open(&db).await.expect("store");
        let page = store
            .list(&CaptureFilter::default(), 0, 10)
            .await
            .expect("list");
        assert_eq!(page.total, 2);
        let by_path = |path: &str| {
            page.rows
                .iter()
                .find(|r| r.path == path)
                .unwrap_or_else(|| panic!("no capture of {path}"))
                .id
        };
        let env = store.get(by_path("/env")).await.expect("get").expect("row");
        assert_eq!(env.summary.signature_valid, Some(true));
        assert_eq!(
            env.verdict.expect("verdict").matched.as_deref(),
            Some("given")
        );
        let other = store
            .get(by_path("/other"))
            .await
            .expect("get")
            .expect("row");
        assert_eq!(other.summary.signature_valid, Some(false));
    });
}

#[test]
fn receiver_refuses_bad_arguments_with_exit_code_2() {
    let cases: [(&[&str], Option<&str>, &str); 6] = [
        (&["--listen", "nowhere"], None, "127.0.0.1:4040"),
        (&["--keep-days", "0"], None, "at least 1"),
        (&["--keep-captures", "many"], None, "at least 1"),
        (&["--forward", "ftp://x/hooks"], None, "use http or https"),
        (&["--bogus"], None, "unexpected argument '--bogus'"),
        (&[], Some(" "), "secret is empty"),
    ];
    for (args, secret, says) in cases {
        let (code, stdout, stderr) = run_receiver(args, secret);
        assert_eq!(code, Some(2), "{args:?} {secret:?}: {stdout}{stderr}");
        assert!(
            stderr.contains(says),
            "{args:?} {secret:?} should say {says:?}: {stderr}"
        );
        assert!(
            stderr.contains("--help"),
            "{args:?}: no pointer to --help: {stderr}"
        );
    }
}

#[test]
fn every_acknowledged_request_survives_sigkill() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("inspector.sqlite");
    let spawn = || spawn_receiver(&db, None);
    let (mut child, url) = spawn();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let acknowledged: Vec<u32> = runtime.block_on(async {
        let client = reqwest::Client::new();
        let acked = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for worker in 0..8u32 {
            let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0..10_000u32 {
                    let n = worker * 100_000 + i;
                    match client
                        .post(format!("{url}/kill-test"))
                        .header("x-seq", n.to_string())
                        .body(format!("{{\"n\":{n}}}"))
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => acked.lock().expect("lock").push(n),
                        _ => break,
                    }
                }
            }));
        }
        // Kill mid-stream, once a few hundred requests are acknowledged (or after a minute,
        // and fail below).
        let _ = tokio::time::timeout(Duration::from_secs(60), async {
            while acked.lock().expect("lock").len() < 300 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        child.kill().expect("SIGKILL");
        for task in tasks {
            let _ = task.await;
        }
        let acked = acked.lock().expect("lock").clone();
        acked
    });
    let _ = child.wait();
    assert!(
        acknowledged.len() >= 300,
        "only {} requests were acknowledged before the kill",
        acknowledged.len()
    );
    let (mut again, _) = spawn();
    let stored: Vec<u32> = runtime.block_on(async {
        let store = CaptureStore::open(&db).await.expect("store");
        let page = store
            .list(&CaptureFilter::default(), 0, 1000)
            .await
            .expect("list");
        let mut stored = Vec::new();
        let total = page.total;
        let mut offset = 0;
        while offset < total {
            let page = store
                .list(&CaptureFilter::default(), offset, 1000)
                .await
                .expect("list");
            for row in &page.rows {
                let detail = store.get(row.id).await.expect("get").expect("row");
                let v: Value = serde_json::from_str(&detail.body).expect("json");
                stored.push(v["n"].as_u64().expect("n") as u32);
            }
            offset += page.rows.len() as u64;
        }
        stored
    });
    let _ = again.kill();
    let _ = again.wait();
    let missing: Vec<&u32> = acknowledged
        .iter()
        .filter(|n| !stored.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged requests missing after SIGKILL: {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}

/// Copies bytes one way until either side closes, holding them while `frozen`.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<std::sync::atomic::AtomicBool>,
) {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 16384];
    loop {
        let n = from.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        while frozen.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}

/// A TCP proxy in front of the sandbox that can cut every connection, or freeze them.
struct Proxy {
    addr: SocketAddr,
    cut: Arc<tokio::sync::Notify>,
    frozen: Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind(loopback())
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let cut = Arc::new(tokio::sync::Notify::new());
        let frozen = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (c, f) = (cut.clone(), frozen.clone());
        tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let (cut, frozen) = (c.clone(), f.clone());
                tokio::spawn(async move {
                    let Ok(outbound) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (ri, wi) = inbound.into_split();
                    let (ro, wo) = outbound.into_split();
                    tokio::select! {
                        _ = pump(ri, wo, frozen.clone()) => {}
                        _ = pump(ro, wi, frozen.clone()) => {}
                        _ = cut.notified() => {}
                    }
                });
            }
        });
        Self { addr, cut, frozen }
    }

    fn cut_all(&self) {
        self.cut.notify_waiters();
    }
}

async fn emit(sandbox: &botbat_sandbox::RunningSandbox, key: &str, n: usize) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..n {
        let reply: Value = client
            .post(format!("{}/sandbox/events", sandbox.base_url))
            .bearer_auth(key)
            .json(&json!({"type": "message.delivered", "data": {"n": i}}))
            .send()
            .await
            .expect("emit")
            .json()
            .await
            .expect("json");
        ids.push(reply["id"].as_str().expect("id").to_string());
    }
    ids
}

async fn wait_until(what: &str, seconds: u64, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_tunnel_captures_every_event_once_in_order_across_drops_and_stalls() {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let mut config = botbat_sandbox::SandboxConfig::new(loopback(), sandbox_dir.path());
    config.plan = botbat_api::Plan::Enterprise;
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    let key = sandbox
        .generated_admin_key
        .as_ref()
        .expect("key")
        .expose()
        .clone();
    let proxy = Proxy::start(sandbox.addr).await;

    let dir = tempfile::tempdir().expect("dir");
    let core = core(&dir).await;
    let statuses: Arc<Mutex<Vec<TunnelStatus>>> = Arc::default();
    let seen = statuses.clone();
    let tunnel = start_tunnel(
        core.clone(),
        TunnelConfig {
            base_url: format!("http://{}/v1", proxy.addr),
            key: key.clone(),
            types: None,
            heartbeat_seconds: 1,
        },
        Arc::new(move |s| seen.lock().expect("lock").push(s)),
    );
    let connected = |statuses: &Arc<Mutex<Vec<TunnelStatus>>>| {
        matches!(
            statuses.lock().expect("lock").last().map(|s| &s.state),
            Some(TunnelState::Connected { .. })
        )
    };
    wait_until("the tunnel to connect", 10, || connected(&statuses)).await;

    let mut expected = emit(&sandbox, &key, 10).await;
    let captured = |core: &Arc<InspectorCore>| {
        let core = core.clone();
        async move { core.store.count().await.expect("count") }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while captured(&core).await < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for the first captures"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The network drops in the middle of the stream; events keep happening meanwhile.
    proxy.cut_all();
    expected.extend(emit(&sandbox, &key, 10).await);
    wait_until("a reconnect", 15, || {
        statuses
            .lock()
            .expect("lock")
            .iter()
            .any(|s| matches!(s.state, TunnelState::Reconnecting { .. }))
            && connected(&statuses)
    })
    .await;

    // A stall: bytes stop flowing without the connection closing.
    proxy
        .frozen
        .store(true, std::sync::atomic::Ordering::SeqCst);
    wait_until("the stale state", 15, || {
        statuses
            .lock()
            .expect("lock")
            .iter()
            .any(|s| matches!(s.state, TunnelState::Stale { .. }))
    })
    .await;
    expected.extend(emit(&sandbox, &key, 5).await);
    proxy
        .frozen
        .store(false, std::sync::atomic::Ordering::SeqCst);
    proxy.cut_all();

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while captured(&core).await < expected.len() as u64 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = core
        .store
        .list(&CaptureFilter::default(), 0, 100)
        .await
        .expect("list");
    let mut got: Vec<String> = page
        .rows
        .iter()
        .filter_map(|r| r.event_id.clone())
        .collect();
    got.reverse();
    assert_eq!(got, expected, "every event exactly once, in order");
    assert!(page.rows.iter().all(|r| r.signature_valid == Some(true)));
    tunnel.stop().await;
    sandbox.shutdown().await;
}
