//! The Botbiz stand-in's routes: the documented ones, the reads they imply (an account, its
//! QR code, a message), and the sandbox controls under `/v1/sandbox` that play what a phone
//! or a WhatsApp user would do.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use botbat_api::platforms::botbiz::{
    AccountStatus, ConnectAccount, ErrorCode, List, Message, ReceivedMessage, SendMessage,
    WebhookEvent, WhatsAppAccount, MESSAGE_RECEIVED, MESSAGE_TYPES, OPENAPI_JSON,
};
use serde_json::{json, Value};
use sqlx::FromRow;

use super::{key_secret, Access, Caller, Error, Result, StandIn, MAX_BODY};
use crate::clock::from_ms;
use crate::ids;
use crate::standins::{body as read, credentials};

/// Routes that need no key.
pub(super) fn public() -> Router<StandIn> {
    Router::new().route("/v1/openapi.json", get(openapi))
}

/// Routes behind the Bearer key and the per-minute limit.
pub(super) fn router(_: StandIn) -> Router<StandIn> {
    Router::new()
        .route("/v1/users", get(list_users))
        .route(
            "/v1/whatsapp/accounts",
            post(connect_account).get(list_accounts),
        )
        .route("/v1/whatsapp/accounts/{id}", get(get_account))
        .route("/v1/whatsapp/accounts/{id}/qr-code", get(qr_code))
        .route("/v1/whatsapp/messages", post(send_message))
        .route("/v1/whatsapp/messages/{id}", get(get_message))
        .route("/v1/sandbox/whatsapp/accounts/{id}/scan", post(scan))
        .route("/v1/sandbox/webhook", put(set_webhook))
        .route("/v1/sandbox/inbound", post(inbound))
        .route("/v1/sandbox/api_keys", post(create_key))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Error {
    Error::invalid(format!(
        "{method} is not allowed on {}: see /v1/openapi.json for the methods each endpoint takes.",
        uri.path()
    ))
}

async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}

fn required<'a>(body: &'a Value, name: &str) -> Result<&'a str> {
    read::required(body, name).map_err(Error::invalid)
}

fn phone(body: &Value, name: &str) -> Result<String> {
    let number = required(body, name)?.trim();
    if read::is_phone(number) {
        Ok(number.to_string())
    } else {
        Err(Error::invalid(format!(
            "Invalid parameter: {name} must be a phone number with its country code, such as +1234567890"
        )))
    }
}

/// A caller whose key may make changes: read-only keys get Botbiz's 403.
struct Writer;

impl<S: Send + Sync> FromRequestParts<S> for Writer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        match parts.extensions.get::<Caller>().map(|caller| caller.access) {
            Some(Access::Full) => Ok(Writer),
            _ => Err(Error::new(
                ErrorCode::Forbidden,
                "This API key is read-only: it doesn't have permission to make changes. Use a key with full access.",
            )),
        }
    }
}

/// A change: a caller who may write, and a JSON object body of at most [`MAX_BODY`] bytes.
struct WriteBody(Value);

impl<S: Send + Sync> FromRequest<S> for WriteBody {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        let (mut parts, body) = request.into_parts();
        Writer::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state).await;
        read::object(bytes, MAX_BODY)
            .map(WriteBody)
            .map_err(Error::invalid)
    }
}

/// A message type Botbiz documents, or its 400.
fn message_type(kind: &str) -> Result<()> {
    if MESSAGE_TYPES.contains(&kind) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "Invalid parameter: type must be one of {}",
            MESSAGE_TYPES.join(", ")
        )))
    }
}

async fn list_users() -> Json<Value> {
    Json(json!({"data": [{
        "id": "usr_owner",
        "name": "Stand-in owner",
        "email": "owner@botbiz.example"
    }]}))
}

#[derive(FromRow)]
struct AccountRow {
    id: String,
    phone_number: String,
    name: String,
    status: String,
    pairing_code: String,
    created_at: i64,
}

impl AccountRow {
    fn to_api(&self, origin: &str) -> WhatsAppAccount {
        WhatsAppAccount {
            id: self.id.clone(),
            phone_number: self.phone_number.clone(),
            name: self.name.clone(),
            status: if self.status == "connected" {
                AccountStatus::Connected
            } else {
                AccountStatus::Pending
            },
            qr_code_url: format!("{origin}/v1/whatsapp/accounts/{}/qr-code", self.id),
            created_at: from_ms(self.created_at),
        }
    }
}

async fn account(state: &StandIn, id: &str) -> Result<AccountRow> {
    sqlx::query_as("SELECT * FROM accounts WHERE id = ?")
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("No WhatsApp account {id:?}: list them with GET /v1/whatsapp/accounts."),
            )
        })
}

