//! Webhook delivery over real HTTP to a receiver on loopback: Standard Webhooks signatures
//! (checked by the independent `standardwebhooks` package from PyPI), event-type filters,
//! retries, resends, 410, secret rotation overlap, event order and restarts mid-retry.

mod common;

use std::process::{Command, Stdio};

use botbat_api::Plan;
use botbat_webhooks::standard;
use common::{advance_clock_and_settle, eventually, Received, Receiver, TestSandbox};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn endpoint(sb: &TestSandbox, url: &str, types: &[&str]) -> (String, String) {
    let reply = sb
        .post(
            "/webhooks",
            &sb.admin,
            json!({"url": url, "event_types": types}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    (
        reply.body["id"].as_str().expect("id").to_string(),
        reply.body["secret"].as_str().expect("secret").to_string(),
    )
}

async fn simulate(sb: &TestSandbox, event_type: &str, extra: Value) -> Value {
    let mut body = json!({"type": event_type});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let reply = sb.post("/sandbox/events", &sb.admin, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

async fn deliveries(sb: &TestSandbox, webhook: &str) -> Vec<Value> {
    let reply = sb
        .get(&format!("/webhooks/{webhook}/deliveries"), &sb.admin)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["data"].as_array().cloned().unwrap_or_default()
}

/// Every `v1,` signature in the header that `secret` reproduces.
fn signed_by(received: &Received, secret: &str) -> bool {
    let id = &received.headers["webhook-id"];
    let ts: i64 = received.headers["webhook-timestamp"]
        .parse()
        .expect("timestamp");
    let expected = standard::signature(secret, id, ts, received.body.as_bytes());
    received.headers["webhook-signature"]
        .split(' ')
        .any(|s| s == expected)
}

fn python() -> std::path::PathBuf {
    if let Ok(path) = std::env::var("BOTBAT_PYWEBHOOKS") {
        return path.into();
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/tools/pywebhooks/bin/python")
}

/// Asks the `standardwebhooks` package (PyPI) whether it accepts a delivery.
fn python_verifies(secret: &str, received: &Received) -> Result<(), String> {
    let python = python();
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup.sh, which installs the standardwebhooks package",
        python.display()
    );
    let script = "import json,sys\nfrom standardwebhooks.webhooks import Webhook\nd=json.load(sys.stdin)\ntry:\n    Webhook(d['secret']).verify(d['body'], d['headers'])\n    print('ok')\nexcept Exception as e:\n    print('rejected: %s' % e)\n";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let input = json!({"secret": secret, "headers": received.headers, "body": received.body});
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("python finishes");
    let said = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if said == "ok" {
        Ok(())
    } else {
        Err(said)
    }
}

#[tokio::test]
async fn subscribed_events_arrive_signed_and_others_do_not() {
    let sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[]).await;
    let (webhook, secret) = endpoint(&sb, &receiver.url, &["contact.created"]).await;

    let created = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Ada", "phone": "+447700900123"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let contact = created.body["id"].as_str().expect("id");
    // An update is a different type: the endpoint is not subscribed to it.
    let updated = sb
        .call(
            reqwest::Method::PUT,
            &format!("/contacts/{contact}"),
            Some(&sb.admin),
            Some(json!({"segment": "vip"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);

    // Deliveries are created with the event, in its transaction: the endpoint has exactly
    // one, so nothing else is ever sent to it.
    let listed = eventually(&sb, &format!("/webhooks/{webhook}/deliveries"), 10, |b| {
        b["data"][0]["status"] == "succeeded"
    })
    .await;
    let listed = listed["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(listed.len(), 1, "only the subscribed type: {listed:?}");
    let got = receiver.received();
    assert_eq!(got.len(), 1, "only the subscribed type arrives: {got:?}");
    let delivery = &got[0];
    assert_eq!(delivery.event_type(), "contact.created");
    assert_eq!(delivery.json()["data"]["id"], contact);
    assert_eq!(delivery.json()["livemode"], false);
    assert!(delivery.headers["webhook-id"].starts_with("evt_"));
    assert_eq!(delivery.headers["content-type"], "application/json");
    assert!(signed_by(delivery, &secret), "our own verifier accepts it");
    python_verifies(&secret, delivery).expect("standardwebhooks accepts the delivery");
    let tampered = Received {
        headers: delivery.headers.clone(),
        body: delivery.body.replace("Ada", "Eve"),
    };
    assert!(
        python_verifies(&secret, &tampered).is_err(),
        "the independent verifier must reject a changed body"
    );

    assert_eq!(listed[0]["attempts"][0]["response_status"], 200);
    assert_eq!(listed[0]["attempts"][0]["trigger"], "event");
    assert_eq!(
        listed[0]["request_body"].as_str(),
        Some(delivery.body.as_str())
    );

    // The event log has both, filterable by type.
    let events = sb.get("/events?type=contact.updated", &sb.admin).await;
    assert_eq!(events.body["total"], 1, "{}", events.text);
    let id = events.body["data"][0]["id"].as_str().expect("event id");
    let one = sb.get(&format!("/events/{id}"), &sb.admin).await;
    assert_eq!(one.body["data"]["segment"], "vip");
    assert_eq!(
        sb.get("/events/evt_missing", &sb.admin).await.status,
        StatusCode::NOT_FOUND
    );
    let bad = sb.get("/events?type=contact.exploded", &sb.admin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_500_is_retried_on_the_schedule_and_a_resend_sends_again() {
    let sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[500]).await;
    let (webhook, secret) = endpoint(&sb, &receiver.url, &["message.delivered"]).await;
    simulate(&sb, "message.delivered", json!({})).await;

    let got = receiver.wait_for(2, 10).await;
    assert_eq!(got.len(), 2, "one failure, then the retry");
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
    assert_eq!(got[0].body, got[1].body, "a retry sends the same bytes");
    assert!(signed_by(&got[1], &secret));

    let listed = eventually(&sb, &format!("/webhooks/{webhook}/deliveries"), 5, |b| {
        b["data"][0]["status"] == "succeeded"
    })
    .await;
    let delivery = &listed["data"][0];
    let attempts = delivery["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["response_status"], 500);
    assert!(attempts[0]["error"]
        .as_str()
        .expect("error")
        .contains("500"));
    assert_eq!(attempts[1]["trigger"], "retry");
    assert_eq!(attempts[1]["response_status"], 200);

    let id = delivery["id"].as_str().expect("delivery id");
    let resent = sb
        .post(
            &format!("/webhooks/{webhook}/deliveries/{id}/resend"),
            &sb.admin,
            json!({}),
        )
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.text);
    assert_eq!(resent.body["attempts"][2]["trigger"], "resend");
    assert_eq!(resent.body["attempts"][2]["response_status"], 200);
    let got = receiver.received();
    assert_eq!(got.len(), 3, "the resend reached the receiver");
    assert_eq!(got[2].headers["webhook-id"], got[0].headers["webhook-id"]);
    python_verifies(&secret, &got[2]).expect("a resend is freshly signed");

    let missing = sb
        .post(
            &format!("/webhooks/{webhook}/deliveries/dlv_nope/resend"),
            &sb.admin,
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_forced_failure_is_recorded_then_retried_for_real() {
    let sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[]).await;
    let (webhook, _) = endpoint(&sb, &receiver.url, &["*"]).await;
    let event = simulate(
        &sb,
        "contact.merged",
        json!({"data": {"reason": "same email"}, "force_delivery_failure": true}),
    )
    .await;
    assert_eq!(
        event["data"]["reason"], "same email",
        "overrides are merged"
    );
    assert!(
        event["data"]["merged_ids"].is_array(),
        "the example fills the rest"
    );

    let got = receiver.wait_for(1, 10).await;
    assert_eq!(got.len(), 1, "only the retry is actually sent");
    let listed = deliveries(&sb, &webhook).await;
    let attempts = listed[0]["attempts"].as_array().expect("attempts");
    assert!(attempts[0]["response_status"].is_null());
    assert!(attempts[0]["error"]
        .as_str()
        .expect("error")
        .contains("forced failure"));

    let bad = sb
        .post("/sandbox/events", &sb.admin, json!({"type": "nope.never"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["error"]["details"][0]["field"], "type");
}

#[tokio::test]
async fn gone_disables_the_endpoint() {
    let sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[410]).await;
    let (webhook, _) = endpoint(&sb, &receiver.url, &["*"]).await;
    simulate(&sb, "webhook.test", json!({})).await;
    let endpoint = eventually(&sb, &format!("/webhooks/{webhook}"), 10, |b| {
        b["enabled"] == false
    })
    .await;
    assert_eq!(endpoint["enabled"], false);
    assert!(endpoint["disabled_reason"]
        .as_str()
        .expect("reason")
        .contains("410"));
    let listed = deliveries(&sb, &webhook).await;
    assert_eq!(listed[0]["status"], "failed");
    assert!(listed[0]["next_attempt_at"].is_null(), "no retry after 410");
    simulate(&sb, "webhook.test", json!({})).await;
    // Deliveries are created with the event, only for enabled endpoints: there is nothing
    // to send.
    assert_eq!(
        deliveries(&sb, &webhook).await.len(),
        1,
        "a disabled endpoint gets no delivery"
    );
    assert_eq!(
        receiver.received().len(),
        1,
        "a disabled endpoint gets nothing"
    );
}

#[tokio::test]
async fn during_a_rotation_overlap_both_secrets_sign() {
    let sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[]).await;
    let (webhook, old) = endpoint(&sb, &receiver.url, &["*"]).await;
    let rotated = sb
        .post(
            &format!("/webhooks/{webhook}/rotate_secret"),
            &sb.admin,
            json!({"overlap": "1h"}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let new = rotated.body["secret"].as_str().expect("secret").to_string();
    assert_ne!(new, old);
    assert!(new.starts_with("whsec_"));
    assert!(rotated.body["previous_secret_expires_at"].is_string());

    simulate(&sb, "webhook.test", json!({})).await;
    let got = receiver.wait_for(1, 10).await;
    assert_eq!(got[0].headers["webhook-signature"].split(' ').count(), 2);
    assert!(signed_by(&got[0], &old) && signed_by(&got[0], &new));
    python_verifies(&old, &got[0]).expect("the old secret still verifies");
    python_verifies(&new, &got[0]).expect("the new secret verifies");

    let again = sb
        .post(
            &format!("/webhooks/{webhook}/rotate_secret"),
            &sb.admin,
            json!({"overlap": "0"}),
        )
        .await;
    let newest = again.body["secret"].as_str().expect("secret").to_string();
    simulate(&sb, "webhook.test", json!({})).await;
    let got = receiver.wait_for(2, 10).await;
    assert_eq!(got[1].headers["webhook-signature"].split(' ').count(), 1);
    assert!(signed_by(&got[1], &newest) && !signed_by(&got[1], &new));

    let bad = sb
        .post(
            &format!("/webhooks/{webhook}/rotate_secret"),
            &sb.admin,
            json!({"overlap": "2d"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
}

#[tokio::test]
async fn one_endpoint_receives_events_in_the_order_they_happened() {
    let sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[]).await;
    endpoint(&sb, &receiver.url, &["*"]).await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let event = simulate(&sb, "webhook.test", json!({"data": {"n": i}})).await;
        ids.push(event["id"].as_str().expect("id").to_string());
    }
    let got = receiver.wait_for(30, 20).await;
    let order: Vec<String> = got
        .iter()
        .map(|r| r.headers["webhook-id"].clone())
        .collect();
    assert_eq!(order, ids);
}

#[tokio::test]
async fn a_restart_mid_retry_loses_nothing() {
    let mut sb = TestSandbox::fast().await;
    let receiver = Receiver::start(&[503]).await;
    let (webhook, _) = endpoint(&sb, &receiver.url, &["*"]).await;
    simulate(&sb, "webhook.test", json!({})).await;
    receiver.wait_for(1, 10).await;
    sb.restart(Plan::Enterprise).await;
    let got = receiver.wait_for(2, 15).await;
    assert_eq!(got.len(), 2, "the retry is made by the restarted sandbox");
    let listed = eventually(&sb, &format!("/webhooks/{webhook}/deliveries"), 5, |b| {
        b["data"][0]["status"] == "succeeded"
    })
    .await;
    assert_eq!(
        listed["data"][0]["attempts"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn message_steps_become_events_on_the_sandbox_clock() {
    let sb = TestSandbox::configured(|config| {
        config.message_step = std::time::Duration::from_secs(3600);
        config.retry_schedule = botbat_sandbox::RetrySchedule::Fast;
        // Room for the scheduler check's requests (Starter allows 5 a second).
        config.plan = Plan::Enterprise;
    })
    .await;
    let receiver = Receiver::start(&[]).await;
    endpoint(
        &sb,
        &receiver.url,
        &[
            "message.queued",
            "message.sent",
            "message.delivered",
            "message.read",
            "message.failed",
        ],
    )
    .await;
    let contact = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Ada", "phone": "+447700900123"}),
        )
        .await;
    let sent = sb
        .post(
            "/messages/send",
            &sb.admin,
            json!({"contact_id": contact.body["id"], "channel": "sms", "body": "hi"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    let got = receiver.wait_for(1, 10).await;
    assert_eq!(got[0].event_type(), "message.queued");
    // A minute on: the scheduler has run past it, and the steps an hour apart have not
    // been emitted.
    advance_clock_and_settle(&sb, 60).await;
    let sent = sb.get("/events?type=message.sent", &sb.admin).await;
    assert_eq!(sent.body["total"], 0, "later steps wait for the clock");
    assert_eq!(
        receiver.received().len(),
        1,
        "later steps wait for the clock"
    );

    let moved = sb
        .post(
            "/sandbox/clock",
            &sb.admin,
            json!({"seconds": 3 * 3600 - 60}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK);
    let got = receiver.wait_for(4, 10).await;
    let types: Vec<String> = got.iter().map(Received::event_type).collect();
    assert_eq!(
        types,
        [
            "message.queued",
            "message.sent",
            "message.delivered",
            "message.read"
        ]
    );
    assert_eq!(got[3].json()["data"]["status"], "read");
    assert!(got[3].json()["data"]["read_at"].is_string());
}
