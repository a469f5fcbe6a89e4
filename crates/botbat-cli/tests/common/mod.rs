//! What the `botbat` tests drive: the real binary as a process, a real sandbox on
//! loopback (served in the test process, so a frozen or killed `botbat` never freezes the
//! platform), local servers that record what is forwarded to them, and a TCP proxy that
//! can cut or freeze a connection. Every wait is a condition with a deadline.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use botbat_api::Plan;
use botbat_sandbox::{RetrySchedule, RunningSandbox, SandboxConfig};
use botbat_secrets::Sensitive;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const BOTBAT: &str = env!("CARGO_BIN_EXE_botbat");

/// A fresh sandbox key (`bb_test_` + 32 letters and digits).
pub fn test_key(live: bool) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    static N: AtomicU64 = AtomicU64::new(0);
    let seed = format!(
        "{nanos:x}{:x}{}",
        N.fetch_add(1, Ordering::SeqCst),
        std::process::id()
    );
    let tail: String = seed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .chain("abcdefghijklmnopqrstuvwxyzABCDEF".chars())
        .take(32)
        .collect();
    format!("{}{tail}", if live { "bb_live_" } else { "bb_test_" })
}

/// A real sandbox (or a `--live` production stand-in) in this process.
pub struct Platform {
    pub sandbox: Option<RunningSandbox>,
    pub base_url: String,
    pub key: String,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

impl Platform {
    pub async fn start(plan: Plan, live: bool) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let key = test_key(live);
        let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir.path());
        config.plan = plan;
        config.live = live;
        config.admin_key = Some(Sensitive::new(key.clone()));
        config.retry_schedule = RetrySchedule::Fast;
        let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
        Self {
            base_url: sandbox.base_url.clone(),
            sandbox: Some(sandbox),
            key,
            dir,
            http: reqwest::Client::new(),
        }
    }

    /// A request with the admin key; returns status, headers and the JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    /// Fires an event through the Event Simulator and returns its id, waiting out a 429
    /// (a reconnecting listener shares the key's per-second window).
    pub async fn fire(&self, event_type: &str, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (status, headers, body) = self
                .call(
                    reqwest::Method::POST,
                    "/sandbox/events",
                    Some(serde_json::json!({"type": event_type, "data": {"n": n}})),
                )
                .await;
            if status == 429 && Instant::now() < deadline {
                let wait = headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            assert_eq!(status, 201, "{body}");
            return body["id"].as_str().expect("event id").to_string();
        }
    }

    pub async fn stop(&mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
    }
}

/// One profile (data dir) the `botbat` processes of a test share.
pub struct Profile {
    pub dir: tempfile::TempDir,
    pub key: Option<String>,
}

impl Profile {
    pub fn new(key: Option<&str>) -> Self {
        Self {
            dir: tempfile::tempdir().expect("dir"),
            key: key.map(str::to_string),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BOTBAT);
        command
            .args(args)
            .env("BOTBAT_DATA_DIR", self.dir.path())
            .env_remove("BOTBAT_API_KEY")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if let Some(key) = &self.key {
            command.env("BOTBAT_API_KEY", key);
        }
        command
    }

    /// Runs `botbat args` to completion (at most `limit`).
    pub fn run(&self, args: &[&str]) -> Run {
        run_command(self.command(args), Duration::from_secs(120))
    }

    pub fn spawn(&self, args: &[&str]) -> Spawned {
        Spawned::start(self.command(args))
    }
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

pub fn run_command(mut command: Command, limit: Duration) -> Run {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().expect("botbat starts");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(Output {
            status,
            stdout,
            stderr,
        })) => Run {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        },
        Ok(Err(error)) => panic!("botbat failed to run: {error}"),
        Err(_) => {
            signal(pid, "KILL");
            panic!("botbat did not finish within {limit:?}");
        }
    }
}

/// Sends a signal by name (`STOP`, `CONT`, `TERM`, `KILL`) to a process this test started.
pub fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name} {pid}");
}

/// A running `botbat`, its stdout read line by line.
pub struct Spawned {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl Spawned {
    pub fn start(mut command: Command) -> Self {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("botbat starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let errors = Arc::new(Mutex::new(String::new()));
        let sink = errors.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut all = sink.lock().unwrap_or_else(|p| p.into_inner());
                all.push_str(&line);
                all.push('\n');
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
            stderr: errors,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The next stdout line that parses as JSON and satisfies `wanted`.
    pub fn json_line(&mut self, limit: Duration, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if let Ok(value) = serde_json::from_str::<Value>(&line) {
                        if wanted(&value) {
                            return value;
                        }
                    }
                }
                Err(_) => panic!(
                    "no matching line within {limit:?}; stdout so far:\n{}\nstderr:\n{}",
                    self.seen.join("\n"),
                    self.stderr()
                ),
            }
        }
    }

    /// Waits for the process to end; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "botbat did not exit within {limit:?}; stderr:\n{}",
            self.stderr()
        );
    }

    pub fn stop(&mut self) -> Option<i32> {
        if self.child.try_wait().ok().flatten().is_none() {
            signal(self.pid(), "TERM");
        }
        self.wait_exit(Duration::from_secs(30))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits for `condition`, checking every 50 ms, for at most `limit`.
pub async fn eventually<T>(limit: Duration, mut condition: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = condition() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A local server that records every request's path and body, and answers 200.
pub struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let hits: Arc<Mutex<Vec<(String, Value)>>> = Arc::new(Mutex::new(Vec::new()));
        let recorded = hits.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: String| {
            let recorded = recorded.clone();
            async move {
                let json = serde_json::from_str(&body).unwrap_or(Value::Null);
                recorded
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((uri.path().to_string(), json));
                "ok"
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            hits,
        }
    }

    /// The event ids received, in order.
    pub fn event_ids(&self) -> Vec<String> {
        self.hits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(|(_, body)| body["id"].as_str().map(str::to_string))
            .collect()
    }

    pub fn count(&self) -> usize {
        self.hits.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// A TCP proxy to an upstream that can cut every connection or freeze them all.
pub struct Proxy {
    pub addr: SocketAddr,
    frozen: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let frozen = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(AtomicU64::new(0));
        let (f, g) = (frozen.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (f, g) = (f.clone(), g.clone());
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let born = g.load(Ordering::SeqCst);
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    tokio::select! {
                        _ = pipe(cr, sw, f.clone(), g.clone(), born) => {}
                        _ = pipe(sr, cw, f, g, born) => {}
                    }
                });
            }
        });
        Self {
            addr,
            frozen,
            generation,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Drops every open connection (new ones are accepted).
    pub fn cut(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Stops relaying bytes on every connection, old and new, without closing any.
    pub fn freeze(&self, frozen: bool) {
        self.frozen.store(frozen, Ordering::SeqCst);
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
    born: u64,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if generation.load(Ordering::SeqCst) != born {
            return;
        }
        if frozen.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        let read = tokio::select! {
            read = from.read(&mut buf) => read,
            _ = tokio::time::sleep(Duration::from_millis(50)) => continue,
        };
        match read {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

pub fn addr_of(base_url: &str) -> SocketAddr {
    let url = url::Url::parse(base_url).expect("url");
    format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    )
    .parse()
    .expect("addr")
}

/// Every file under `dir`, for secret scans.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// The files under `dir` that contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|path| {
            std::fs::read(path)
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}
