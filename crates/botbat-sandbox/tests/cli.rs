//! The `botbat-sandbox` binary as a team runs it: it prints its base URL when ready, takes
//! its bootstrap key from the environment or prints a generated one once, and keeps its
//! state in the data dir across restarts.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(data_dir: &std::path::Path, admin_key: Option<&str>) -> (Server, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_botbat-sandbox"));
    command
        .args([
            "--listen",
            "127.0.0.1:0",
            "--plan",
            "professional",
            "--data-dir",
        ])
        .arg(data_dir)
        .env_remove("BOTBAT_SANDBOX_ADMIN_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(key) = admin_key {
        command.env("BOTBAT_SANDBOX_ADMIN_KEY", key);
    }
    let mut child = command.spawn().expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    // Read on a thread of its own, so a binary that never gets ready fails the test after a
    // minute instead of hanging it.
    let (sender, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut lines = Vec::new();
    let mut base_url = String::new();
    // The ready line comes last; everything the server says at start-up is above it.
    while base_url.is_empty() {
        let wait = deadline.saturating_duration_since(std::time::Instant::now());
        let Ok(line) = said.recv_timeout(wait) else {
            break;
        };
        if let Some(url) = line.trim().strip_prefix("BotBat sandbox ready: ") {
            base_url = url.to_string();
        }
        lines.push(line.trim().to_string());
    }
    let server = Server { child, lines };
    assert!(
        base_url.starts_with("http://127.0.0.1:"),
        "no ready line within a minute: {:?}",
        server.lines
    );
    (server, base_url)
}

async fn me_status(base_url: &str, key: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{base_url}/me"))
        .bearer_auth(key)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn the_env_key_becomes_the_bootstrap_key_and_state_survives_restarts() {
    let dir = tempfile::tempdir().expect("dir");
    let key = "bb_test_EnvKeyEnvKeyEnvKeyEnvKeyEnvKey12";
    let (server, base_url) = run(dir.path(), Some(key));
    assert!(
        !server.lines.iter().any(|l| l.contains("admin key")),
        "a configured key is not printed: {:?}",
        server.lines
    );
    let (status, me) = me_status(&base_url, key).await;
    assert_eq!(status, 200);
    assert_eq!(me["organization"]["plan"], "professional");
    assert_eq!(
        me["key"]["scopes"].as_array().map(Vec::len),
        Some(botbat_api::Scope::ALL.len())
    );
    assert!(me["key"]["scopes"]
        .as_array()
        .is_some_and(|s| s.contains(&serde_json::json!("sandbox:manage"))));
    drop(server);

    let (server, base_url) = run(dir.path(), None);
    assert!(
        !server.lines.iter().any(|l| l.contains("admin key")),
        "a data dir with keys generates none: {:?}",
        server.lines
    );
    assert_eq!(
        me_status(&base_url, key).await.0,
        200,
        "the key survived the restart"
    );
}

#[tokio::test]
async fn an_empty_data_dir_without_a_key_prints_a_generated_one_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (server, base_url) = run(dir.path(), None);
    let line = server
        .lines
        .iter()
        .find(|l| l.contains("admin key"))
        .cloned()
        .expect("printed");
    let key = line.rsplit(' ').next().expect("key").to_string();
    assert!(key.starts_with("bb_test_") && key.len() == 40, "{line}");
    assert_eq!(me_status(&base_url, &key).await.0, 200);
}
