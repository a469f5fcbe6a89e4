//! The connections' webhooks against the Botbiz and Botmaker stand-ins over real HTTP on
//! loopback, with secrets in the real keychain under `scripts/with-keyring.sh` (memory
//! otherwise): Botmaker webhooks created, changed and deleted with their token kept,
//! delivering only the selected message types to the Inspector's receiver, which checks
//! `auth-bm-token` against the kept token; a Botbiz signature verified with the webhook
//! secret kept for the connection, and a wrong one explained; Botbiz WhatsApp accounts
//! added, shown with their QR code, and connected by the stand-in's scan.

mod common;

use std::sync::Arc;

use base64::Engine;
use botbat_console_core::connections::{Connection, Connections, NewConnection, Platform};
use botbat_console_core::inspector::InspectorSettings;
use botbat_console_core::platform_webhooks::BotmakerWebhookInput;
use botbat_console_core::{CommandError, ConsoleCode, Environment, InspectorScope, Inspectors};
use botbat_sandbox::standins::{botbiz, botmaker, RunningStandIn};
use botbat_secrets::{SecretId, SecretStore};
use botbat_webhooks::capture::{CaptureFilter, CaptureSummary};
use botbat_webhooks::Problem;
use serde_json::{json, Value};

struct Fixture {
    secrets: Arc<dyn SecretStore>,
    connections: std::sync::Arc<Connections>,
    inspectors: Arc<Inspectors>,
    /// The connection's Inspector, as the panel opens it while the connection is active.
    scope: InspectorScope,
    /// That Inspector's local receiver.
    receiver: String,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let secrets = common::keychain_or_memory("platform-webhooks");
    let console = Arc::new(common::console_in(dir.path(), secrets.clone()));
    let connections = console.connections().expect("a data dir");
    let inspectors = Arc::new(Inspectors::new(console, Arc::new(|_| {})));
    Fixture {
        secrets,
        connections,
        inspectors,
        scope: InspectorScope::Environment(Environment::Sandbox),
        receiver: String::new(),
        dir,
    }
}

impl Fixture {
    /// Adds the connection and starts its Inspector's receiver on a free port.
    async fn connect(&mut self, platform: Platform, stand_in: &RunningStandIn) -> Connection {
        let connection = self
            .connections
            .add(NewConnection {
                platform,
                label: format!("Acme {}", platform.title()),
                base_url: Some(stand_in.base_url.clone()),
                credential: stand_in
                    .generated_key
                    .as_ref()
                    .expect("credential")
                    .expose()
                    .to_string(),
            })
            .await
            .expect("connection");
        self.scope = InspectorScope::Connection(connection.id.clone());
        self.inspectors
            .update_settings(
                self.scope.clone(),
                InspectorSettings {
                    port: 0,
                    ..InspectorSettings::default()
                },
            )
            .await
            .expect("settings");
        self.receiver = self
            .inspectors
            .start_receiver(self.scope.clone())
            .await
            .expect("receiver")
            .receiver_url
            .expect("receiver url");
        connection
    }

    /// Sandbox's Inspector has none of the connection's captures.
    async fn assert_sandbox_sees_none(&self) {
        let sandbox = self
            .inspectors
            .list_captures(Environment::Sandbox, CaptureFilter::default(), 0, 100)
            .await
            .expect("captures");
        assert_eq!(sandbox.total, 0, "{:?}", sandbox.rows);
        assert!(!self.captures().await.is_empty());
    }

    /// A stand-in's sandbox control, called with the connection's own auth.
    async fn control(
        &self,
        connection: &Connection,
        method: &str,
        path: &str,
        body: Value,
    ) -> Value {
        let authorized = self
            .connections
            .authorize(&connection.id)
            .await
            .expect("auth");
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let response = authorized
            .apply(reqwest::Client::new().request(method, format!("{}{path}", connection.base_url)))
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.expect("json")
    }

