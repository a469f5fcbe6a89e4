//! Try It against Botbiz and Botmaker connections, over real HTTP on loopback to their
//! stand-ins: the catalogs from the shipped descriptions (every Botmaker example checked
//! against the wire types and sent), sends through the connection's credential, a Botbiz
//! 401 and a 429 waited out (and cancelled), history kept per connection, the gauge's
//! headers, and snippets that carry each platform's own header and run in curl, node,
//! Python, PHP and Java. The SDKs section's quick-starts, made by the same generator, run
//! in every SDK language against the embedded BotBat sandbox and both stand-ins.

mod common;

use std::sync::Arc;

use botbat_api::platforms::botmaker::{self as wire, Channel, ErrorBody, Items, Sent, Webhook};
use botbat_console_core::connections::{Connection, Connections, NewConnection, Platform};
use botbat_console_core::tryit::{
    validate_value, Patterns, QuickStart, TryIt, TryPair, TryProgress, TryRequest, TrySendOptions,
    SDK_LANGUAGES,
};
use botbat_console_core::{management_key_id, Console, Environment};
use botbat_sandbox::standins::{botbiz, botmaker, RunningStandIn};
use botbat_secrets::{AsyncSecrets, MemoryStore, SecretStore};
use serde_json::{json, Value};

struct Fixture {
    console: Console,
    connections: Connections,
    tryit: TryIt,
    dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let console = common::console_in(dir.path(), secrets.clone());
    let connections = Connections::new(&dir.path().join("data"), AsyncSecrets::new(secrets));
    Fixture {
        console,
        connections,
        tryit: TryIt::new(),
        dir,
    }
}

async fn start_botbiz(dir: &std::path::Path, plan: botbiz::Plan) -> (RunningStandIn, String) {
    let running = botbiz::start(botbiz::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join(format!("botbiz-{}", rand_suffix())),
        plan,
        key: None,
    })
    .await
    .expect("the Botbiz stand-in");
    let key = running
        .generated_key
        .as_ref()
        .expect("a generated key")
        .expose()
        .to_string();
    (running, key)
}

async fn start_botmaker(dir: &std::path::Path) -> (RunningStandIn, String) {
    let running = botmaker::start(botmaker::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join("botmaker"),
        per_second: 50,
        token: None,
    })
    .await
    .expect("the Botmaker stand-in");
    let token = running
        .generated_key
        .as_ref()
        .expect("a generated token")
        .expose()
        .to_string();
    (running, token)
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::SeqCst).to_string()
}

async fn add(
    fx: &Fixture,
    platform: Platform,
    label: &str,
    base_url: &str,
    credential: &str,
) -> Connection {
    fx.connections
        .add(NewConnection {
            platform,
            label: label.into(),
            base_url: Some(base_url.into()),
            credential: credential.into(),
        })
        .await
        .expect("connection added")
}

/// A Botbiz (Free plan) and a Botmaker stand-in, each with a connection to it.
struct Both {
    biz: RunningStandIn,
    key: String,
    maker: RunningStandIn,
    token: String,
    b: Connection,
    m: Connection,
}

async fn fixture_with_both() -> (Fixture, Both) {
    let fx = fixture();
    let (biz, key) = start_botbiz(fx.dir.path(), botbiz::Plan::Free).await;
    let (maker, token) = start_botmaker(fx.dir.path()).await;
    let b = add(&fx, Platform::Botbiz, "Biz", &biz.base_url, &key).await;
    let m = add(&fx, Platform::Botmaker, "Maker", &maker.base_url, &token).await;
    let both = Both {
        biz,
        key,
        maker,
        token,
        b,
        m,
    };
    (fx, both)
}

fn get(path: &str) -> TryRequest {
    TryRequest {
        method: "GET".into(),
        path: path.into(),
        ..TryRequest::default()
    }
}

fn post(operation_id: &str, path: &str, body: &Value) -> TryRequest {
    TryRequest {
        operation_id: Some(operation_id.into()),
        method: "POST".into(),
        path: path.into(),
        body: Some(body.to_string()),
        ..TryRequest::default()
    }
}

async fn send(
    fx: &Fixture,
    id: &str,
    request: &TryRequest,
) -> botbat_console_core::tryit::TryResponse {
    fx.tryit
        .connection_send(
            &fx.console,
            &fx.connections,
            id,
            request,
            TrySendOptions::default(),
            "run-test",
            |_| {},
        )
        .await
        .expect("sent")
}