async fn connect_account(
    State(state): State<StandIn>,
    WriteBody(body): WriteBody,
) -> Result<Json<WhatsAppAccount>> {
    let request = ConnectAccount {
        phone_number: phone(&body, "phone_number")?,
        name: required(&body, "name")?.trim().to_string(),
    };
    if request.name.chars().count() > 100 {
        return Err(Error::invalid(
            "Invalid parameter: name must be at most 100 characters",
        ));
    }
    let row = AccountRow {
        id: format!("wha_{}", ids::base62(12)),
        phone_number: request.phone_number,
        name: request.name,
        status: "pending".to_string(),
        pairing_code: ids::base62(24),
        created_at: state.clock.now_ms(),
    };
    sqlx::query(
        "INSERT INTO accounts (id, phone_number, name, status, pairing_code, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.phone_number)
    .bind(&row.name)
    .bind(&row.status)
    .bind(&row.pairing_code)
    .bind(row.created_at)
    .execute(&state.db)
    .await?;
    Ok(Json(row.to_api(&state.origin)))
}

async fn list_accounts(State(state): State<StandIn>) -> Result<Json<List<WhatsAppAccount>>> {
    let rows: Vec<AccountRow> = sqlx::query_as("SELECT * FROM accounts ORDER BY created_at, id")
        .fetch_all(&state.db)
        .await?;
    Ok(Json(List {
        data: rows.iter().map(|r| r.to_api(&state.origin)).collect(),
    }))
}

async fn get_account(
    State(state): State<StandIn>,
    Path(id): Path<String>,
) -> Result<Json<WhatsAppAccount>> {
    Ok(Json(account(&state, &id).await?.to_api(&state.origin)))
}

/// The QR code the phone scans: it encodes the account's pairing code, as WhatsApp's
/// linking codes do, so a scan can be checked against the account it was shown for.
async fn qr_code(
    State(state): State<StandIn>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse> {
    let row = account(&state, &id).await?;
    let text = format!("botbiz://link/{}/{}", row.id, row.pairing_code);
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| {
        Error::new(
            ErrorCode::ServerError,
            format!("The QR code could not be drawn: {e}"),
        )
    })?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(([(CONTENT_TYPE, "image/svg+xml")], svg))
}

/// Plays the phone scanning the account's QR code: the account is connected.
async fn scan(
    State(state): State<StandIn>,
    _: Writer,
    Path(id): Path<String>,
) -> Result<Json<WhatsAppAccount>> {
    let row = account(&state, &id).await?;
    sqlx::query(
        "UPDATE accounts SET status = 'connected', connected_at = COALESCE(connected_at, ?)
         WHERE id = ?",
    )
    .bind(state.clock.now_ms())
    .bind(&row.id)
    .execute(&state.db)
    .await?;
    Ok(Json(account(&state, &row.id).await?.to_api(&state.origin)))
}

/// The account messages go out from: the first connected one.
async fn sending_account(state: &StandIn) -> Result<String> {
    sqlx::query_scalar(
        "SELECT id FROM accounts WHERE status = 'connected' ORDER BY created_at, id LIMIT 1",
    )
    .fetch_optional(&state.db)
    .await?
    .ok_or_else(|| {
        Error::invalid(
            "No connected WhatsApp account: connect one with POST /v1/whatsapp/accounts and scan its QR code.",
        )
    })
}

#[derive(FromRow)]
struct MessageRow {
    id: String,
    account_id: String,
    recipient: String,
    #[sqlx(rename = "type")]
    kind: String,
    content: String,
    status: String,
    created_at: i64,
}

impl MessageRow {
    fn to_api(&self) -> Message {
        Message {
            id: self.id.clone(),
            account_id: self.account_id.clone(),
            to: self.recipient.clone(),
            kind: self.kind.clone(),
            content: self.content.clone(),
            status: self.status.clone(),
            created_at: from_ms(self.created_at),
        }
    }
}

async fn send_message(
    State(state): State<StandIn>,
    WriteBody(body): WriteBody,
) -> Result<Json<Message>> {
    let request = SendMessage {
        to: phone(&body, "to")?,
        kind: required(&body, "type")?.to_string(),
        content: required(&body, "content")?.to_string(),
    };
    message_type(&request.kind)?;
    if request.kind != "text" && !read::is_http_url(&request.content) {
        return Err(Error::invalid(format!(
            "Invalid parameter: content of a {} message must be the media's http(s) URL",
            request.kind
        )));
    }
    let account_id = sending_account(&state).await?;
    let row = MessageRow {
        id: format!("msg_{}", ids::base62(12)),
        account_id,
        recipient: request.to,
        kind: request.kind,
        content: request.content,
        status: "queued".to_string(),
        created_at: state.clock.now_ms(),
    };
    sqlx::query(
        "INSERT INTO messages (id, account_id, recipient, type, content, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.account_id)
    .bind(&row.recipient)
    .bind(&row.kind)
    .bind(&row.content)
    .bind(&row.status)
    .bind(row.created_at)
    .execute(&state.db)
    .await?;
    Ok(Json(row.to_api()))
}

async fn get_message(
    State(state): State<StandIn>,
    Path(id): Path<String>,
) -> Result<Json<Message>> {
    let row: Option<MessageRow> = sqlx::query_as("SELECT * FROM messages WHERE id = ?")
        .bind(&id)
        .fetch_optional(&state.db)
        .await?;
    row.map(|r| Json(r.to_api()))
        .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("No message {id:?}.")))
}

