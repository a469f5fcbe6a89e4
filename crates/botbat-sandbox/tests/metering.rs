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
