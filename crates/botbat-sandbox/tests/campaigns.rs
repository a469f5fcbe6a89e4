//! Campaigns over real HTTP: drafts, filters, sending now and at `send_at` on the sandbox
//! clock, one message per contact of the segment with counts, and the 409s for sending or
//! deleting a campaign in the wrong state.

mod common;

use common::{advance_clock_and_settle, eventually, TestSandbox};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn contact(sb: &TestSandbox, name: &str, phone: Option<&str>, segment: &str) {
    let reply = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": name, "phone": phone, "email": format!("{name}@example.com"), "segment": segment}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

async fn draft(sb: &TestSandbox, segment: &str) -> String {
    let reply = sb
        .post(
            "/campaigns",
            &sb.admin,
            json!({"name": "Black Friday", "segment": segment, "channel": "sms", "body": "30% off today"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["status"], "draft");
    reply.body["id"].as_str().expect("id").to_string()
}

async fn event_types(sb: &TestSandbox) -> Vec<String> {
    let events = sb.get("/events?limit=100", &sb.admin).await;
    events.body["data"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn sending_messages_every_contact_of_the_segment_and_completes_with_counts() {
    let sb = TestSandbox::fast().await;
    contact(&sb, "ada", Some("+447700900123"), "vip").await;
    contact(&sb, "bob", Some("+447700900000"), "vip").await;
    contact(&sb, "cy", None, "vip").await;
    contact(&sb, "dee", Some("+447700900456"), "other").await;
    let id = draft(&sb, "vip").await;

    let sent = sb
        .post(&format!("/campaigns/{id}/send"), &sb.admin, json!({}))
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text);
    assert_eq!(sent.body["status"], "sending");
    let done = eventually(&sb, &format!("/campaigns/{id}"), 10, |b| {
        b["status"] == "completed"
    })
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["counts"],
        json!({"recipients": 3, "messages": 2, "failed": 1, "skipped": 1})
    );
    assert!(done["completed_at"].is_string());
    let types = event_types(&sb).await;
    assert!(types.contains(&"campaign.started".to_string()));
    assert!(types.contains(&"campaign.completed".to_string()));
    assert_eq!(
        types.iter().filter(|t| *t == "message.queued").count(),
        2,
        "one message per contact with a phone"
    );

    let again = sb
        .post(&format!("/campaigns/{id}/send"), &sb.admin, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.message().contains("completed"));
    let delete = sb
        .call(
            Method::DELETE,
            &format!("/campaigns/{id}"),
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(delete.status, StatusCode::CONFLICT);
    let edit = sb
        .call(
            Method::PUT,
            &format!("/campaigns/{id}"),
            Some(&sb.admin),
            Some(json!({"name": "late"})),
        )
        .await;
    assert_eq!(edit.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_scheduled_campaign_sends_when_the_clock_reaches_send_at() {
    let sb = TestSandbox::fast().await;
    contact(&sb, "ada", Some("+447700900123"), "vip").await;
    let id = draft(&sb, "vip").await;
    let clock = sb.get("/sandbox/clock", &sb.admin).await;
    let now = chrono::DateTime::parse_from_rfc3339(clock.body["now"].as_str().expect("now"))
        .expect("time");
    let send_at = (now + chrono::Duration::hours(2)).to_rfc3339();
    let scheduled = sb
        .post(
            &format!("/campaigns/{id}/send"),
            &sb.admin,
            json!({"send_at": send_at}),
        )
        .await;
    assert_eq!(scheduled.status, StatusCode::ACCEPTED, "{}", scheduled.text);
    assert_eq!(scheduled.body["status"], "scheduled");
    let listed = sb.get("/campaigns?status=scheduled", &sb.admin).await;
    assert_eq!(listed.body["total"], 1);
    // An hour on, the scheduler has run past it and the campaign still waits.
    advance_clock_and_settle(&sb, 3600).await;
    assert_eq!(
        sb.get(&format!("/campaigns/{id}"), &sb.admin).await.body["status"],
        "scheduled"
    );
    let past = sb
        .post(
            &format!("/campaigns/{id}/send"),
            &sb.admin,
            json!({"send_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);

    sb.post("/sandbox/clock", &sb.admin, json!({"seconds": 3600}))
        .await;
    let done: Value = eventually(&sb, &format!("/campaigns/{id}"), 10, |b| {
        b["status"] == "completed"
    })
    .await;
    assert_eq!(done["counts"]["messages"], 1);
    let scheduled = sb.get("/events?type=campaign.scheduled", &sb.admin).await;
    assert!(
        scheduled.body["data"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["data"]["id"] == id.as_str()),
        "{}",
        scheduled.text
    );
}

#[tokio::test]
async fn unsendable_campaigns_fail_with_a_reason_and_drafts_can_be_deleted() {
    let sb = TestSandbox::fast().await;
    let template = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "promo", "language": "en", "category": "marketing", "body": "Hi {{1}}"}),
        )
        .await;
    let template_id = template.body["id"].as_str().expect("id");
    let campaign = sb
        .post(
            "/campaigns",
            &sb.admin,
            json!({"name": "T", "segment": "vip", "channel": "whatsapp", "template_id": template_id, "variables": ["x"]}),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.text);
    let id = campaign.body["id"].as_str().expect("id");
    let sent = sb
        .post(&format!("/campaigns/{id}/send"), &sb.admin, json!({}))
        .await;
    assert_eq!(sent.body["status"], "failed");
    assert!(sent.body["failure_reason"]
        .as_str()
        .expect("reason")
        .contains("draft"));

    let empty = draft(&sb, "nobody").await;
    sb.post(&format!("/campaigns/{empty}/send"), &sb.admin, json!({}))
        .await;
    let failed = eventually(&sb, &format!("/campaigns/{empty}"), 10, |b| {
        b["status"] == "failed"
    })
    .await;
    assert!(failed["failure_reason"]
        .as_str()
        .expect("reason")
        .contains("no contacts"));

    let bad = sb
        .post(
            "/campaigns",
            &sb.admin,
            json!({"name": "", "segment": "vip", "channel": "sms"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "template_id"]);

    let keep = draft(&sb, "vip").await;
    let renamed = sb
        .call(
            Method::PUT,
            &format!("/campaigns/{keep}"),
            Some(&sb.admin),
            Some(json!({"name": "Cyber Monday"})),
        )
        .await;
    assert_eq!(renamed.body["name"], "Cyber Monday");
    let deleted = sb
        .call(
            Method::DELETE,
            &format!("/campaigns/{keep}"),
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sb.get(&format!("/campaigns/{keep}"), &sb.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let by_status = sb.get("/campaigns?status=failed", &sb.admin).await;
    assert_eq!(by_status.body["total"], 2);
    let bad_filter = sb.get("/campaigns?status=paused", &sb.admin).await;
    assert_eq!(bad_filter.status, StatusCode::UNPROCESSABLE_ENTITY);
    let future = sb
        .get("/campaigns?created_from=2999-01-01T00:00:00Z", &sb.admin)
        .await;
    assert_eq!(future.body["total"], 0);
}
