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
    let mut args = vec![
        "--listen",
        "127.0.0.1:0",
        "--plan",
        "professional",
        "--data-dir",
    ];
    let dir = data_dir.to_str().expect("a UTF-8 temp dir");
    args.push(dir);
    let env: Vec<(&str, &str)> = admin_key
        .map(|key| ("BOTBAT_SANDBOX_ADMIN_KEY", key))
        .into_iter()
        .collect();
    run_with(&args, &env, "BotBat sandbox ready: ")
}

/// Starts the binary with `args` and `env` (the admin and stand-in key variables cleared
/// first) and waits, at most a minute, for the line starting with `ready`.
fn run_with(args: &[&str], env: &[(&str, &str)], ready: &str) -> (Server, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_botbat-sandbox"));
    command
        .args(args)
        .env_remove("BOTBAT_SANDBOX_ADMIN_KEY")
        .env_remove("BOTBIZ_STANDIN_KEY")
        .env_remove("BOTMAKER_STANDIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
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
        if let Some(url) = line.trim().strip_prefix(ready) {
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

/// The secret printed once after `label`, on the line that says so.
fn printed_secret(server: &Server, label: &str) -> String {
    server
        .lines
        .iter()
        .find_map(|line| line.strip_prefix(label))
        .and_then(|rest| rest.rsplit(' ').next())
        .unwrap_or_else(|| panic!("no {label:?} line in {:?}", server.lines))
        .to_string()
}

#[tokio::test]
async fn the_same_binary_serves_the_botbiz_and_botmaker_stand_ins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().to_str().expect("utf-8");
    let (botbiz, base_url) = run_with(
        &[
            "botbiz",
            "--listen",
            "127.0.0.1:0",
            "--plan",
            "pro",
            "--data-dir",
            data,
        ],
        &[],
        "Botbiz stand-in ready: ",
    );
    assert!(base_url.ends_with("/v1"), "{base_url}");
    let key = printed_secret(&botbiz, "API key (full access) (shown once, store it now):");
    assert!(key.starts_with("bz_"), "{key}");
    let users = reqwest::Client::new()
        .get(format!("{base_url}/users"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("answers");
    assert_eq!(users.status().as_u16(), 200);
    assert_eq!(
        users.headers()["x-ratelimit-limit"],
        "300",
        "the pro plan's limit"
    );

    let (botmaker, base_url) = run_with(
        &[
            "botmaker",
            "--listen",
            "127.0.0.1:0",
            "--per-second",
            "3",
            "--data-dir",
            data,
        ],
        &[],
        "Botmaker stand-in ready: ",
    );
    assert!(base_url.ends_with("/v2.0"), "{base_url}");
    let token = printed_secret(&botmaker, "access-token (shown once, store it now):");
    let channels = reqwest::Client::new()
        .get(format!("{base_url}/channels"))
        .header("access-token", &token)
        .send()
        .await
        .expect("answers");
    assert_eq!(channels.status().as_u16(), 200);
    assert!(
        dir.path().join("botbiz.sqlite").exists() && dir.path().join("botmaker.sqlite").exists()
    );

    let refused = Command::new(env!("CARGO_BIN_EXE_botbat-sandbox"))
        .args(["botbiz", "--plan", "starter"])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("use free (60 a minute), pro (300) or enterprise:"),
        "{said}"
    );
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
