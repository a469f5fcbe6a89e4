//! Metering never loses a request: 20,000 requests give 20,000 rows in the usage log, even
//! when the database refuses the writer's batches for a while.

mod common;

use std::sync::Arc;

use common::TestSandbox;
use reqwest::StatusCode;
use sqlx::Connection;

const WORKERS: usize = 16;

/// Sends `count` requests over `WORKERS` connections and checks each is answered 200.
async fn load(sb: &TestSandbox, key: &str, count: usize) {
    let url: Arc<str> = Arc::from(format!("{}/rate_limits", sb.base()));
    let key: Arc<str> = Arc::from(key);
    let mut tasks = Vec::new();
    for worker in 0..WORKERS {
        let (http, url, key) = (sb.http.clone(), url.clone(), key.clone());
        let share = count / WORKERS + usize::from(worker < count % WORKERS);
        tasks.push(tokio::spawn(async move {
            for _ in 0..share {
                let response = http
                    .get(&*url)
                    .bearer_auth(&*key)
                    .send()
                    .await
                    .expect("request");
                assert_eq!(response.status(), StatusCode::OK);
                response.bytes().await.expect("body");
            }
        }));
    }
    for task in tasks {
        task.await.expect("worker");
    }
}

#[tokio::test]
async fn twenty_thousand_requests_give_twenty_thousand_rows_through_failed_writes() {
    let sb = TestSandbox::unlimited().await;
    let (key_id, key) = sb.create_key("load", &["usage:read"]).await;

    // Take the request log away, so that every batch written meanwhile fails, as on a
    // database that refuses writes for a while; the queue holds the records until it is back.
    let path = sb.dir.path().join(botbat_sandbox::DB_FILE);
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("the sandbox database opens");
    sqlx::query("ALTER TABLE usage_requests RENAME TO usage_requests_away")
        .execute(&mut db)
        .await
        .expect("rename");
    load(&sb, &key, 5_000).await;
    sqlx::query("ALTER TABLE usage_requests_away RENAME TO usage_requests")
        .execute(&mut db)
        .await
        .expect("rename back");
    load(&sb, &key, 15_000).await;

    let page = sb
        .get(
            &format!("/usage/requests?key_id={key_id}&limit=1"),
            &sb.admin,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(page.body["total"], 20_000);
}

/// Sends `GET /v1/rate_limits` with `user_agent` and returns the request id it was answered
/// with.
async fn call_as(sb: &TestSandbox, key: &str, user_agent: &str) -> String {
    let response = sb
        .http
        .get(format!("{}/rate_limits", sb.base()))
        .bearer_auth(key)
        .header(reqwest::header::USER_AGENT, user_agent)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an X-Request-Id")
        .to_string()
}

#[tokio::test]
async fn the_consoles_own_requests_are_marked_and_can_be_left_out() {
    let sb = TestSandbox::unlimited().await;
    let (key_id, key) = sb.create_key("marked", &["usage:read"]).await;
    let console = call_as(&sb, &key, botbat_api::CONSOLE_USER_AGENT).await;
    let try_it = call_as(
        &sb,
        &key,
        &format!("{} (try-it)", botbat_api::CONSOLE_USER_AGENT),
    )
    .await;
    let cli = call_as(&sb, &key, "botbat-cli/0.1.0").await;
    let plain = call_as(&sb, &key, "curl/8.5.0").await;
    // The console's client, as the console builds it, is the console's; the same client
    // identified as the CLI is not.
    let config = botbat_api::ClientConfig::new(
        &sb.base(),
        Some(botbat_secrets::Sensitive::new(key.clone())),
    )
    .expect("config");
    let client = botbat_api::Client::new(config).expect("client");
    let from_client = client.rate_limits().await.expect("rate limits").request_id;
    let from_cli = client
        .identified_as("botbat-cli/0.1.0")
        .rate_limits()
        .await
        .expect("rate limits")
        .request_id;

    let page = sb
        .get(
            &format!("/usage/requests?key_id={key_id}&limit=100"),
            &sb.admin,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let marked = |id: &Option<String>| -> bool {
        let id = id.as_deref().expect("a request id");
        let row = page.body["data"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["request_id"] == id)
            .unwrap_or_else(|| panic!("{id} is in the log: {}", page.text));
        row["console"].as_bool().expect("console is a boolean")
    };
    assert!(marked(&Some(console.clone())));
    assert!(marked(&from_client));
    for user in [&try_it, &cli, &plain] {
        assert!(!marked(&Some(user.clone())), "{user} is the user's");
    }
    assert!(!marked(&from_cli));

    let theirs = sb
        .get(
            &format!("/usage/requests?key_id={key_id}&console=false"),
            &sb.admin,
        )
        .await;
    let ids: Vec<&str> = theirs.body["data"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["request_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 4, "{}", theirs.text);
    assert!(!ids.contains(&console.as_str()));

    for (filter, requests) in [("", 6), ("&console=false", 4), ("&console=true", 2)] {
        let summary = sb
            .get(
                &format!("/usage/summary?key_id={key_id}{filter}"),
                &sb.admin,
            )
            .await;
        assert_eq!(
            summary.body["requests"], requests,
            "{filter}: {}",
            summary.text
        );
    }
}