fn document() -> Value {
    serde_json::from_str(wire::OPENAPI_JSON).expect("botmaker.json is JSON")
}

/// Every example in botmaker.json, with the schema it illustrates (resolved) and where.
fn examples() -> Vec<(String, Value, Value)> {
    let doc = document();
    let mut out = Vec::new();
    let resolve = |schema: &Value| botbat_console_core::tryit::resolve_schema(&doc, schema, 0);
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let Some(operation) = operation.as_object().filter(|_| method != "parameters") else {
                continue;
            };
            if let Some(media) = operation
                .get("requestBody")
                .and_then(|b| b.pointer("/content/application~1json"))
            {
                let schema = resolve(&media["schema"]);
                out.push((
                    format!("{method} {path} request"),
                    media["example"].clone(),
                    schema.clone(),
                ));
                for (name, example) in media
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    out.push((
                        format!("{method} {path} request {name}"),
                        example["value"].clone(),
                        schema.clone(),
                    ));
                }
            }
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let response = resolve(response);
                if let Some(media) = response.pointer("/content/application~1json") {
                    out.push((
                        format!("{method} {path} {status}"),
                        media["example"].clone(),
                        media["schema"].clone(),
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn every_botmaker_example_fits_its_schema_and_the_wire_types() {
    let examples = examples();
    assert!(
        examples.len() >= 20,
        "only {} examples found",
        examples.len()
    );
    let patterns = Patterns::default();
    let mut kinds = Vec::new();
    for (at, example, schema) in &examples {
        assert!(!example.is_null(), "{at} has no example");
        let mut issues = Vec::new();
        validate_value(schema, example, "", &patterns, &mut issues);
        assert!(
            issues.is_empty(),
            "{at} does not fit its schema: {issues:?}"
        );
        let fits = |result: Result<(), serde_json::Error>| {
            if let Err(e) = result {
                panic!("{at} does not fit the wire type: {e}\n{example}");
            }
        };
        let typed = example.clone();
        match at.as_str() {
            a if a.starts_with("post /chats-actions/send-messages request") => {
                let send: wire::SendMessages = serde_json::from_value(typed).expect(a);
                assert_eq!(
                    &serde_json::to_value(&send).expect("json"),
                    example,
                    "{a} round trip"
                );
                for message in &send.messages {
                    let kind = ["text", "media", "location", "contact"]
                        .into_iter()
                        .find(|k| message.get(*k).is_some())
                        .expect("a message kind");
                    kinds.push(if message.get("buttons").is_some() {
                        "buttons"
                    } else {
                        kind
                    });
                }
            }
            "get /channels 200" => fits(serde_json::from_value::<Items<Channel>>(typed).map(drop)),
            "post /chats-actions/send-messages 200" => {
                fits(serde_json::from_value::<Sent>(typed).map(drop))
            }
            "get /webhooks 200" => fits(serde_json::from_value::<Items<Webhook>>(typed).map(drop)),
            a if a.starts_with("post /webhooks request")
                || a.starts_with("put /webhooks/{id} request") =>
            {
                let mut with_id = typed;
                with_id["id"] = json!("bmw_x");
                fits(serde_json::from_value::<Webhook>(with_id).map(drop))
            }
            "post /webhooks 200" | "get /webhooks/{id} 200" | "put /webhooks/{id} 200" => {
                fits(serde_json::from_value::<Webhook>(typed).map(drop))
            }
            "delete /webhooks/{id} 200" => assert_eq!(example["deleted"], json!(true)),
            _ => fits(serde_json::from_value::<ErrorBody>(typed).map(drop)),
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds, ["buttons", "contact", "location", "media", "text"]);
}

#[tokio::test]
async fn catalogs_come_from_each_platforms_description_and_every_send_example_is_accepted() {
    let (fx, both) = fixture_with_both().await;
    let Both { biz, b, m, .. } = &both;

    let biz_catalog = fx
        .tryit
        .connection_catalog(&fx.connections, &b.id)
        .expect("catalog");
    assert_eq!(biz_catalog.connection_id.as_deref(), Some(b.id.as_str()));
    let ids: Vec<&str> = biz_catalog
        .modules
        .iter()
        .flat_map(|m| &m.operations)
        .map(|o| o.id.as_str())
        .collect();
    for id in [
        "list_users",
        "connect_whatsapp_account",
        "send_whatsapp_message",
        "get_whatsapp_qr_code",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // The file the console ships is the one the stand-in serves.
    let served: Value = reqwest::get(format!("{}/openapi.json", biz.base_url))
        .await
        .expect("served")
        .json()
        .await
        .expect("json");
    let shipped: Value =
        serde_json::from_str(botbat_api::platforms::botbiz::OPENAPI_JSON).expect("json");
    assert_eq!(served, shipped);

    let maker_catalog = fx
        .tryit
        .connection_catalog(&fx.connections, &m.id)
        .expect("catalog");
    let send_op = maker_catalog
        .modules
        .iter()
        .flat_map(|m| &m.operations)
        .find(|o| o.id == "send_messages")
        .expect("send_messages");
    assert_eq!(send_op.path, "/chats-actions/send-messages");
    assert!(send_op
        .body
        .as_ref()
        .is_some_and(|b| b.example.contains("webhookPayload")));

    // Every documented send example reaches the stand-in and is accepted, once the channel
    // is one the bot has.
    let channels = send(&fx, &m.id, &get("/channels")).await;
    assert_eq!(channels.status, 200, "{}", channels.body);
    let whatsapp = channels.json.as_ref().expect("json")["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["platform"] == "whatsapp")
        .expect("a WhatsApp channel")["id"]
        .clone();
    let mut sent = 0;
    for (at, mut example, _) in examples() {
        if !at.starts_with("post /chats-actions/send-messages request ") {
            continue;
        }
        example["chat"]["channelId"] = whatsapp.clone();
        let response = send(
            &fx,
            &m.id,
            &post("send_messages", "/chats-actions/send-messages", &example),
        )
        .await;
        assert_eq!(response.status, 200, "{at}: {}", response.body);
        let conformance = response.conformance.expect("checked against the schema");
        assert!(
            conformance.checked && conformance.issues.is_empty(),
            "{at}: {conformance:?}"
        );
        sent += 1;
    }
    assert_eq!(sent, 5);
}

#[tokio::test]
async fn a_send_succeeds_and_each_connection_keeps_its_own_history() {
    let (fx, both) = fixture_with_both().await;
    let Both { key, b, m, .. } = &both;

    let body = json!({"phone_number": "+15551234567", "name": "Support line"});
    let created = send(
        &fx,
        &b.id,
        &post("connect_whatsapp_account", "/whatsapp/accounts", &body),
    )
    .await;
    assert!((200..300).contains(&created.status), "{}", created.body);
    let account = created.json.as_ref().expect("json");
    assert!(
        account["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("wha_")),
        "{account}"
    );
    assert_eq!(account["status"], "pending");
    assert!(
        created.credential_label.contains("Biz"),
        "{}",
        created.credential_label
    );
    // Every Botbiz answer's X-RateLimit-* headers are read.
    let limit = created.rate_limit.clone().expect("rate-limit headers read");
    assert_eq!(limit.limit, 60);
    assert!(limit.reset > chrono::Utc::now().timestamp() - 1);

    let listed = send(&fx, &m.id, &get("/channels")).await;
    assert_eq!(listed.status, 200);

    let biz_history = fx
        .tryit
        .connection_history_list(&fx.console, &b.id, "")
        .await
        .expect("history");
    let maker_history = fx
        .tryit
        .connection_history_list(&fx.console, &m.id, "")
        .await
        .expect("history");
    assert_eq!(biz_history.len(), 1, "{biz_history:?}");
    assert_eq!(biz_history[0].path, "/whatsapp/accounts");
    assert_eq!(maker_history.len(), 1, "{maker_history:?}");
    assert_eq!(maker_history[0].path, "/channels");
    // No entry of one connection opens in the other.
    let biz_entry = biz_history[0].id;
    let maker_entry = maker_history[0].id;
    let other = fx
        .tryit
        .connection_history_entry(&fx.console, &m.id, biz_entry)
        .await;
    if biz_entry != maker_entry {
        assert!(
            other.is_err(),
            "a Botbiz entry opened in Botmaker's history"
        );
    } else {
        assert_eq!(other.expect("entry").item.path, "/channels");
    }
    // The secret is not in history.
    let entry = fx
        .tryit
        .connection_history_entry(&fx.console, &b.id, biz_entry)
        .await
        .expect("entry");
    assert!(!serde_json::to_string(&entry)
        .expect("json")
        .contains(key.as_str()));
    // BotBat's own history is untouched.
    let botbat = fx
        .tryit
        .history_list(&fx.console, "")
        .await
        .expect("BotBat history");
    assert!(botbat.is_empty(), "{botbat:?}");

    assert_eq!(
        fx.tryit
            .connection_clear_history(&fx.console, &b.id)
            .await
            .expect("cleared"),
        1
    );
    let maker_after = fx
        .tryit
        .connection_history_list(&fx.console, &m.id, "")
        .await
        .expect("history");
    assert_eq!(
        maker_after.len(),
        1,
        "clearing Botbiz's history cleared Botmaker's"
    );
}

#[tokio::test]
async fn a_botbiz_401_is_read_with_its_code_and_message() {
    let fx = fixture();
    let (biz, _key) = start_botbiz(fx.dir.path(), botbiz::Plan::Free).await;
    let wrong = add(
        &fx,
        Platform::Botbiz,
        "Wrong",
        &biz.base_url,
        "bz_wrongwrongwrongwrong",
    )
    .await;
    let response = send(&fx, &wrong.id, &get("/users")).await;
    assert_eq!(response.status, 401);
    let error = &response.json.as_ref().expect("json")["error"];
    assert_eq!(error["code"], "unauthorized");
    assert_eq!(error["status"], 401);
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(!response.meaning.is_empty());
    let conformance = response.conformance.expect("checked");
    assert!(
        conformance.checked && conformance.issues.is_empty(),
        "{conformance:?}"
    );
}

#[tokio::test]
async fn a_botbiz_429_is_waited_out_until_the_reset_and_sent_once_more() {
    let fx = fixture();
    let (biz, key) = start_botbiz(fx.dir.path(), botbiz::Plan::Enterprise(2)).await;
    let b = add(&fx, Platform::Botbiz, "Tight", &biz.base_url, &key).await;
    // Within at most a few sends the window is spent and a send waits for its reset.
    let mut waits: Vec<TryProgress> = Vec::new();
    let mut last = None;
    for _ in 0..8 {
        let response = fx
            .tryit
            .connection_send(
                &fx.console,
                &fx.connections,
                &b.id,
                &get("/users"),
                TrySendOptions::default(),
                "run-wait",
                |p| waits.push(p.clone()),
            )
            .await
            .expect("sent");
        last = Some(response);
        if !waits.is_empty() {
            break;
        }
    }
    let response = last.expect("a response");
    assert_eq!(waits.len(), 1, "one countdown, one wait");
    let seconds = waits[0].waiting_seconds.expect("a countdown");
    assert!((1..=61).contains(&seconds), "{seconds}");
    assert_eq!(
        response.status, 200,
        "sent once more after the reset: {}",
        response.body
    );
    // The 429 and the answer after the wait are both in history.
    let history = fx
        .tryit
        .connection_history_list(&fx.console, &b.id, "")
        .await
        .expect("history");
    let statuses: Vec<u16> = history.iter().map(|h| h.status).collect();
    assert_eq!(&statuses[..2], &[200, 429], "{statuses:?}");
    // The gauge has the latest headers: a fresh window.
    let limits = fx.tryit.connection_limits(&b.id);
    let rate = limits.rate_limit.expect("headers kept");
    assert_eq!((rate.limit, rate.remaining), (2, 1));
}

#[tokio::test]
async fn a_botbiz_wait_can_be_cancelled_and_leaves_the_429_with_its_headers() {
    let fx = fixture();
    let (biz, key) = start_botbiz(fx.dir.path(), botbiz::Plan::Enterprise(1)).await;
    let b = add(&fx, Platform::Botbiz, "One", &biz.base_url, &key).await;
    let tryit = &fx.tryit;
    let mut waited = false;
    let mut last = None;
    for _ in 0..6 {
        let response = tryit
            .connection_send(
                &fx.console,
                &fx.connections,
                &b.id,
                &get("/users"),
                TrySendOptions::default(),
                "run-cancel",
                |p| {
                    assert!(p.waiting_seconds.is_some());
                    waited = true;
                    assert!(tryit.cancel("run-cancel"), "the wait is cancellable");
                },
            )
            .await
            .expect("sent");
        last = Some(response);
        if waited {
            break;
        }
    }
    assert!(waited, "no wait happened");
    let response = last.expect("response");
    assert_eq!(response.status, 429);
    assert_eq!(
        response.json.as_ref().expect("json")["error"]["code"],
        "rate_limit_exceeded"
    );
    let rate = response.rate_limit.expect("headers parsed");
    assert_eq!((rate.limit, rate.remaining), (1, 0));
    assert!(rate.reset > chrono::Utc::now().timestamp() - 1);
    // "Check now" makes one read and shows its headers: still spent.
    let checked = tryit
        .connection_check_limits(&fx.connections, &b.id)
        .await
        .expect("checked");
    assert_eq!(checked.rate_limit.expect("headers").remaining, 0);
    assert_eq!(checked.connection_id, b.id);
}

#[tokio::test]
async fn snippets_use_the_connections_base_url_and_header_and_run() {
    let (fx, both) = fixture_with_both().await;
    let Both {
        biz,
        key,
        maker,
        token,
        b,
        m,
    } = &both;
    let mut request = get("/channels");
    // A header the user typed in the platform's auth header's place is not repeated.
    request.headers.push(TryPair::new("access-token", "typed"));

    let cases = [
        (
            &b.id,
            get("/users"),
            "-H \"Authorization: Bearer $BOTBIZ_API_KEY\"",
            "BOTBIZ_API_KEY",
            &key,
            &biz.base_url,
        ),
        (
            &m.id,
            request,
            "-H \"access-token: $BOTMAKER_ACCESS_TOKEN\"",
            "BOTMAKER_ACCESS_TOKEN",
            &token,
            &maker.base_url,
        ),
    ];
    for (id, request, header, variable, secret, base_url) in cases {
        let masked = fx
            .tryit
            .connection_snippets(&fx.connections, id, &request, false)
            .await
            .expect("snippets");
        assert_eq!(masked.len(), 5);
        for snippet in &masked {
            assert!(snippet.code.contains(variable), "{}", snippet.code);
            assert!(
                !snippet.code.contains(secret.as_str()),
                "secret in a masked snippet"
            );
            assert!(snippet.code.contains(base_url.as_str()), "{}", snippet.code);
            assert!(!snippet.code.contains("typed"), "{}", snippet.code);
        }
        let curl = &masked[0].code;
        assert!(curl.contains(header), "{curl}");
        // Each language's snippet gets the platform's answer, shaped like the console's own.
        let answer = send(&fx, id, &request).await;
        let answer = answer.json.expect("the platform answers JSON");
        let work = tempfile::tempdir().expect("dir");
        let languages: Vec<&str> = masked.iter().map(|s| s.language.as_str()).collect();
        assert_eq!(languages, ["curl", "javascript", "python", "php", "java"]);
        for snippet in &masked {
            let (status, body) = common::snippets::run(
                &snippet.language,
                &snippet.code,
                work.path(),
                (variable, secret),
            )
            .await;
            assert_eq!(
                status, 200,
                "{}: {body}\n{}",
                snippet.language, snippet.code
            );
            if let Err(difference) = common::snippets::same_shape(&answer, &body) {
                panic!("{}: {difference}\n{body}", snippet.language);
            }
        }
        let inline = fx
            .tryit
            .connection_snippets(&fx.connections, id, &request, true)
            .await
            .expect("snippets");
        assert!(
            inline[0].code.contains(secret.as_str()),
            "{}",
            inline[0].code
        );
        assert!(!inline[0].code.contains(variable), "{}", inline[0].code);
        let output = tokio::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "{} -sS -o /dev/null -w '%{{http_code}}'",
                inline[0].code
            ))
            .output()
            .await
            .expect("curl runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "200",
            "{}",
            inline[0].code
        );
    }
}

#[tokio::test]
async fn a_check_names_the_url_the_refused_fields_and_a_typed_auth_header() {
    let (fx, both) = fixture_with_both().await;
    let Both {
        biz, maker, b, m, ..
    } = &both;

    let fine = get("/channels");
    let check = fx
        .tryit
        .connection_check(&fx.connections, &m.id, &fine)
        .expect("checked");
    assert_eq!(check.url, format!("{}/channels", maker.base_url));
    assert!(check.issues.is_empty(), "{:?}", check.issues);
    assert_eq!(check.missing_scope, None);

    // The connection's credential sets the auth header: one typed by hand is flagged.
    let mut typed = get("/channels");
    typed.headers.push(TryPair::new("Access-Token", "typed"));
    let check = fx
        .tryit
        .connection_check(&fx.connections, &m.id, &typed)
        .expect("checked");
    let fields: Vec<&str> = check.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields, ["header.access-token"]);

    // A Botbiz message without its `to` is refused before it is sent, as the send would.
    let incomplete = post(
        "send_whatsapp_message",
        "/whatsapp/messages",
        &json!({"type": "text", "content": "hello"}),
    );
    let check = fx
        .tryit
        .connection_check(&fx.connections, &b.id, &incomplete)
        .expect("checked");
    assert_eq!(check.url, format!("{}/whatsapp/messages", biz.base_url));
    assert!(
        check.issues.iter().any(|i| i.field == "to"),
        "{:?}",
        check.issues
    );

    let error = fx
        .tryit
        .connection_check(&fx.connections, "conn_gone", &fine)
        .expect_err("unknown connection");
    assert_eq!(error.code, botbat_api::ErrorCode::NotFound);
}

/// Runs each quick-start with `secret` in its variable: 200 and a JSON object, in every SDK
/// language, with the credential never written into the code.
async fn run_quick_start(quick: &QuickStart, secret: &str, answer: &Value) {
    let languages: Vec<&str> = quick.snippets.iter().map(|s| s.language.as_str()).collect();
    assert_eq!(languages, SDK_LANGUAGES);
    let work = tempfile::tempdir().expect("dir");
    for snippet in &quick.snippets {
        assert!(
            !snippet.code.contains(secret),
            "{}: secret inlined",
            snippet.language
        );
        assert!(snippet.code.contains(&quick.variable), "{}", snippet.code);
        let (status, body) = common::snippets::run(
            &snippet.language,
            &snippet.code,
            work.path(),
            (&quick.variable, secret),
        )
        .await;
        assert_eq!(
            status, 200,
            "{}: {body}\n{}",
            snippet.language, snippet.code
        );
        assert!(body.is_object(), "{}: {body}", snippet.language);
        if let Err(difference) = common::snippets::same_shape(answer, &body) {
            panic!("{}: {difference}\n{body}", snippet.language);
        }
    }
}

#[tokio::test]
async fn quick_starts_run_in_every_sdk_language_for_botbat_botbiz_and_botmaker() {
    // BotBat: the embedded sandbox, as the app starts it, and its management key.
    let secrets = common::keychain_or_memory("quickstart");
    let embedded = common::embedded_console(secrets.clone()).await;
    let tryit = TryIt::new();
    let quick = tryit
        .quickstart(&embedded.console, Environment::Sandbox)
        .await
        .expect("BotBat quick-start");
    assert_eq!(quick.sdks.len(), 4);
    assert!(quick.no_sdk.is_none());
    assert_eq!(
        (quick.method.as_str(), quick.path.as_str()),
        ("GET", "/v1/me")
    );
    assert_eq!(quick.variable, "BOTBAT_API_KEY");
    let key = secrets
        .get(&management_key_id(Environment::Sandbox))
        .expect("keychain")
        .expect("the sandbox's management key");
    let me = TryRequest {
        operation_id: Some("me".into()),
        credential: botbat_console_core::tryit::MANAGEMENT_CREDENTIAL.into(),
        ..get("/v1/me")
    };
    let answer = tryit
        .send(
            &embedded.console,
            Environment::Sandbox,
            &me,
            TrySendOptions::default(),
        )
        .await
        .expect("sent");
    assert_eq!(answer.status, 200, "{}", answer.body);
    run_quick_start(&quick, key.expose(), &answer.json.expect("json")).await;

    // Botbiz and Botmaker: no SDK, said in one sentence, and the same quick-starts in plain
    // HTTP with each platform's base URL, header and variable.
    let (fx, both) = fixture_with_both().await;
    let cases = [
        (
            &both.b,
            "Botbiz",
            "/users",
            "BOTBIZ_API_KEY",
            &both.key,
            &both.biz.base_url,
        ),
        (
            &both.m,
            "Botmaker",
            "/channels",
            "BOTMAKER_ACCESS_TOKEN",
            &both.token,
            &both.maker.base_url,
        ),
    ];
    for (connection, title, path, variable, secret, base_url) in cases {
        let quick = fx
            .tryit
            .connection_quickstart(&fx.connections, &connection.id)
            .await
            .expect("quick-start");
        assert!(quick.sdks.is_empty(), "{title}: {:?}", quick.sdks);
        assert_eq!(
            quick.no_sdk.as_deref(),
            Some(
                format!("{title}'s docs name no SDK; these quick-starts use plain HTTP.").as_str()
            )
        );
        assert_eq!(quick.path, path);
        assert_eq!(quick.variable, variable);
        for snippet in &quick.snippets {
            assert!(snippet.code.contains(base_url.as_str()), "{}", snippet.code);
        }
        let answer = send(&fx, &connection.id, &get(path)).await;
        assert_eq!(answer.status, 200, "{title}: {}", answer.body);
        run_quick_start(&quick, secret, &answer.json.expect("json")).await;
    }
}
