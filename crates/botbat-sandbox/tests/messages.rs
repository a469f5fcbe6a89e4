//! Messages over real HTTP: per-field 422s, approved templates only, the delivery timeline
//! on the sandbox clock, and the recipient conventions (…0000 fails, …1111 is never read).

mod common;

use botbat_api::Plan;
use common::TestSandbox;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn contact(sb: &TestSandbox, name: &str, phone: Option<&str>) -> String {
    let reply = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": name, "phone": phone}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["id"].as_str().expect("id").to_string()
}

async fn advance(sb: &TestSandbox, seconds: i64) {
    let moved = sb
        .post("/sandbox/clock", &sb.admin, json!({"seconds": seconds}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
}

async fn message(sb: &TestSandbox, id: &str) -> Value {
    let reply = sb.get(&format!("/messages/{id}"), &sb.admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body
}

fn detail_fields(reply: &common::Reply) -> Vec<String> {
    reply.body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|i| i["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_message_moves_through_its_timeline_and_conventions_decide_the_outcome() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let reader = contact(&sb, "Reads everything", Some("+14155550123")).await;
    let failing = contact(&sb, "Unreachable", Some("+14155550000")).await;
    let unread = contact(&sb, "Never reads", Some("+14155551111")).await;
    let mut ids = Vec::new();
    for id in [&reader, &failing, &unread] {
        let sent = sb
            .post(
                "/messages/send",
                &sb.admin,
                json!({"contact_id": id, "channel": "sms", "body": "Your code is 4242"}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
        assert_eq!(sent.body["status"], "queued");
        assert!(sent.body["id"]
            .as_str()
            .is_some_and(|m| m.starts_with("msg_")));
        ids.push(sent.body["id"].as_str().expect("id").to_string());
    }
    advance(&sb, 1).await;
    assert_eq!(message(&sb, &ids[0]).await["status"], "sent");
    let failed = message(&sb, &ids[1]).await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["failure_reason"]
        .as_str()
        .is_some_and(|r| r.contains("0000")));
    assert!(failed["sent_at"].is_null());

    advance(&sb, 1).await;
    assert_eq!(message(&sb, &ids[0]).await["status"], "delivered");
    advance(&sb, 5).await;
    let read = message(&sb, &ids[0]).await;
    assert_eq!(read["status"], "read");
    for step in ["queued_at", "sent_at", "delivered_at", "read_at"] {
        assert!(read[step].is_string(), "{step} recorded");
    }
    let never_read = message(&sb, &ids[2]).await;
    assert_eq!(never_read["status"], "delivered");
    assert!(never_read["read_at"].is_null());
}

#[tokio::test]
async fn only_approved_templates_with_their_variables_can_be_sent() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let to = contact(&sb, "Ada", Some("+447700900123")).await;
    let tpl = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "order_shipped", "language": "en", "category": "utility", "body": "Hi {{1}}, order {{2}} shipped."}),
        )
        .await;
    let tpl_id = tpl.body["id"].as_str().expect("id").to_string();
    let send = |variables: Value| json!({"contact_id": to, "channel": "whatsapp", "template_id": tpl_id, "variables": variables});
    let draft = sb
        .post("/messages/send", &sb.admin, send(json!(["Ada", "A-1"])))
        .await;
    assert_eq!(draft.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        draft.text.contains("only approved templates"),
        "{}",
        draft.text
    );

    sb.post(&format!("/templates/{tpl_id}/submit"), &sb.admin, json!({}))
        .await;
    advance(&sb, 6).await;
    let short = sb
        .post("/messages/send", &sb.admin, send(json!(["Ada"])))
        .await;
    assert_eq!(detail_fields(&short), ["variables"]);
    let sent = sb
        .post("/messages/send", &sb.admin, send(json!(["Ada", "A-1"])))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    assert_eq!(sent.body["body"], "Hi Ada, order A-1 shipped.");

    let sms_template = sb
        .post("/messages/send", &sb.admin, json!({"contact_id": to, "channel": "sms", "template_id": tpl_id, "variables": ["a", "b"]}))
        .await;
    assert_eq!(detail_fields(&sms_template), ["template_id"]);
}

#[tokio::test]
async fn every_invalid_field_gets_its_own_detail() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let no_phone = contact(&sb, "Email only", None).await;
    let both = sb
        .post("/messages/send", &sb.admin, json!({"contact_id": "ct_missing", "channel": "whatsapp", "template_id": "tpl_x", "body": "hi"}))
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(detail_fields(&both), ["contact_id", "template_id"]);
    let neither = sb
        .post(
            "/messages/send",
            &sb.admin,
            json!({"contact_id": no_phone, "channel": "sms"}),
        )
        .await;
    assert_eq!(detail_fields(&neither), ["contact_id", "template_id"]);
    let channel = sb
        .post(
            "/messages/send",
            &sb.admin,
            json!({"contact_id": no_phone, "channel": "telegram", "body": "hi"}),
        )
        .await;
    assert_eq!(detail_fields(&channel), ["channel"]);
    let long_sms = sb
        .post(
            "/messages/send",
            &sb.admin,
            json!({"contact_id": no_phone, "channel": "sms", "body": "x".repeat(1601)}),
        )
        .await;
    assert_eq!(detail_fields(&long_sms), ["contact_id", "body"]);
    let missing = sb.get("/messages/msg_missing", &sb.admin).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let (_, reader) = sb.create_key("reader", &["messages:read"]).await;
    let denied = sb
        .post(
            "/messages/send",
            &reader,
            json!({"contact_id": no_phone, "channel": "sms", "body": "hi"}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(denied.message().contains("messages:send"));
}
