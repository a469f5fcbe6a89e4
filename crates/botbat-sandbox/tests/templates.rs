//! Templates over real HTTP: validation, the review lifecycle on the sandbox clock, the
//! reject convention, edits returning to draft, and the 409s of each state.

mod common;

use botbat_api::Plan;
use common::TestSandbox;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(sb: &TestSandbox, name: &str, body: &str) -> Value {
    let reply = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": name, "language": "en_US", "category": "utility", "body": body}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

async fn advance(sb: &TestSandbox, seconds: i64) {
    let moved = sb
        .post("/sandbox/clock", &sb.admin, json!({"seconds": seconds}))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
}

#[tokio::test]
async fn a_template_is_reviewed_after_submission_and_edits_send_it_back_to_draft() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let tpl = create(&sb, "order_shipped", "Hi {{1}}, order {{2}} is on its way.").await;
    let id = tpl["id"].as_str().expect("id").to_string();
    assert_eq!(tpl["status"], "draft");
    assert_eq!(tpl["variables"], 2);

    let submitted = sb
        .post(&format!("/templates/{id}/submit"), &sb.admin, json!({}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    assert_eq!(submitted.body["status"], "pending");
    let again = sb
        .post(&format!("/templates/{id}/submit"), &sb.admin, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let edit = sb
        .call(
            Method::PUT,
            &format!("/templates/{id}"),
            Some(&sb.admin),
            Some(json!({"body": "Hi {{1}}"})),
        )
        .await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "no edits under review");
    assert_eq!(
        sb.call(
            Method::DELETE,
            &format!("/templates/{id}"),
            Some(&sb.admin),
            None
        )
        .await
        .status,
        StatusCode::CONFLICT
    );

    advance(&sb, 6).await;
    let approved = sb.get(&format!("/templates/{id}"), &sb.admin).await;
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["reviewed_at"].is_string());
    let listed = sb.get("/templates?status=approved", &sb.admin).await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(
        sb.post(&format!("/templates/{id}/submit"), &sb.admin, json!({}))
            .await
            .status,
        StatusCode::CONFLICT,
        "an approved template is not submitted again"
    );

    let edited = sb
        .call(
            Method::PUT,
            &format!("/templates/{id}"),
            Some(&sb.admin),
            Some(json!({"body": "Hello {{1}}, order {{2}} has shipped."})),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(
        edited.body["status"], "draft",
        "editing an approved template returns it to draft"
    );
    let deleted = sb
        .call(
            Method::DELETE,
            &format!("/templates/{id}"),
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn templates_named_reject_are_rejected_with_a_reason_and_can_be_resubmitted() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let tpl = create(&sb, "reject_me", "Big sale today!").await;
    let id = tpl["id"].as_str().expect("id");
    sb.post(&format!("/templates/{id}/submit"), &sb.admin, json!({}))
        .await;
    advance(&sb, 6).await;
    let rejected = sb.get(&format!("/templates/{id}"), &sb.admin).await;
    assert_eq!(rejected.body["status"], "rejected");
    assert!(rejected.body["rejection_reason"]
        .as_str()
        .is_some_and(|r| r.contains("reject")));
    let resubmitted = sb
        .post(&format!("/templates/{id}/submit"), &sb.admin, json!({}))
        .await;
    assert_eq!(resubmitted.body["status"], "pending");
    assert!(resubmitted.body["rejection_reason"].is_null());
}

#[tokio::test]
async fn invalid_templates_are_refused_field_by_field() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let bad = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "Order Shipped", "language": "english", "category": "utility", "body": "Hi {{2}}"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "language", "body"]);
    let wrong_category = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "x", "language": "en", "category": "spam", "body": "Hi"}),
        )
        .await;
    assert_eq!(wrong_category.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong_category.body["error"]["details"][0]["field"],
        "category"
    );

    create(&sb, "welcome", "Welcome!").await;
    let taken = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "welcome", "language": "en_US", "category": "marketing", "body": "Hi"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let other_language = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "welcome", "language": "pt_BR", "category": "marketing", "body": "Olá"}),
        )
        .await;
    assert_eq!(
        other_language.status,
        StatusCode::CREATED,
        "names are unique per language"
    );

    let (_, reader) = sb.create_key("reader", &["templates:read"]).await;
    assert_eq!(sb.get("/templates", &reader).await.status, StatusCode::OK);
    let denied = sb
        .post(
            "/templates",
            &reader,
            json!({"name": "x", "language": "en", "category": "utility", "body": "x"}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(denied.message().contains("templates:write"));
}
