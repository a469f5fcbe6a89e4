//! One server per embedded-sandbox data dir, whichever process (the window or `botbat`)
//! gets there first.
//!
//! Two servers on one SQLite data dir would each run a scheduler and a webhook dispatcher
//! and deliver every event twice. So the process that serves holds an exclusive advisory
//! lock on `<sandbox dir>/serve.lock` for as long as it serves, and writes its URL and pid
//! to `serve.json` beside it. Any other process that opens the profile finds the lock
//! taken, reads the URL and becomes a client of that server. The OS releases the lock when
//! the serving process ends, however it ends, so a runtime file left by a crash is
//! recognised as stale by the next process that takes the lock, and replaced.
//!
//! A client that keeps running (the window, `botbat listen`) follows the server: when the
//! lock frees up it serves the data dir itself, on the same port if that port is free, so
//! other clients keep their URL. Until then a request to a server that is gone fails as
//! unreachable and the next one goes to the new server.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botbat_sandbox::RunningSandbox;
use botbat_secrets::SecretStore;
use chrono::{DateTime, Utc};
use fs4::{FileExt, TryLockError};
use serde::{Deserialize, Serialize};

use crate::embedded::start_embedded_sandbox_on;
use crate::SandboxState;

/// Held exclusively by the process that serves the data dir.
pub const SERVE_LOCK: &str = "serve.lock";
/// The serving process's URL and pid.
pub const SERVE_RECORD: &str = "serve.json";
/// The port this data dir's sandbox last served on, kept after it stops so the next start
/// takes the same one when it is free: copied cURL commands and saved URLs keep working.
pub const LAST_PORT: &str = "last-port";
/// How long a process waits for the lock holder to publish its URL.
const ATTACH_WAIT: Duration = Duration::from_secs(20);
/// How often a client checks whether the server it uses is still the one serving.
const FOLLOW_EVERY: Duration = Duration::from_millis(500);

/// Who serves a data dir, as written in [`SERVE_RECORD`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServeRecord {
    /// e.g. `http://127.0.0.1:40123/v1`
    pub base_url: String,
    pub pid: u32,
    /// `botbat-console` (the window) or `botbat`.
    pub program: String,
    pub started_at: DateTime<Utc>,
}

/// This process's part in serving the data dir.
#[derive(Debug, Clone, PartialEq)]
pub enum SandboxRole {
    Serving,
    /// Another process serves it; this one sends its requests there.
    Client(ServeRecord),
}

/// Told when the sandbox this process uses changes (a client took over serving, or the
/// server it follows was replaced).
pub type SandboxListener = Arc<dyn Fn(SandboxState) + Send + Sync>;

struct Served {
    running: RunningSandbox,
    /// What this process wrote to the runtime file.
    record: ServeRecord,
    /// Holding the open file holds the lock.
    lock_file: File,
}

struct View {
    role: SandboxRole,
    state: SandboxState,
}

