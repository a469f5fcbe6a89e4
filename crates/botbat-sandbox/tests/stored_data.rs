//! Stored data the sandbox never writes (an unknown status, malformed JSON, a clock offset
//! that is not a number), planted in the real SQLite file of a data dir: reading it is an
//! error that names what is wrong, never a default standing in for it.

mod common;

use botbat_api::Plan;
use botbat_sandbox::{SandboxConfig, DB_FILE};
use common::TestSandbox;
use reqwest::StatusCode;
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;

/// A second connection to the running sandbox's file, as a hand edit would be.
async fn open(sb: &TestSandbox) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(sb.dir.path().join(DB_FILE))
        .busy_timeout(std::time::Duration::from_secs(5));
    SqlitePool::connect_with(options)
        .await
        .expect("the data dir's SQLite file opens")
}

async fn plant(db: &SqlitePool, sql: &str, id: &str) {
    let changed = sqlx::query(sql)
        .bind(id)
        .execute(db)
        .await
        .expect("planted")
        .rows_affected();
    assert_eq!(changed, 1, "{sql} changed no row");
}

/// Stops the sandbox and starts it again on its data dir, which must fail; the error.
async fn restart_error(mut sb: TestSandbox, planted: &str) -> String {
    if let Some(sandbox) = sb.sandbox.take() {
        sandbox.shutdown().await;
    }
    let config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), sb.dir.path());
    match botbat_sandbox::start(config).await {
        Ok(_) => panic!("started with {planted}"),
        Err(error) => format!("{error:#}"),
    }
}

fn assert_unreadable(reply: &common::Reply, column: &str, value: &str) {
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.text
    );
    assert_eq!(reply.code(), "internal_error", "{}", reply.text);
    let message = reply.message();
    assert!(message.contains("cannot read its stored data"), "{message}");
    assert!(message.contains(&format!("\"{column}\"")), "{message}");
    assert!(message.contains(value), "{message}");
}

#[tokio::test]
async fn an_unknown_stored_status_is_an_error_not_a_default() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let draft = sb
        .post(
            "/campaigns",
            &sb.admin,
            json!({"name": "Spring", "segment": "vip", "channel": "sms", "body": "Hello"}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let id = draft.body["id"].as_str().expect("id").to_string();

    let db = open(&sb).await;
    plant(
        &db,
        "UPDATE campaigns SET status = 'archived' WHERE id = ?",
        &id,
    )
    .await;

    let one = sb.get(&format!("/campaigns/{id}"), &sb.admin).await;
    assert_unreadable(&one, "status", "archived");
    let list = sb.get("/campaigns", &sb.admin).await;
    assert_unreadable(&list, "status", "archived");
    let deleted = sb
        .call(
            reqwest::Method::DELETE,
            &format!("/campaigns/{id}"),
            Some(sb.admin.as_str()),
            None,
        )
        .await;
    assert_unreadable(&deleted, "status", "archived");

    plant(
        &db,
        "UPDATE campaigns SET status = 'draft' WHERE id = ?",
        &id,
    )
    .await;
    let repaired = sb.get(&format!("/campaigns/{id}"), &sb.admin).await;
    assert_eq!(repaired.status, StatusCode::OK, "{}", repaired.text);
    assert_eq!(repaired.body["status"], "draft");
}

#[tokio::test]
async fn malformed_stored_json_is_an_error_not_an_empty_list() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let created = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Ada", "phone": "+447700900123", "tags": ["newsletter"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_string();

    let db = open(&sb).await;
    plant(
        &db,
        "UPDATE contacts SET tags = 'newsletter' WHERE id = ?",
        &id,
    )
    .await;

    let one = sb.get(&format!("/contacts/{id}"), &sb.admin).await;
    assert_unreadable(&one, "tags", "at line 1 column");
    assert!(
        !one.text.contains("\"tags\":[]"),
        "no empty default: {}",
        one.text
    );
}

#[tokio::test]
async fn a_stored_clock_offset_that_is_not_a_number_stops_the_start() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let db = open(&sb).await;
    sqlx::query("INSERT INTO meta (key, value) VALUES ('clock_offset_ms', 'soon')")
        .execute(&db)
        .await
        .expect("planted");
    db.close().await;
    let error = restart_error(sb, "an unreadable clock offset, as if it were 0").await;
    assert!(error.contains("\"soon\""), "{error}");
    assert!(error.contains("clock_offset_ms"), "{error}");
}

#[tokio::test]
async fn a_key_with_unreadable_scopes_stops_the_start() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (id, _secret) = sb.create_key("CRM", &["contacts:read"]).await;
    let db = open(&sb).await;
    plant(
        &db,
        "UPDATE api_keys SET scopes = '[\"contacts:raed\"]' WHERE id = ?",
        &id,
    )
    .await;
    db.close().await;
    let error = restart_error(sb, "a key whose scopes cannot be read, as if it had none").await;
    assert!(error.contains("scopes"), "{error}");
    assert!(error.contains("contacts:raed"), "{error}");
}
