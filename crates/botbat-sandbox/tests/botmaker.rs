//! The Botmaker stand-in over real HTTP on loopback, with its SQLite file in a temp dir: the
//! `access-token`, channels, send-messages and its 400s and 429, and webhooks that carry
//! what their filters select with the send's `webhookPayload` and the `auth-bm-token`.

mod common;

use axum::body::Bytes;
use botbat_api::platforms::botmaker::{
    Channel, ErrorBody, Items, MessageType, Notification, Sent, Webhook, TOKEN_HEADER,
    WEBHOOK_TOKEN_HEADER,
};
use botbat_sandbox::standins::botmaker;
use botbat_sandbox::standins::RunningStandIn;
use common::{Received, Receiver};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct StandIn {
    server: RunningStandIn,
    token: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start(per_second: u32) -> StandIn {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = botmaker::start(botmaker::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        per_second,
        token: None,
    })
    .await
    .expect("the stand-in starts");
    let token = server
        .generated_key
        .as_ref()
        .expect("an empty data dir makes a token")
        .expose()
        .to_string();
    StandIn {
        server,
        token,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl StandIn {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Bytes) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.server.base_url))
            .header(TOKEN_HEADER, &self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the stand-in answers");
        (response.status(), response.bytes().await.expect("body"))
    }

    async fn ok<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> T {
        let (status, bytes) = self.call(method, path, body).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{method} {path}: {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).expect("the documented shape")
    }

    async fn refused(&self, path: &str, body: Value, code: &str) -> String {
        let (status, bytes) = self.call("POST", path, Some(body)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let error: ErrorBody = serde_json::from_slice(&bytes).expect("an error body");
        assert_eq!(error.code, code, "{}", error.message);
        error.message
    }
}

async fn whatsapp(s: &StandIn) -> Channel {
    let channels: Items<Channel> = s.ok("GET", "/channels", None).await;
    assert!(channels.items.len() >= 2, "{channels:?}");
    channels
        .items
        .into_iter()
        .find(|c| c.platform == "whatsapp")
        .expect("a WhatsApp channel")
}

#[tokio::test]
async fn the_token_is_required_and_sends_are_checked_message_by_message() {
    let s = start(50).await;
    let url = format!("{}/channels", s.server.base_url);
    let missing = s.http.get(&url).send().await.expect("answers");
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    let wrong = s
        .http
        .get(&url)
        .header(TOKEN_HEADER, "not-a-token")
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let error: ErrorBody = wrong.json().await.expect("error body");
    assert!(error.message.contains("not valid"), "{}", error.message);

    let channel = whatsapp(&s).await;
    let send = |chat: Value, messages: Value| json!({"chat": chat, "messages": messages});
    let chat = json!({"channelId": channel.id, "contactId": "5491155551234"});

    let sent: Sent = s
        .ok(
            "POST",
            "/chats-actions/send-messages",
            Some(json!({
                "chat": chat,
                "messages": [
                    {"text": "Hi *Ada*, your order _A-1042_ ships ~today~ ```tomorrow```"},
                    {"text": "Track it?", "buttons": [{"name": "yes", "title": "Yes"}, {"name": "no", "title": "No"}]},
                    {"media": {"url": "https://example.com/invoice.pdf", "mimeType": "application/pdf"}},
                    {"location": {"latitude": -34.6, "longitude": -58.4, "name": "Store"}},
                    {"contact": {"name": "Support", "phone": "+5491155550000"}}
                ],
                "webhookPayload": {"orderId": "A-1042"}
            })),
        )
        .await;
    assert_eq!(sent.message_ids.len(), 5);

    // A chat id error and body errors each name what to fix.
    let message = s
        .refused(
            "/chats-actions/send-messages",
            send(
                json!({"channelId": "nope", "contactId": "5491155551234"}),
                json!([{"text": "x"}]),
            ),
            "invalid_chat",
        )
        .await;
    assert!(message.contains("GET /v2.0/channels"), "{message}");
    let message = s
        .refused(
            "/chats-actions/send-messages",
            send(
                json!({"channelId": channel.id, "contactId": "ada"}),
                json!([{"text": "x"}]),
            ),
            "invalid_chat",
        )
        .await;
    assert!(message.contains("phone number"), "{message}");
    for (messages, expected) in [
        (json!([]), "1 to 10 messages"),
        (json!([{"text": "x", "media": {}}]), "exactly one of"),
        (json!([{"text": ""}]), "messages[0].text"),
        (
            json!([{"text": "ok"}, {"media": {"url": "invoice.pdf", "mimeType": "application/pdf"}}]),
            "messages[1].media.url",
        ),
        (
            json!([{"media": {"url": "https://example.com/a", "mimeType": "pdf"}}]),
            "mimeType",
        ),
        (
            json!([{"location": {"latitude": 91, "longitude": 0}}]),
            "latitude",
        ),
        (
            json!([{"text": "x", "buttons": [{"title": "a"}, {"title": "b"}, {"title": "c"}, {"title": "d"}]}]),
            "1 to 3 buttons",
        ),
        (json!([{"txt": "x"}]), "exactly one of"),
    ] {
        let message = s
            .refused(
                "/chats-actions/send-messages",
                send(chat.clone(), messages.clone()),
                "invalid_body",
            )
            .await;
        assert!(message.contains(expected), "{messages}: {message}");
    }
    let message = s
        .refused(
            "/chats-actions/send-messages",
            json!({"chat": chat, "messages": [{"text": "x"}], "webhookPayLoad": {}}),
            "invalid_body",
        )
        .await;
    assert!(
        message.contains("webhookPayLoad is not a field"),
        "{message}"
    );
    s.server.shutdown().await;
}