    /// The captures, oldest first, once at least `count` have arrived (or the deadline has
    /// passed): the Botmaker stand-in delivers in the background, as Botmaker does, after
    /// it answers the control. The receiver stores a capture before it answers.
    async fn captures_when(&self, count: usize) -> Vec<CaptureSummary> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let rows = self.captures().await;
            if rows.len() >= count || tokio::time::Instant::now() >= deadline {
                return rows;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// The captures so far, oldest first.
    async fn captures(&self) -> Vec<CaptureSummary> {
        let mut rows = self
            .inspectors
            .list_captures(self.scope.clone(), CaptureFilter::default(), 0, 100)
            .await
            .expect("captures")
            .rows;
        rows.sort_by_key(|c| c.id);
        rows
    }

    fn kept(&self, connection: &Connection, name: &str) -> Option<String> {
        self.secrets
            .get(&SecretId::new(
                format!("connection/{}", connection.id),
                name,
            ))
            .expect("keychain")
            .map(|s| s.expose().clone())
    }
}

fn field(error: &CommandError) -> &str {
    error
        .details
        .first()
        .map(|d| d.field.as_str())
        .unwrap_or("")
}

#[tokio::test]
async fn botmaker_webhooks_are_managed_deliver_what_they_select_and_their_token_is_checked() {
    let mut fx = fixture().await;
    let stand_in = botmaker::start(botmaker::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: fx.dir.path().join("botmaker"),
        per_second: 100,
        token: None,
    })
    .await
    .expect("the Botmaker stand-in");
    let conn = fx.connect(Platform::Botmaker, &stand_in).await;

    let choices = fx
        .connections
        .botmaker_webhook_choices(&conn.id)
        .await
        .expect("choices");
    let channel = choices
        .channels
        .iter()
        .find(|c| c.platform == "whatsapp")
        .expect("a WhatsApp channel")
        .id
        .clone();
    assert_eq!(
        choices
            .message_types
            .iter()
            .map(|m| m.value.as_str())
            .collect::<Vec<_>>(),
        ["bot", "user", "agent", "status", "hsm_status", "event"]
    );

    let input = |types: &[&str]| BotmakerWebhookInput {
        url: format!("{}/botmaker", fx.receiver),
        security_token: None,
        channels: vec![channel.clone()],
        message_types: types.iter().map(|t| t.to_string()).collect(),
        include_variables: false,
    };
    for (bad, expected) in [
        (
            BotmakerWebhookInput {
                channels: vec![],
                ..input(&["user"])
            },
            "channels",
        ),
        (input(&[]), "message_types"),
        (
            BotmakerWebhookInput {
                url: "receiver/botmaker".into(),
                ..input(&["user"])
            },
            "url",
        ),
        (
            BotmakerWebhookInput {
                security_token: Some("a b".into()),
                ..input(&["user"])
            },
            "security_token",
        ),
    ] {
        let error = fx
            .connections
            .create_botmaker_webhook(&conn.id, bad)
            .await
            .expect_err(expected);
        assert_eq!(field(&error), expected, "{}", error.message);
    }
    let unknown_channel = fx
        .connections
        .create_botmaker_webhook(
            &conn.id,
            BotmakerWebhookInput {
                channels: vec!["ch_nope".into()],
                ..input(&["user"])
            },
        )
        .await
        .expect_err("unknown channel");
    assert_eq!(unknown_channel.status, Some(400));
    assert!(
        unknown_channel.message.contains("channels"),
        "{}",
        unknown_channel.message
    );
    assert!(
        fx.connections
            .list_botmaker_webhooks(&conn.id)
            .await
            .expect("list")
            .is_empty(),
        "nothing refused was created"
    );

    let created = fx
        .connections
        .create_botmaker_webhook(&conn.id, input(&["user", "event"]))
        .await
        .expect("created");
    assert!(created.token_kept);
    assert_eq!(created.message_types, ["user", "event"]);
    let tokens: Value =
        serde_json::from_str(&fx.kept(&conn, "webhook_tokens").expect("tokens kept"))
            .expect("json");
    let token = tokens[&created.id]
        .as_str()
        .expect("this webhook's token")
        .to_string();
    assert!(token.starts_with("bmt_"), "{token}");
    assert!(
        !std::fs::read_to_string(fx.dir.path().join("data/connections.json"))
            .expect("connections file")
            .contains(&token),
        "the token is not on disk"
    );
    fx.inspectors
        .refresh_secrets(fx.scope.clone())
        .await
        .expect("refresh");

