//! Conversations over real HTTP: opened by a contact writing in (the sandbox's inbound
//! simulator), joined by replies, assigned and resolved, with the 409s for resolved ones.

mod common;

use common::TestSandbox;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn inbound_messages_open_conversations_that_are_assigned_and_resolved() {
    let sb = TestSandbox::fast().await;
    let first = sb
        .post(
            "/sandbox/inbound",
            &sb.admin,
            json!({"from": "+447700900777", "channel": "whatsapp", "body": "Where is my order?"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["created_conversation"], true);
    let conversation = first.body["conversation_id"]
        .as_str()
        .expect("id")
        .to_string();
    let contact = first.body["contact_id"]
        .as_str()
        .expect("contact")
        .to_string();
    assert_eq!(
        sb.get(&format!("/contacts/{contact}"), &sb.admin)
            .await
            .body["phone"],
        "+447700900777",
        "an unknown number becomes a contact"
    );

    let reply = sb
        .post(
            "/messages/send",
            &sb.admin,
            json!({"contact_id": contact, "channel": "whatsapp", "body": "It ships today."}),
        )
        .await;
    assert_eq!(reply.body["conversation_id"], conversation.as_str());
    let second = sb
        .post(
            "/sandbox/inbound",
            &sb.admin,
            json!({"from": "+447700900777", "channel": "whatsapp", "body": "Thanks!"}),
        )
        .await;
    assert_eq!(second.body["created_conversation"], false);
    assert_eq!(second.body["conversation_id"], conversation.as_str());

    let detail = sb
        .get(&format!("/conversations/{conversation}"), &sb.admin)
        .await;
    let history: Vec<(&str, &str)> = detail.body["messages"]
        .as_array()
        .expect("history")
        .iter()
        .map(|m| {
            (
                m["direction"].as_str().unwrap_or(""),
                m["body"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("inbound", "Where is my order?"),
            ("outbound", "It ships today."),
            ("inbound", "Thanks!")
        ]
    );
    assert_eq!(detail.body["status"], "open");

    let assigned = sb
        .post(
            &format!("/conversations/{conversation}/assign"),
            &sb.admin,
            json!({"assignee": "grace@example.com"}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    assert_eq!(assigned.body["status"], "assigned");
    let mine = sb
        .get("/conversations?assignee=grace@example.com", &sb.admin)
        .await;
    assert_eq!(mine.body["total"], 1);
    assert_eq!(
        sb.get("/conversations?status=open", &sb.admin).await.body["total"],
        0
    );

    let resolved = sb
        .post(
            &format!("/conversations/{conversation}/resolve"),
            &sb.admin,
            json!({}),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK);
    assert!(resolved.body["resolved_at"].is_string());
    let again = sb
        .post(
            &format!("/conversations/{conversation}/resolve"),
            &sb.admin,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let reassign = sb
        .post(
            &format!("/conversations/{conversation}/assign"),
            &sb.admin,
            json!({"assignee": "alan"}),
        )
        .await;
    assert_eq!(reassign.status, StatusCode::CONFLICT);

    let next = sb
        .post(
            "/sandbox/inbound",
            &sb.admin,
            json!({"from": "+447700900777", "channel": "whatsapp", "body": "One more thing"}),
        )
        .await;
    assert_eq!(next.body["created_conversation"], true);
    assert_ne!(next.body["conversation_id"], conversation.as_str());

    let events = sb.get("/events?limit=100", &sb.admin).await;
    let types: Vec<&str> = events.body["data"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    for expected in [
        "conversation.created",
        "conversation.assigned",
        "conversation.resolved",
        "message.received",
        "contact.created",
    ] {
        assert!(types.contains(&expected), "{expected} in {types:?}");
    }

    let bad = sb
        .post(
            "/sandbox/inbound",
            &sb.admin,
            json!({"from": "0777", "channel": "whatsapp", "body": ""}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.body["error"]["details"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        sb.get("/conversations/conv_nope", &sb.admin).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sb.get("/conversations?status=closed", &sb.admin)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