#[tokio::test]
async fn more_than_the_per_second_limit_is_a_429() {
    let s = start(3).await;
    // Ten requests at once cannot all fall in one window of three.
    let calls = (0..10).map(|_| s.call("GET", "/channels", None));
    let statuses: Vec<StatusCode> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(limited >= 1, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS));
    s.server.shutdown().await;
}

/// Waits, with a deadline, until `receiver` holds `n` deliveries; then gives them with
/// their notifications read.
async fn wait_for(receiver: &Receiver, n: usize) -> Vec<(Received, Notification)> {
    receiver
        .wait_for(n, 20)
        .await
        .into_iter()
        .map(|r| {
            let notification = serde_json::from_str(&r.body).expect("a notification");
            (r, notification)
        })
        .collect()
}

#[tokio::test]
async fn webhooks_carry_what_their_filters_select_with_the_payload_echoed() {
    let s = start(50).await;
    let channel = whatsapp(&s).await;
    let got = Receiver::start(&[]).await;
    let other = Receiver::start(&[]).await;
    let (url, other_url) = (got.url.clone(), other.url.clone());

    // Misspelled filters and missing channels are refused, never ignored.
    for (body, expected) in [
        (
            json!({"type": "message_status", "url": url, "channels": [channel.id], "messageTypes": ["users"]}),
            "unknown variant `users`",
        ),
        (
            json!({"type": "message_status", "url": url, "channels": [], "messageTypes": ["user"]}),
            "at least one channel",
        ),
        (
            json!({"type": "message_status", "url": url, "channels": [channel.id]}),
            "at least one of",
        ),
        (
            json!({"type": "message_status", "url": url, "channel": [channel.id], "messageTypes": ["user"]}),
            "unknown field `channel`",
        ),
        (
            json!({"type": "message_status", "url": "ftp://x", "channels": [channel.id], "messageTypes": ["user"]}),
            "http(s) URL",
        ),
    ] {
        let message = s.refused("/webhooks", body.clone(), "invalid_body").await;
        assert!(message.contains(expected), "{body}: {message}");
    }

    let users: Webhook = s
        .ok(
            "POST",
            "/webhooks",
            Some(json!({
                "type": "message_status", "url": url, "securityToken": "bm-token-123",
                "channels": [channel.id], "messageTypes": ["user", "status"], "includeVariables": true
            })),
        )
        .await;
    assert_eq!(
        users.message_types,
        vec![MessageType::User, MessageType::Status]
    );
    let _bots: Webhook = s
        .ok(
            "POST",
            "/webhooks",
            Some(json!({"type": "message_status", "url": other_url, "channels": [channel.id], "messageTypes": ["bot"]})),
        )
        .await;
    let listed: Items<Webhook> = s.ok("GET", "/webhooks", None).await;
    assert_eq!(listed.items.len(), 2);

    // A send: the bot's message goes to the bot webhook, its status to the other.
    let sent: Sent = s
        .ok(
            "POST",
            "/chats-actions/send-messages",
            Some(json!({
                "chat": {"channelId": channel.id, "contactId": "5491155551234"},
                "messages": [{"text": "Your order ships today"}],
                "webhookPayload": {"orderId": "A-1042"}
            })),
        )
        .await;
    let status = wait_for(&got, 1).await;
    assert_eq!(status[0].1.message_type, MessageType::Status);
    assert_eq!(
        status[0].1.message_id.as_deref(),
        Some(sent.message_ids[0].as_str())
    );
    assert_eq!(
        status[0].1.webhook_payload,
        Some(json!({"orderId": "A-1042"}))
    );
    assert_eq!(status[0].0.headers[WEBHOOK_TOKEN_HEADER], "bm-token-123");
    let bot = wait_for(&other, 1).await;
    assert_eq!(bot[0].1.message_type, MessageType::Bot);
    assert_eq!(bot[0].1.content, json!({"text": "Your order ships today"}));
    assert!(
        !bot[0].0.headers.contains_key(WEBHOOK_TOKEN_HEADER),
        "no token configured, none sent"
    );

    // A user writing reaches the user webhook with its variables; an agent's and an
    // event reach nobody, since no filter selects them.
    let _: Value = s
        .ok(
            "POST",
            "/sandbox/inbound",
            Some(json!({"channelId": channel.id, "contactId": "5491155551234", "text": "Thanks!", "variables": {"name": "Ada"}})),
        )
        .await;
    let _: Value = s
        .ok(
            "POST",
            "/sandbox/inbound",
            Some(json!({"channelId": channel.id, "contactId": "5491155551234", "text": "Hello, agent here", "from": "agent"})),
        )
        .await;
    let _: Value = s
        .ok(
            "POST",
            "/sandbox/events",
            Some(json!({"channelId": channel.id, "contactId": "5491155551234", "event": "user_blocked"})),
        )
        .await;
    let all = wait_for(&got, 2).await;
    assert_eq!(all[1].1.message_type, MessageType::User);
    assert_eq!(all[1].1.variables, Some(json!({"name": "Ada"})));
    // Webhooks are selected before a control answers, and a delivery is only queued for a
    // selected one: had the agent's message or the event been selected, the user webhook
    // could not hold exactly two once it has the user's message.
    assert_eq!(got.received().len(), 2, "nothing unselected was delivered");
    assert_eq!(other.received().len(), 1);

    // A changed filter applies to the next message.
    let _: Webhook = s
        .ok(
            "PUT",
            &format!("/webhooks/{}", users.id),
            Some(json!({"type": "message_status", "url": url, "channels": [channel.id], "messageTypes": ["agent"]})),
        )
        .await;
    let _: Value = s
        .ok(
            "POST",
            "/sandbox/inbound",
            Some(json!({"channelId": channel.id, "contactId": "5491155551234", "text": "Agent again", "from": "agent"})),
        )
        .await;
    // The unselected agent message and event were posted before this one, so had either
    // been delivered it would be among these.
    let all = wait_for(&got, 3).await;
    let types: Vec<MessageType> = all.iter().map(|(_, n)| n.message_type).collect();
    assert_eq!(
        types,
        [MessageType::Status, MessageType::User, MessageType::Agent]
    );
    assert_eq!(all[2].1.content, json!({"text": "Agent again"}));
    assert_eq!(
        other.received().len(),
        1,
        "the bot webhook got only the bot's message"
    );
    assert!(
        !all[2].0.headers.contains_key(WEBHOOK_TOKEN_HEADER),
        "the token was removed with the update"
    );
    s.server.shutdown().await;
}