    let chat = |extra: Value| {
        let mut body = json!({"channelId": channel, "contactId": "5491155551234"});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        body
    };
    fx.control(
        &conn,
        "POST",
        "/sandbox/inbound",
        chat(json!({"from": "agent", "text": "not selected"})),
    )
    .await;
    fx.control(
        &conn,
        "POST",
        "/sandbox/inbound",
        chat(json!({"text": "hello"})),
    )
    .await;
    fx.control(
        &conn,
        "POST",
        "/sandbox/events",
        chat(json!({"event": "user_blocked"})),
    )
    .await;
    // Only the selected types were sent at all, so once two are here nothing else comes.
    let captures = fx.captures_when(2).await;
    assert_eq!(
        captures
            .iter()
            .map(|c| c.event_type.as_deref().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["message_status.user", "message_status.event"],
        "only the selected message types arrive, each named"
    );
    for capture in &captures {
        let detail = fx
            .inspectors
            .get_capture(fx.scope.clone(), capture.id)
            .await
            .expect("detail");
        let verdict = detail.verdict.expect("verdict");
        assert!(verdict.valid, "{}", verdict.detail);
        assert_eq!(
            verdict.matched.as_deref(),
            Some(
                format!(
                    "the token of webhook {} of Botmaker “Acme Botmaker”",
                    created.id
                )
                .as_str()
            )
        );
        assert!(
            !serde_json::to_string(&detail.summary)
                .expect("json")
                .contains(&token)
                && detail.headers.iter().all(|(_, v)| !v.contains(&token)),
            "the token is stored masked"
        );
    }

    // Changed to agent messages only, keeping its token.
    let updated = fx
        .connections
        .update_botmaker_webhook(&conn.id, &created.id, input(&["agent"]))
        .await
        .expect("updated");
    assert_eq!(updated.message_types, ["agent"]);
    let listed = fx
        .connections
        .list_botmaker_webhooks(&conn.id)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].token_kept);
    assert_eq!(
        listed[0]
            .token_masked
            .as_deref()
            .map(|m| m.ends_with(&token[token.len() - 4..])),
        Some(true)
    );

    // The token changed in Botmaker's dashboard: the capture is refused and explained.
    fx.control(
        &conn,
        "PUT",
        &format!("/webhooks/{}", created.id),
        json!({"type": "message_status", "url": format!("{}/botmaker", fx.receiver),
               "securityToken": "bmt_changed_elsewhere_0000", "channels": [channel], "messageTypes": ["agent"]}),
    )
    .await;
    fx.control(
        &conn,
        "POST",
        "/sandbox/inbound",
        chat(json!({"from": "agent", "text": "from an agent"})),
    )
    .await;
    let captures = fx.captures_when(3).await;
    assert_eq!(captures.len(), 3);
    let last = fx
        .inspectors
        .get_capture(fx.scope.clone(), captures[2].id)
        .await
        .expect("detail");
    assert_eq!(
        last.summary.event_type.as_deref(),
        Some("message_status.agent")
    );
    let verdict = last.verdict.expect("verdict");
    assert!(!verdict.valid);
    assert_eq!(verdict.problem, Some(Problem::NoMatch));
    assert!(!verdict.detail.is_empty());

    fx.connections
        .delete_botmaker_webhook(&conn.id, &created.id)
        .await
        .expect("deleted");
    assert!(fx
        .connections
        .list_botmaker_webhooks(&conn.id)
        .await
        .expect("list")
        .is_empty());
    let tokens: Value =
        serde_json::from_str(&fx.kept(&conn, "webhook_tokens").expect("tokens")).expect("json");
    assert!(tokens.get(&created.id).is_none(), "its token is forgotten");

    fx.assert_sandbox_sees_none().await;
    assert!(fx.kept(&conn, "inspector-credential-key").is_some());

    fx.connections.remove(&conn.id).await.expect("removed");
    for name in ["webhook_tokens", "inspector-credential-key"] {
        assert_eq!(
            fx.kept(&conn, name),
            None,
            "{name} removed with its connection"
        );
    }
}