/// Sets where incoming messages are delivered. The signing secret is made once and kept
/// when the URL changes, so a verifier does not have to be told again.
async fn set_webhook(
    State(state): State<StandIn>,
    WriteBody(body): WriteBody,
) -> Result<Json<Value>> {
    let url = required(&body, "url")?.trim().to_string();
    if !read::is_http_url(&url) {
        return Err(Error::invalid(
            "Invalid parameter: url must be an http(s) URL, such as http://127.0.0.1:4000/botbiz",
        ));
    }
    let secret = format!("bzwh_{}", ids::base62(32));
    sqlx::query(
        "INSERT INTO webhook (id, url, secret, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, updated_at = excluded.updated_at",
    )
    .bind(&url)
    .bind(&secret)
    .bind(state.clock.now_ms())
    .execute(&state.db)
    .await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM webhook WHERE id = 1")
        .fetch_one(&state.db)
        .await?;
    Ok(Json(json!({"url": url, "secret": secret})))
}

/// Plays a WhatsApp user writing to a connected account: the event is stored and delivered
/// to the webhook, signed, and the answer says how the delivery went.
async fn inbound(State(state): State<StandIn>, WriteBody(body): WriteBody) -> Result<Json<Value>> {
    let account_id = match body.get("account_id").and_then(Value::as_str) {
        Some(id) => {
            let row = account(&state, id).await?;
            if row.status != "connected" {
                return Err(Error::invalid(format!(
                    "WhatsApp account {id} is pending: scan its QR code first."
                )));
            }
            row.id
        }
        None => sending_account(&state).await?,
    };
    let kind = body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("text")
        .to_string();
    message_type(&kind)?;
    let now = state.clock.now();
    let event = WebhookEvent {
        id: format!("evt_{}", ids::base62(12)),
        kind: MESSAGE_RECEIVED.to_string(),
        created: now.timestamp(),
        data: ReceivedMessage {
            account_id,
            message_id: format!("msg_{}", ids::base62(12)),
            from: phone(&body, "from")?,
            kind,
            content: required(&body, "content")?.to_string(),
            timestamp: now,
        },
    };
    let payload = serde_json::to_vec(&event).map_err(|e| {
        Error::new(
            ErrorCode::ServerError,
            format!("The event could not be written: {e}"),
        )
    })?;
    let webhook: Option<(String, String)> =
        sqlx::query_as("SELECT url, secret FROM webhook WHERE id = 1")
            .fetch_optional(&state.db)
            .await?;
    let (status, error) = match &webhook {
        None => (
            None,
            Some("no webhook is set: PUT /v1/sandbox/webhook".to_string()),
        ),
        Some((url, secret)) => {
            let signature = botbat_webhooks::botbiz::signature(secret, &payload);
            let headers = [(botbat_webhooks::botbiz::SIGNATURE_HEADER, signature)];
            crate::standins::deliver(&state.http, url, &headers, &payload).await
        }
    };
    sqlx::query(
        "INSERT INTO events (id, type, created, payload, delivered_status, delivery_error)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&event.id)
    .bind(&event.kind)
    .bind(event.created)
    .bind(String::from_utf8_lossy(&payload).as_ref())
    .bind(status.map(i64::from))
    .bind(&error)
    .execute(&state.db)
    .await?;
    Ok(Json(json!({
        "event": event,
        "delivery": {"url": webhook.map(|(url, _)| url), "status": status, "error": error},
    })))
}

/// Makes another key: `access` is `full` or `read` (a read key gets 403 on writes). The
/// secret is in this answer only.
async fn create_key(
    State(state): State<StandIn>,
    WriteBody(body): WriteBody,
) -> Result<Json<Value>> {
    let name = required(&body, "name")?.trim().to_string();
    let access = match body.get("access").and_then(Value::as_str).unwrap_or("full") {
        "full" => Access::Full,
        "read" => Access::Read,
        other => {
            return Err(Error::invalid(format!(
                "Invalid parameter: access {other:?} must be full or read"
            )))
        }
    };
    let secret = key_secret();
    let id = credentials::insert(
        &state.db,
        &secret,
        &name,
        access.as_str(),
        state.clock.now_ms(),
    )
    .await?;
    Ok(Json(
        json!({"id": id, "name": name, "access": access.as_str(), "key": secret}),
    ))
}
