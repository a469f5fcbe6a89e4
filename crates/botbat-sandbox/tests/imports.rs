//! Contact import over real HTTP: a multipart CSV becomes a job whose progress, counts and
//! per-line reasons are polled at /v1/jobs/{id}; bad uploads get clear errors.

mod common;

use common::{eventually, TestSandbox};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn upload(sb: &TestSandbox, csv: Vec<u8>) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(csv)
            .file_name("contacts.csv")
            .mime_str("text/csv")
            .expect("mime"),
    );
    let response = sb
        .http
        .post(format!("{}/contacts/import", sb.base()))
        .bearer_auth(&sb.admin)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_import_reports_each_skipped_row_with_its_reason() {
    let sb = TestSandbox::fast().await;
    let existing = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Old", "phone": "+447700900999"}),
        )
        .await;
    assert_eq!(existing.status, StatusCode::CREATED);
    let csv = "name,email,phone,segment,tags\n\
               Ada,ada@example.com,+447700900123,vip,newsletter;q4\n\
               \"Lovelace, Ada\",,+447700900124,,\n\
               Bad Phone,,07700 900125,,\n\
               Dup,,+447700900999,,\n\
               ,nobody@example.com,,,\n\
               Dup Within,,+447700900123,,\n\
               No Contact,,,,\n";
    let (status, job) = upload(&sb, csv.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["total_rows"], 7);
    let id = job["id"].as_str().expect("job id");
    let done = eventually(&sb, &format!("/jobs/{id}"), 10, |b| {
        b["status"] == "completed"
    })
    .await;
    assert_eq!(done["imported"], 2, "{done}");
    assert_eq!(done["skipped"], 5);
    assert_eq!(done["processed_rows"], 7);
    let lines: Vec<i64> = done["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["line"].as_i64())
        .collect();
    assert_eq!(lines, [4, 5, 6, 7, 8]);
    let reasons: Vec<String> = done["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["reason"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(reasons[0].contains("E.164"), "{reasons:?}");
    assert!(reasons[1].starts_with("duplicate"), "{reasons:?}");
    assert!(reasons[2].contains("name"), "{reasons:?}");
    assert!(reasons[3].starts_with("duplicate"), "{reasons:?}");
    assert!(reasons[4].contains("phone or an email"), "{reasons:?}");

    let vip = sb.get("/contacts?segment=vip&tag=q4", &sb.admin).await;
    assert_eq!(vip.body["total"], 1);
    let quoted = sb
        .get("/contacts/search?q=%2B447700900124", &sb.admin)
        .await;
    assert_eq!(quoted.body["data"][0]["name"], "Lovelace, Ada");
    let events = sb.get("/events?type=import.completed", &sb.admin).await;
    assert_eq!(events.body["data"][0]["data"]["id"], id);
}

#[tokio::test]
async fn bad_uploads_say_what_to_fix() {
    let sb = TestSandbox::fast().await;
    let (status, body) = upload(&sb, b"email,phone\nx@example.com,+447700900123\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["details"][0]["field"], "file");
    assert!(body["error"]["details"][0]["issue"]
        .as_str()
        .expect("issue")
        .contains("name"));

    let json_body = sb
        .post("/contacts/import", &sb.admin, json!({"file": "x"}))
        .await;
    assert_eq!(json_body.status, StatusCode::BAD_REQUEST);
    assert!(json_body.message().contains("multipart/form-data"));

    let form = Form::new().text("other", "x");
    let response = sb
        .http
        .post(format!("{}/contacts/import", sb.base()))
        .bearer_auth(&sb.admin)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let mut huge = b"name,phone\n".to_vec();
    huge.resize(11 * 1024 * 1024, b'a');
    let (status, body) = upload(&sb, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large");

    assert_eq!(
        sb.get("/jobs/job_nope", &sb.admin).await.status,
        StatusCode::NOT_FOUND
    );
    let (_, reader) = sb.create_key("reader", &["contacts:read"]).await;
    let form = Form::new().part("file", Part::bytes(b"name,phone\n".to_vec()));
    let denied = sb
        .http
        .post(format!("{}/contacts/import", sb.base()))
        .bearer_auth(&reader)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}