#[tokio::test]
async fn a_botbiz_signature_is_verified_with_the_connections_secret_and_accounts_connect_by_qr() {
    let mut fx = fixture().await;
    let stand_in = botbiz::start(botbiz::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: fx.dir.path().join("botbiz"),
        plan: botbiz::Plan::Pro,
        key: None,
    })
    .await
    .expect("the Botbiz stand-in");
    let conn = fx.connect(Platform::Botbiz, &stand_in).await;

    // A WhatsApp account, shown with its QR code and connected by the stand-in's scan.
    let error = fx
        .connections
        .create_botbiz_account(&conn.id, "0155 5550123", "Support")
        .await
        .expect_err("not international");
    assert_eq!(field(&error), "phone_number");
    let error = fx
        .connections
        .create_botbiz_account(&conn.id, "+14155550123", " ")
        .await
        .expect_err("no name");
    assert_eq!(field(&error), "name");
    let account = fx
        .connections
        .create_botbiz_account(&conn.id, "+14155550123", "Support")
        .await
        .expect("account");
    assert!(account.id.starts_with("wha_"));
    assert_eq!(account.status, "pending");
    let listed = fx
        .connections
        .list_botbiz_accounts(&conn.id)
        .await
        .expect("list");
    assert_eq!(
        listed.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [account.id.as_str()]
    );
    let qr = fx
        .connections
        .botbiz_account_qr(&conn.id, &account.id)
        .await
        .expect("qr");
    let svg = qr
        .image
        .strip_prefix("data:image/svg+xml;base64,")
        .expect("an SVG data URL");
    let svg = base64::engine::general_purpose::STANDARD
        .decode(svg)
        .expect("base64");
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    assert_eq!(qr.account.status, "pending");
    let scanned = fx
        .connections
        .play_botbiz_scan(&conn.id, &account.id)
        .await
        .expect("scan");
    assert_eq!(scanned.status, "connected");
    assert_eq!(
        fx.connections
            .get_botbiz_account(&conn.id, &account.id)
            .await
            .expect("get")
            .status,
        "connected"
    );

    // The webhook secret kept for the connection verifies the signature.
    let set = fx
        .control(
            &conn,
            "PUT",
            "/sandbox/webhook",
            json!({"url": format!("{}/botbiz", fx.receiver)}),
        )
        .await;
    let secret = set["secret"].as_str().expect("secret").to_string();
    let error = fx
        .connections
        .set_webhook_secret(&conn.id, "short")
        .await
        .expect_err("short");
    assert_eq!(field(&error), "secret");
    let kept = fx
        .connections
        .set_webhook_secret(&conn.id, &secret)
        .await
        .expect("kept");
    assert!(kept
        .masked
        .expect("masked")
        .ends_with(&secret[secret.len() - 4..]));
    assert_eq!(
        fx.kept(&conn, "webhook_secret").as_deref(),
        Some(secret.as_str())
    );
    fx.inspectors
        .refresh_secrets(fx.scope.clone())
        .await
        .expect("refresh");
    let inbound = json!({"from": "+5491155551234", "content": "hola"});
    fx.control(&conn, "POST", "/sandbox/inbound", inbound.clone())
        .await;
    let captures = fx.captures().await;
    assert_eq!(captures.len(), 1);
    assert_eq!(
        captures[0].event_type.as_deref(),
        Some("whatsapp.message.received")
    );
    let verdict = fx
        .inspectors
        .get_capture(fx.scope.clone(), captures[0].id)
        .await
        .expect("detail")
        .verdict
        .expect("verdict");
    assert!(verdict.valid, "{}", verdict.detail);
    assert_eq!(
        verdict.matched.as_deref(),
        Some("the webhook secret of Botbiz “Acme Botbiz”")
    );

    // A wrong secret kept: the signature is refused and explained.
    fx.connections
        .set_webhook_secret(&conn.id, "bzwh_not_the_secret_0000")
        .await
        .expect("kept");
    fx.inspectors
        .refresh_secrets(fx.scope.clone())
        .await
        .expect("refresh");
    fx.control(&conn, "POST", "/sandbox/inbound", inbound).await;
    let captures = fx.captures().await;
    assert_eq!(captures.len(), 2);
    let verdict = fx
        .inspectors
        .get_capture(fx.scope.clone(), captures[1].id)
        .await
        .expect("detail")
        .verdict
        .expect("verdict");
    assert!(!verdict.valid);
    assert_eq!(verdict.problem, Some(Problem::NoMatch));
    assert!(
        verdict.detail.contains("Botbiz") || verdict.detail.contains("secret"),
        "{}",
        verdict.detail
    );

    // Forgetting it leaves nothing to verify with, which the verdict says.
    fx.connections
        .set_webhook_secret(&conn.id, "")
        .await
        .expect("forgotten");
    assert_eq!(fx.kept(&conn, "webhook_secret"), None);

    // Botbiz has no webhooks API to manage: the Botmaker functions refuse the connection.
    let error = fx
        .connections
        .list_botmaker_webhooks(&conn.id)
        .await
        .expect_err("not Botmaker");
    assert_eq!(error.code, ConsoleCode::InvalidInput);
    assert!(
        error.message.contains("Botbiz connection"),
        "{}",
        error.message
    );

    // The captures are the connection's alone; the tunnel is BotBat's, and a connection
    // that is not saved has no Inspector.
    fx.assert_sandbox_sees_none().await;
    let error = fx
        .inspectors
        .connect_tunnel(fx.scope.clone())
        .await
        .expect_err("no tunnel for Botbiz");
    assert_eq!(field(&error), "tunnel");
    let error = fx
        .inspectors
        .status(InspectorScope::Connection("conn_unknown".into()))
        .await
        .expect_err("unknown connection");
    assert_eq!(error.code, botbat_api::ErrorCode::NotFound);
}
