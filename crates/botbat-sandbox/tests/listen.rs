//! The listen tunnel over a real WebSocket: events emitted while no listener is connected
//! arrive after it reconnects with its last acked id, exactly once and in order; frames are
//! signed like deliveries; heartbeats flow; bad requests get the platform's errors.

mod common;

use botbat_webhooks::standard;
use common::TestSandbox;
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(sb: &TestSandbox, key: &str, query: &str) -> Socket {
    let url = format!(
        "{}/webhooks/listen{query}",
        sb.base().replace("http://", "ws://")
    );
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {key}").parse().expect("header"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the listen WebSocket opens");
    assert_eq!(response.status().as_u16(), 101);
    socket
}

async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket stays open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON frame");
        }
    }
}

/// The next `event` frame, skipping heartbeats.
async fn next_event(socket: &mut Socket) -> Value {
    loop {
        let frame = next_frame(socket).await;
        if frame["type"] == "event" {
            return frame;
        }
    }
}

async fn ack(socket: &mut Socket, event_id: &str) {
    socket
        .send(Message::Text(
            json!({"type": "ack", "event_id": event_id, "status": 200})
                .to_string()
                .into(),
        ))
        .await
        .expect("ack sent");
}

async fn emit(sb: &TestSandbox, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let reply = sb
            .post(
                "/sandbox/events",
                &sb.admin,
                json!({"type": "webhook.test", "data": {"n": i}}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        ids.push(reply.body["id"].as_str().expect("id").to_string());
    }
    ids
}

#[tokio::test]
async fn a_listener_that_was_away_gets_what_it_missed_once_and_in_order() {
    let sb = TestSandbox::fast().await;
    let mut socket = connect(&sb, &sb.admin, "").await;
    let ready = next_frame(&mut socket).await;
    assert_eq!(ready["type"], "ready");
    let secret = ready["signing_secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert!(secret.starts_with("whsec_"));

    // Live: three events arrive as they happen, signed like a delivery.
    let first = emit(&sb, 3).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let event = next_event(&mut socket).await;
        let id = event["event_id"].as_str().expect("id").to_string();
        let headers = &event["headers"];
        let ts: i64 = headers["webhook-timestamp"]
            .as_str()
            .expect("ts")
            .parse()
            .expect("number");
        let body = event["body"].as_str().expect("body");
        assert_eq!(
            headers["webhook-signature"].as_str(),
            Some(standard::sign(&[&secret], &id, ts, body.as_bytes()).as_str())
        );
        assert_eq!(serde_json::from_str::<Value>(body).expect("json")["id"], id);
        ack(&mut socket, &id).await;
        seen.push(id);
    }
    assert_eq!(seen, first);

    // Away (laptop asleep): the socket is dropped and events keep happening.
    drop(socket);
    let missed = emit(&sb, 5).await;

    // Back, resuming after the last acked id: the missed five, in order, then live ones.
    let last = seen.last().expect("acked one");
    let mut socket = connect(&sb, &sb.admin, &format!("?after={last}")).await;
    let ready = next_frame(&mut socket).await;
    assert_eq!(ready["resumed_after"].as_str(), Some(last.as_str()));
    let mut resumed = Vec::new();
    for _ in 0..5 {
        let event = next_event(&mut socket).await;
        resumed.push(event["event_id"].as_str().expect("id").to_string());
    }
    assert_eq!(resumed, missed);
    let live = emit(&sb, 1).await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["event_id"].as_str(),
        Some(live[0].as_str()),
        "no duplicate before it"
    );
}

#[tokio::test]
async fn a_stream_cut_in_the_middle_resumes_without_gaps_or_repeats() {
    let sb = TestSandbox::fast().await;
    let start = emit(&sb, 1).await;
    let all = emit(&sb, 20).await;
    let mut socket = connect(&sb, &sb.admin, &format!("?after={}", start[0])).await;
    next_frame(&mut socket).await;
    let mut captured = Vec::new();
    for _ in 0..7 {
        let event = next_event(&mut socket).await;
        let id = event["event_id"].as_str().expect("id").to_string();
        ack(&mut socket, &id).await;
        captured.push(id);
    }
    drop(socket);
    let mut socket = connect(
        &sb,
        &sb.admin,
        &format!("?after={}", captured.last().expect("one")),
    )
    .await;
    next_frame(&mut socket).await;
    for _ in 7..20 {
        let event = next_event(&mut socket).await;
        captured.push(event["event_id"].as_str().expect("id").to_string());
    }
    assert_eq!(captured, all, "every event exactly once, in order");
}

#[tokio::test]
async fn filters_heartbeats_and_errors() {
    let sb = TestSandbox::fast().await;
    let mut socket = connect(&sb, &sb.admin, "?types=contact.created&heartbeat_seconds=1").await;
    assert_eq!(next_frame(&mut socket).await["heartbeat_seconds"], 1);
    emit(&sb, 2).await;
    let contact = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Ada", "email": "ada@example.com"}),
        )
        .await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["event_type"], "contact.created",
        "webhook.test is filtered out"
    );
    let body: Value = serde_json::from_str(event["body"].as_str().expect("body")).expect("json");
    assert_eq!(body["data"]["id"], contact.body["id"]);
    let heartbeat = loop {
        let frame = next_frame(&mut socket).await;
        if frame["type"] == "heartbeat" {
            break frame;
        }
    };
    assert_eq!(heartbeat["latest_event_id"], event["event_id"]);

    let plain = sb.get("/webhooks/listen", &sb.admin).await;
    assert_eq!(plain.status.as_u16(), 426, "{}", plain.text);
    assert_eq!(plain.code(), "upgrade_required");
    let unknown = sb.get("/webhooks/listen?after=evt_gone", &sb.admin).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.message().contains("without `after`"));
    let bad = sb.get("/webhooks/listen?types=nope", &sb.admin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, reader) = sb.create_key("reader", &["webhooks:read"]).await;
    let denied = sb.get("/webhooks/listen", &reader).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(denied.message().contains("webhooks:manage"));
}