/// The embedded sandbox of a profile, served here or used from another process.
pub struct SharedSandbox {
    dir: PathBuf,
    program: String,
    secrets: Arc<dyn SecretStore>,
    view: Arc<Mutex<View>>,
    served: Arc<tokio::sync::Mutex<Option<Served>>>,
    follower: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Reads the runtime file, if there is a readable one.
pub fn read_record(dir: &Path) -> Option<ServeRecord> {
    let bytes = std::fs::read(dir.join(SERVE_RECORD)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Replaces `dir/name` whole (creating `dir` on a fresh profile): written beside it under
/// this process's name and flushed to disk, then renamed over it, so a reader never sees
/// half a file and a crash leaves the old file or the new one.
pub(crate) fn replace_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(name);
    let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    written.map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_record(dir: &Path, record: &ServeRecord) -> Result<(), String> {
    let text = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
    replace_file(dir, SERVE_RECORD, &text)
}

/// Whether a process with this id exists. Where that cannot be asked, assume it does: the
/// lock, not the pid, decides who serves.
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

fn port_of(base_url: &str) -> Option<u16> {
    url::Url::parse(base_url).ok()?.port()
}

/// The port written in [`LAST_PORT`], if there is a readable one.
fn last_port(dir: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(dir.join(LAST_PORT)).ok()?;
    text.trim().parse().ok().filter(|port| *port != 0)
}

/// Remembers the port for the next start. Losing it only costs a new port, so a failure is
/// logged, not raised.
fn remember_port(dir: &Path, base_url: &str) {
    let Some(port) = port_of(base_url) else {
        return;
    };
    if let Err(error) = replace_file(dir, LAST_PORT, port.to_string().as_bytes()) {
        tracing::warn!(%error, "cannot remember the sandbox's port; the next start may take another");
    }
}

/// Takes the lock and starts serving, or `None` when another process holds it.
async fn try_serve(
    dir: &Path,
    secrets: &Arc<dyn SecretStore>,
    program: &str,
    port: Option<u16>,
) -> Result<Option<(Served, ServeRecord)>, String> {
    let path = dir.join(SERVE_LOCK);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(None),
        Err(TryLockError::Error(error)) => {
            return Err(format!("cannot lock {}: {error}", path.display()))
        }
    }
    if let Some(stale) = read_record(dir) {
        tracing::info!(pid = stale.pid, program = %stale.program, "replacing the runtime file of a server that is gone");
    }
    let started = match port.or_else(|| last_port(dir)) {
        Some(port) => match start_embedded_sandbox_on(dir, secrets, port).await {
            Ok(started) => Ok(started),
            Err(error) => {
                tracing::info!(port, %error, "the sandbox's last port is taken; serving on a new one");
                start_embedded_sandbox_on(dir, secrets, 0).await
            }
        },
        None => start_embedded_sandbox_on(dir, secrets, 0).await,
    }?;
    remember_port(dir, &started.running.base_url);
    let record = ServeRecord {
        base_url: started.running.base_url.clone(),
        pid: std::process::id(),
        program: program.to_string(),
        started_at: Utc::now(),
    };
    if let Err(error) = write_record(dir, &record) {
        started.running.shutdown().await;
        return Err(error);
    }
    Ok(Some((
        Served {
            running: started.running,
            record: record.clone(),
            lock_file: file,
        },
        record,
    )))
}

fn state_for(dir: &Path, base_url: &str) -> SandboxState {
    SandboxState {
        running: true,
        base_url: Some(base_url.to_string()),
        data_dir: Some(dir.display().to_string()),
        error: None,
    }
}

impl SharedSandbox {
    /// Serves the sandbox data dir `dir`, or becomes a client of the process that already
    /// does. `program` names this process in the runtime file.
    pub async fn open(
        dir: &Path,
        secrets: Arc<dyn SecretStore>,
        program: &str,
    ) -> Result<Self, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let deadline = Instant::now() + ATTACH_WAIT;
        let (role, served, base_url) = loop {
            if let Some((served, record)) = try_serve(dir, &secrets, program, None).await? {
                break (SandboxRole::Serving, Some(served), record.base_url);
            }
            match read_record(dir) {
                Some(record) if alive(record.pid) => {
                    let url = record.base_url.clone();
                    break (SandboxRole::Client(record), None, url);
                }
                _ if Instant::now() >= deadline => {
                    return Err(format!(
                        "another process holds {} but has not published its URL in {} s",
                        dir.join(SERVE_LOCK).display(),
                        ATTACH_WAIT.as_secs()
                    ))
                }
                // The holder is still starting: its runtime file comes next.
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            program: program.to_string(),
            secrets,
            view: Arc::new(Mutex::new(View {
                role,
                state: state_for(dir, &base_url),
            })),
            served: Arc::new(tokio::sync::Mutex::new(served)),
            follower: Mutex::new(None),
        })
    }

    pub fn role(&self) -> SandboxRole {
        lock(&self.view).role.clone()
    }

    pub fn state(&self) -> SandboxState {
        lock(&self.view).state.clone()
    }

    pub fn base_url(&self) -> String {
        self.state().base_url.unwrap_or_default()
    }

    /// Keeps following the server while this process is a client: when another process
    /// starts serving in its place, or when the lock frees up and this process takes over,
    /// `listener` hears the new state. Does nothing while this process serves.
    pub fn follow(&self, listener: SandboxListener) {
        let dir = self.dir.clone();
        let program = self.program.clone();
        let secrets = self.secrets.clone();
        let view = self.view.clone();
        let served = self.served.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(FOLLOW_EVERY).await;
                let current = lock(&view).role.clone();
                let SandboxRole::Client(record) = current else {
                    continue;
                };
                let port = port_of(&record.base_url);
                match try_serve(&dir, &secrets, &program, port).await {
                    Ok(Some((server, record))) => {
                        tracing::info!(base_url = %record.base_url, "the sandbox's server ended; serving it here");
                        *served.lock().await = Some(server);
                        let state = state_for(&dir, &record.base_url);
                        {
                            let mut view = lock(&view);
                            view.role = SandboxRole::Serving;
                            view.state = state.clone();
                        }
                        listener(state);
                    }
                    Ok(None) => {
                        if let Some(now) = read_record(&dir).filter(|r| *r != record) {
                            let state = state_for(&dir, &now.base_url);
                            {
                                let mut view = lock(&view);
                                view.role = SandboxRole::Client(now);
                                view.state = state.clone();
                            }
                            listener(state);
                        }
                    }
                    Err(error) => tracing::warn!(%error, "cannot take over the sandbox"),
                }
            }
        });
        if let Some(old) = lock(&self.follower).replace(task) {
            old.abort();
        }
    }

    /// Stops serving (flushing the sandbox's metering), removes the runtime file and
    /// releases the lock; a client just stops following.
    pub async fn shutdown(&self) {
        if let Some(task) = lock(&self.follower).take() {
            task.abort();
        }
        if let Some(served) = self.served.lock().await.take() {
            served.running.shutdown().await;
            if read_record(&self.dir).as_ref() == Some(&served.record) {
                let _ = std::fs::remove_file(self.dir.join(SERVE_RECORD));
            }
            drop(served.lock_file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botbat_secrets::MemoryStore;

    #[tokio::test]
    async fn a_second_opener_becomes_a_client_and_takes_over_when_the_server_ends() {
        let dir = tempfile::tempdir().expect("dir");
        let sandbox_dir = dir.path().join("sandbox");
        let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let first = SharedSandbox::open(&sandbox_dir, secrets.clone(), "first")
            .await
            .expect("serves");
        assert_eq!(first.role(), SandboxRole::Serving);
        let second = SharedSandbox::open(&sandbox_dir, secrets.clone(), "second")
            .await
            .expect("attaches");
        let SandboxRole::Client(record) = second.role() else {
            panic!("the second opener must not serve");
        };
        assert_eq!(record.program, "first");
        assert_eq!(second.base_url(), first.base_url());

        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        second.follow(Arc::new(move |state| {
            let _ = tx.send(state);
        }));
        let url = first.base_url();
        first.shutdown().await;
        let state = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("taken over in time")
            .expect("a state");
        assert_eq!(second.role(), SandboxRole::Serving);
        assert_eq!(state.base_url.as_deref(), Some(url.as_str()), "same port");
        assert_eq!(read_record(&sandbox_dir).expect("record").program, "second");
        second.shutdown().await;
        assert!(read_record(&sandbox_dir).is_none());
    }

    #[tokio::test]
    async fn a_restart_serves_on_the_same_port_and_moves_only_when_it_is_taken() {
        let dir = tempfile::tempdir().expect("dir");
        let sandbox_dir = dir.path().join("sandbox");
        let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let first = SharedSandbox::open(&sandbox_dir, secrets.clone(), "first")
            .await
            .expect("serves");
        let url = first.base_url();
        first.shutdown().await;

        let again = SharedSandbox::open(&sandbox_dir, secrets.clone(), "again")
            .await
            .expect("serves again");
        assert_eq!(again.base_url(), url, "a restart keeps the port");
        // The sandbox itself answers there: an unauthenticated call gets its 401.
        let answer = reqwest::get(format!("{url}/me")).await.expect("answers");
        assert_eq!(answer.status(), reqwest::StatusCode::UNAUTHORIZED);
        again.shutdown().await;

        // Someone else took the port meanwhile: the sandbox moves, and remembers where.
        let port = port_of(&url).expect("a port");
        let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).expect("take the port");
        let moved = SharedSandbox::open(&sandbox_dir, secrets.clone(), "moved")
            .await
            .expect("serves elsewhere");
        assert_ne!(moved.base_url(), url);
        assert_eq!(last_port(&sandbox_dir), port_of(&moved.base_url()));
        moved.shutdown().await;
        drop(squatter);
    }

    #[tokio::test]
    async fn a_runtime_file_without_a_lock_holder_is_stale() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir_all(dir.path()).expect("dir");
        write_record(
            dir.path(),
            &ServeRecord {
                base_url: "http://127.0.0.1:9/v1".into(),
                pid: u32::MAX - 1,
                program: "crashed".into(),
                started_at: Utc::now(),
            },
        )
        .expect("written");
        let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
        let sandbox = SharedSandbox::open(dir.path(), secrets, "next")
            .await
            .expect("serves");
        assert_eq!(sandbox.role(), SandboxRole::Serving);
        assert_ne!(sandbox.base_url(), "http://127.0.0.1:9/v1");
        sandbox.shutdown().await;
    }
}
