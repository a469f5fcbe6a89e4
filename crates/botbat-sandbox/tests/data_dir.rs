//! A data dir whose path holds `?`, `#`, `%` and spaces: the sandbox keeps its database at
//! exactly that path, and its state survives a restart.

use botbat_sandbox::{SandboxConfig, DB_FILE};
use serde_json::{json, Value};

const ODD: &str = "we?ird #dir% name";

fn config(dir: &std::path::Path) -> SandboxConfig {
    SandboxConfig::new("127.0.0.1:0".parse().expect("loopback"), dir)
}

#[tokio::test]
async fn state_survives_a_restart_in_a_data_dir_with_url_characters() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join(ODD);
    let http = reqwest::Client::new();

    let first = botbat_sandbox::start(config(&dir))
        .await
        .expect("starts in the odd dir");
    let admin = first.generated_admin_key.clone().expect("first key");
    let created: Value = http
        .post(format!("{}/contacts", first.base_url))
        .bearer_auth(admin.expose())
        .json(&json!({"name": "Grace Hopper", "email": "grace@example.com"}))
        .send()
        .await
        .expect("create")
        .error_for_status()
        .expect("201")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_string();
    first.shutdown().await;

    assert!(
        dir.join(DB_FILE).is_file(),
        "the database is in the odd dir"
    );
    let beside: Vec<String> = std::fs::read_dir(root.path())
        .expect("root")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        beside,
        vec![ODD.to_string()],
        "nothing outside the data dir"
    );

    let second = botbat_sandbox::start(config(&dir)).await.expect("restarts");
    assert!(
        second.generated_admin_key.is_none(),
        "the same database: its key already exists"
    );
    let read: Value = http
        .get(format!("{}/contacts/{id}", second.base_url))
        .bearer_auth(admin.expose())
        .send()
        .await
        .expect("read")
        .error_for_status()
        .expect("200")
        .json()
        .await
        .expect("json");
    assert_eq!(read["name"], "Grace Hopper");
    second.shutdown().await;
}
