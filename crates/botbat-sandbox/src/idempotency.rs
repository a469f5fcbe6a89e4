//! `Idempotency-Key`: a POST retried with the same key runs once.
//!
//! A client that sends a POST and gets a 5xx, a timeout or a dropped connection cannot know
//! whether the request took effect. With an `Idempotency-Key` it can retry safely: the first
//! request's response is kept for 24 hours (on the sandbox clock) and replayed, with
//! `Idempotent-Replayed: true`, to a request from the same API key with the same key, method,
//! path, query and body. The same key with a different request gets 409 `conflict`, and so
//! does a second request while the first is still running (with `Retry-After: 1`), instead of
//! running twice.
//!
//! What is kept: the responses of requests that ran, 2xx and 4xx alike, so a retry gets the
//! same answer as the first try. Not kept, so a retry runs the request again: 5xx (the
//! handlers roll back on error, so nothing took effect), and 401, 403, 408, 409 and 429,
//! which describe the caller's credentials or the moment (a rate limit window, a conflicting
//! request in progress) rather than the request. Authentication, rate limiting and the scope
//! check happen in the access layer outside this one, so their refusals never reach it.
//!
//! Secrets: the response of `POST /v1/api_keys` (or a rotation, or a webhook's creation)
//! holds a secret, and the sandbox keeps only hashes of key secrets. So the response is
//! sealed (ChaCha20-Poly1305) with a key derived from the caller's API key secret and the
//! idempotency key, neither of which is stored: the data dir holds only ciphertext, and only
//! a request bearing the same API key and idempotency key can open it, which is the request
//! that is owed the replay. The idempotency key is stored as a SHA-256 hash.
//!
//! The layer sits inside the access layer (it needs the authenticated caller) and inside
//! the fault layer, so that an `after_commit` fault replaces the response only after it was
//! saved here. The handler runs in its own task: a client that gives up mid-request does not
//! cancel a request that may already have committed, and its response is still saved for the
//! retry.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use botbat_api::ErrorCode;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::{FromRow, SqlitePool};

use crate::error::{current_request_id, SandboxError, REQUEST_ID};
use crate::routes::imports;
use crate::state::{Access, AppState, Caller, RouteTable};

/// As documented; on the wire, header names are case-insensitive.
const HEADER: &str = "Idempotency-Key";
const REPLAYED: &str = "Idempotent-Replayed";
const HEADER_NAME: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED_NAME: HeaderName = HeaderName::from_static("idempotent-replayed");
const MAX_KEY_LENGTH: usize = 255;
/// How long a response is kept, on the sandbox clock.
const RETENTION_MS: i64 = 24 * 60 * 60 * 1000;
/// The largest body any POST accepts (a CSV import); larger ones get 413 here.
const MAX_REQUEST_BYTES: usize = imports::MAX_BODY_BYTES;
/// Far above any response a POST gives; one larger is sent but not kept.
const MAX_KEPT_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// The response headers a replay repeats; the others describe the moment of sending
/// (request id, rate-limit windows) and are fresh on every response.
const KEPT_HEADERS: [HeaderName; 2] = [CONTENT_TYPE, LOCATION];

/// The record of one idempotency key of one API key.
#[derive(Debug, Clone)]
struct RecordId {
    api_key_id: String,
    /// SHA-256 of the `Idempotency-Key` value, hex.
    key_hash: String,
}

/// What was asked, to tell a retry from a different request under the same key.
struct Fingerprint {
    method: String,
    path: String,
    digest: String,
}

/// Where a kept request is: running now, done with its response kept, or cut off by a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(rename_all = "snake_case")]
enum RecordState {
    Running,
    Done,
    Interrupted,
}

#[derive(FromRow)]
struct RecordRow {
    method: String,
    path: String,
    fingerprint: String,
    state: RecordState,
    status: Option<i64>,
    response: Option<Vec<u8>>,
}

enum Claim {
    /// This request holds the key: it runs, and its response is saved.
    Run,
    Replay {
        status: u16,
        sealed: Vec<u8>,
    },
    Refuse(SandboxError),
}

/// Runs a POST that carries an `Idempotency-Key` once, and replays its response.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(value) = req.headers().get(HEADER_NAME) else {
        return next.run(req).await;
    };
    // The access layer admitted the caller; without it (benchmarks with access control off)
    // there is no API key to scope records to or seal them with.
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return next.run(req).await;
    };
    let idempotency_key = match parse_key(value) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let Some(secret) = bearer_secret(req.headers()) else {
        return SandboxError::internal("an admitted request has no bearer key").into_response();
    };
    let (parts, body) = req.into_parts();
    let body = match to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(error) => return body_error(&error).into_response(),
    };
    let fingerprint = fingerprint(&parts, &body).await;
    let id = RecordId {
        api_key_id: caller.key_id.clone(),
        key_hash: hex::encode(Sha256::digest(idempotency_key.as_bytes())),
    };
    let seal = Seal::new(&secret, &id, &fingerprint, &idempotency_key);
    let now = state.clock.now_ms();
    match claim(&state.db, &id, &fingerprint, &idempotency_key, now).await {
        Ok(Claim::Run) => {
            let req = Request::from_parts(parts, Body::from(body));
            run(state.db.clone(), id, seal, req, next).await
        }
        Ok(Claim::Replay { status, sealed }) => replay(status, &sealed, &seal),
        Ok(Claim::Refuse(error)) => error.into_response(),
        Err(error) => SandboxError::from(error).into_response(),
    }
}

/// The header's value if it is 1 to 255 printable ASCII characters.
fn parse_key(value: &HeaderValue) -> Result<String, SandboxError> {
    let bytes = value.as_bytes();
    let printable = bytes.iter().all(|b| (0x20..=0x7e).contains(b));
    if bytes.is_empty() || bytes.len() > MAX_KEY_LENGTH || !printable {
        return Err(SandboxError::invalid(format!(
            "The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters (got {} bytes{}). A random UUID is a good key.",
            bytes.len(),
            if printable { "" } else { ", not all printable ASCII" }
        )));
    }
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// The API key as sent; the access layer has checked it already.
fn bearer_secret(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| secret.trim().to_string())
}

fn body_error(error: &axum::Error) -> SandboxError {
    let too_large = std::error::Error::source(error)
        .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
    if too_large {
        SandboxError::new(
            ErrorCode::PayloadTooLarge,
            "The body is larger than any endpoint accepts.",
        )
    } else {
        SandboxError::invalid(format!("Could not read the body: {error}"))
    }
}

/// Method, path, query, media type and body, hashed. A JSON body is hashed in a canonical
/// form (keys sorted, no whitespace), so a client that re-serialises the same values with a
/// different key order is still retrying; a multipart body is hashed part by part, so a
/// client that rebuilds the form with a new boundary is too.
async fn fingerprint(parts: &Parts, body: &Bytes) -> Fingerprint {
    let media = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let mut hasher = Sha256::new();
    for part in [
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query().unwrap_or(""),
        essence.as_str(),
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let canonical = match essence.as_str() {
        "application/json" => serde_json::from_slice::<Value>(body)
            .ok()
            .map(|v| canonical_json(&v).into_bytes()),
        "multipart/form-data" => multipart_digest(&media, body.clone()).await,
        _ => None,
    };
    match canonical {
        Some(bytes) => {
            hasher.update(b"canonical");
            hasher.update(bytes);
        }
        None => {
            hasher.update(b"raw");
            hasher.update(body);
        }
    }
    Fingerprint {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        digest: hex::encode(hasher.finalize()),
    }
}

fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical_json(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// Each part's name, file name, type and content, without the boundary.
async fn multipart_digest(content_type: &str, body: Bytes) -> Option<Vec<u8>> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut hasher = Sha256::new();
    while let Some(mut field) = multipart.next_field().await.ok()? {
        for text in [
            field.name().unwrap_or(""),
            field.file_name().unwrap_or(""),
            field.content_type().map(|m| m.as_ref()).unwrap_or(""),
        ] {
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
        let mut content = Sha256::new();
        while let Some(chunk) = field.chunk().await.ok()? {
            content.update(chunk);
        }
        hasher.update(content.finalize());
    }
    Some(hasher.finalize().to_vec())
}

/// Takes the key for this request, or says what to do instead.
async fn claim(
    db: &SqlitePool,
    id: &RecordId,
    fingerprint: &Fingerprint,
    idempotency_key: &str,
    now: i64,
) -> sqlx::Result<Claim> {
    // A record that ended (released after a failure, or expired and replaced) between the
    // insert and the read is claimed on the next turn.
    for _ in 0..3 {
        let claimed = sqlx::query(
            "INSERT INTO idempotency_records
                 (api_key_id, key_hash, method, path, fingerprint, state, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, 'running', ?, ?)
             ON CONFLICT (api_key_id, key_hash) DO UPDATE SET
                 method = excluded.method, path = excluded.path,
                 fingerprint = excluded.fingerprint, state = 'running', status = NULL,
                 response = NULL, created_at = excluded.created_at,
                 expires_at = excluded.expires_at
             WHERE idempotency_records.expires_at <= excluded.created_at",
        )
        .bind(&id.api_key_id)
        .bind(&id.key_hash)
        .bind(&fingerprint.method)
        .bind(&fingerprint.path)
        .bind(&fingerprint.digest)
        .bind(now)
        .bind(now + RETENTION_MS)
        .execute(db)
        .await?
        .rows_affected();
        if claimed == 1 {
            return Ok(Claim::Run);
        }
        let record: Option<RecordRow> = sqlx::query_as(
            "SELECT method, path, fingerprint, state, status, response FROM idempotency_records
             WHERE api_key_id = ? AND key_hash = ? AND expires_at > ?",
        )
        .bind(&id.api_key_id)
        .bind(&id.key_hash)
        .bind(now)
        .fetch_optional(db)
        .await?;
        if let Some(record) = record {
            return Ok(decide(record, fingerprint, idempotency_key));
        }
    }
    Ok(Claim::Refuse(SandboxError::internal(
        "an idempotency record kept changing while it was claimed",
    )))
}

fn decide(record: RecordRow, fingerprint: &Fingerprint, idempotency_key: &str) -> Claim {
    if record.method != fingerprint.method || record.path != fingerprint.path {
        return Claim::Refuse(SandboxError::conflict(format!(
            "The {HEADER} {idempotency_key:?} was already used for {} {}. A key names one request: send this one with a new key.",
            record.method, record.path
        )));
    }
    if record.fingerprint != fingerprint.digest {
        return Claim::Refuse(SandboxError::conflict(format!(
            "The {HEADER} {idempotency_key:?} was already used with a different request body. A key names one request: send a changed request with a new key."
        )));
    }
    match (record.state, record.status, record.response) {
        (RecordState::Done, Some(status), Some(sealed)) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            sealed,
        },
        (RecordState::Done, _, _) => Claim::Refuse(SandboxError::internal(
            "an idempotency record is done but keeps no response",
        )),
        (RecordState::Interrupted, _, _) => Claim::Refuse(SandboxError::conflict(format!(
            "The request first sent with the {HEADER} {idempotency_key:?} was cut off when the sandbox stopped, so whether it took effect is unknown. Check, then send it with a new key."
        ))),
        (RecordState::Running, _, _) => {
            let mut error = SandboxError::conflict(format!(
                "A request with the {HEADER} {idempotency_key:?} is still in progress. Retry later to get its response."
            ));
            error.retry_after = Some(1);
            Claim::Refuse(error)
        }
    }
}

/// Whether a response is saved for replay (see the module docs for why).
fn is_kept(status: StatusCode) -> bool {
    status.is_success()
        || (status.is_client_error()
            && ![
                StatusCode::UNAUTHORIZED,
                StatusCode::FORBIDDEN,
                StatusCode::REQUEST_TIMEOUT,
                StatusCode::CONFLICT,
                StatusCode::TOO_MANY_REQUESTS,
            ]
            .contains(&status))
}

/// Runs the request in its own task and saves its response.
async fn run(db: SqlitePool, id: RecordId, seal: Seal, req: Request, next: Next) -> Response {
    let request_id = current_request_id();
    let task = tokio::spawn(REQUEST_ID.scope(request_id, async move {
        let claim = Held { db, id: Some(id) };
        let response = next.run(req).await;
        keep(claim, &seal, response).await
    }));
    match task.await {
        Ok(response) => response,
        Err(error) => SandboxError::internal(error).into_response(),
    }
}

/// Saves a finished response under its record, or releases the record so that a retry runs
/// the request again.
async fn keep(mut claim: Held, seal: &Seal, response: Response) -> Response {
    if !is_kept(response.status()) {
        claim.release().await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, MAX_KEPT_RESPONSE_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            claim.release().await;
            return SandboxError::internal(format!("response not kept: {error}")).into_response();
        }
    };
    let kept = Kept {
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = parts.headers.get(name)?.to_str().ok()?;
                Some((name.to_string(), value.to_string()))
            })
            .collect(),
        body: body.to_vec(),
    };
    let status = parts.status.as_u16();
    let saved = match seal.seal(&kept.encode()) {
        Some(sealed) => claim
            .complete(status, &sealed)
            .await
            .map_err(|e| e.to_string()),
        None => Err("the response could not be sealed".to_string()),
    };
    if let Err(error) = saved {
        tracing::error!(%error, "idempotency record not saved; a retry will run the request again");
        claim.release().await;
    }
    Response::from_parts(parts, Body::from(body))
}

fn replay(status: u16, sealed: &[u8], seal: &Seal) -> Response {
    let Some(kept) = seal.open(sealed).and_then(|plain| Kept::decode(&plain)) else {
        return SandboxError::internal("a kept response could not be opened").into_response();
    };
    let mut response = Response::new(Body::from(kept.body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (name, value) in kept.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
        .headers_mut()
        .insert(REPLAYED_NAME, HeaderValue::from_static("true"));
    response
}

/// A kept response: the headers a replay repeats, and the body.
#[derive(Debug, PartialEq)]
struct Kept {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Kept {
    /// The headers as JSON, then the body: `u32 length ‖ headers ‖ body`.
    fn encode(&self) -> Vec<u8> {
        let head = serde_json::to_vec(&self.headers).unwrap_or_else(|_| b"[]".to_vec());
        let mut out = Vec::with_capacity(4 + head.len() + self.body.len());
        out.extend_from_slice(&(head.len() as u32).to_be_bytes());
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.body);
        out
    }

    fn decode(plain: &[u8]) -> Option<Self> {
        let length = u32::from_be_bytes(plain.get(..4)?.try_into().ok()?) as usize;
        let head = plain.get(4..4 + length)?;
        let body = plain.get(4 + length..)?;
        Some(Self {
            headers: serde_json::from_slice(head).ok()?,
            body: body.to_vec(),
        })
    }
}

/// A record this request holds while it runs. Dropped while still held (the handler
/// panicked), it is released in the background, so the key does not stay "in progress".
struct Held {
    db: SqlitePool,
    id: Option<RecordId>,
}

impl Held {
    async fn complete(&mut self, status: u16, sealed: &[u8]) -> sqlx::Result<()> {
        let Some(id) = &self.id else {
            return Ok(());
        };
        sqlx::query(
            "UPDATE idempotency_records SET state = 'done', status = ?, response = ?
             WHERE api_key_id = ? AND key_hash = ? AND state = 'running'",
        )
        .bind(status as i64)
        .bind(sealed)
        .bind(&id.api_key_id)
        .bind(&id.key_hash)
        .execute(&self.db)
        .await?;
        self.id = None;
        Ok(())
    }

    async fn release(&mut self) {
        if let Some(id) = self.id.take() {
            release(&self.db, &id).await;
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let (Some(id), Ok(runtime)) = (self.id.take(), tokio::runtime::Handle::try_current()) {
            let db = self.db.clone();
            runtime.spawn(async move { release(&db, &id).await });
        }
    }
}

async fn release(db: &SqlitePool, id: &RecordId) {
    let released = sqlx::query(
        "DELETE FROM idempotency_records WHERE api_key_id = ? AND key_hash = ? AND state = 'running'",
    )
    .bind(&id.api_key_id)
    .bind(&id.key_hash)
    .execute(db)
    .await;
    if let Err(error) = released {
        tracing::error!(%error, "idempotency record not released; its key stays in progress until it expires");
    }
}

/// Seals a kept response so that only the request owed its replay can open it.
struct Seal {
    cipher: ChaCha20Poly1305,
    /// Binds the ciphertext to its record: it cannot be moved to another one.
    context: Vec<u8>,
}

const NONCE_BYTES: usize = 12;

impl Seal {
    fn new(secret: &str, id: &RecordId, fingerprint: &Fingerprint, idempotency_key: &str) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(b"botbat-sandbox idempotency v1\0");
        mac.update(id.api_key_id.as_bytes());
        mac.update(b"\0");
        mac.update(idempotency_key.as_bytes());
        let key = mac.finalize().into_bytes();
        let context =
            format!("{}\0{}\0{}", id.api_key_id, id.key_hash, fingerprint.digest).into_bytes();
        Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
            context,
        }
    }

    /// `nonce ‖ ciphertext`.
    fn seal(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plain,
            aad: &self.context,
        };
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .ok()?;
        Some([nonce.as_slice(), &sealed].concat())
    }

    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_BYTES)?;
        let payload = Payload {
            msg: ciphertext,
            aad: &self.context,
        };
        self.cipher.decrypt(Nonce::from_slice(nonce), payload).ok()
    }
}

/// Marks records left running by a previous process: their outcome is unknown.
pub async fn mark_interrupted(db: &SqlitePool) -> sqlx::Result<()> {
    sqlx::query("UPDATE idempotency_records SET state = 'interrupted' WHERE state = 'running'")
        .execute(db)
        .await
        .map(|_| ())
}

/// Deletes expired records; a cheap read first, so the scheduler's sweeps write only
/// when something expired.
pub async fn prune(db: &SqlitePool, now: i64) -> sqlx::Result<()> {
    let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(expires_at) FROM idempotency_records")
        .fetch_one(db)
        .await?;
    if oldest.is_some_and(|at| at <= now) {
        sqlx::query("DELETE FROM idempotency_records WHERE expires_at <= ?")
            .bind(now)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// Publishes the header on every authenticated POST of the OpenAPI document, with the 409
/// it can cause and the `Idempotent-Replayed` header of a replay.
pub fn document(doc: &mut Value, routes: &RouteTable) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(operation) = item.get_mut("post") else {
            continue;
        };
        if !matches!(routes.access(&Method::POST, path), Some(a) if a != Access::Public) {
            continue;
        }
        document_operation(operation);
    }
}

const CONFLICT: &str = "the `Idempotency-Key` was already used for a different request, or its first request is still in progress (with `Retry-After`)";

fn document_operation(operation: &mut Value) {
    let parameter = json!({
        "name": HEADER,
        "in": "header",
        "required": false,
        "description": "Makes retrying this request safe. The first response to a key is kept for 24 hours and replayed, with `Idempotent-Replayed: true`, to a request from the same API key with the same key, path and body; 5xx and 401, 403, 408, 409 and 429 responses are not kept, so a retry runs again. The same key with a different request gets 409. Use a new random key (a UUID) for each new request and the same key for its retries.",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[\\x20-\\x7E]+$"},
        "example": "6f1c2a9e-4b7d-4e0a-9a51-3c2f8d7e1b40"
    });
    match operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        Some(parameters) => parameters.push(parameter),
        None => operation["parameters"] = json!([parameter]),
    }
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if status.starts_with('2') {
            response["headers"][REPLAYED] = json!({
                "description": "`true` when this is the kept response to an earlier request with the same `Idempotency-Key`",
                "schema": {"type": "string", "enum": ["true"]}
            });
        }
    }
    match responses.get_mut("409") {
        Some(existing) => {
            let description = existing["description"].as_str().unwrap_or("conflict");
            existing["description"] = json!(format!("{description}; or {CONFLICT}"));
        }
        None => {
            responses.insert(
                "409".to_string(),
                crate::openapi::error_response(&format!("conflict: {CONFLICT}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_short_printable_ascii() {
        assert!(parse_key(&HeaderValue::from_static("a")).is_ok());
        assert!(parse_key(&HeaderValue::from_str(&"k".repeat(255)).expect("value")).is_ok());
        for bad in [String::new(), "k".repeat(256), "tab\there".to_string()] {
            let value = HeaderValue::from_str(&bad).expect("value");
            let error = parse_key(&value).expect_err("refused");
            assert_eq!(error.code, ErrorCode::InvalidRequest);
            assert!(error.message.contains("1 to 255"), "{}", error.message);
        }
        let error = parse_key(&HeaderValue::from_bytes(b"caf\xc3\xa9").expect("value"))
            .expect_err("not ASCII");
        assert!(
            error.message.contains("printable ASCII"),
            "{}",
            error.message
        );
    }

    #[test]
    fn canonical_json_ignores_key_order_and_whitespace() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#).expect("json");
        let b: Value = serde_json::from_str(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#).expect("json");
        assert_eq!(canonical_json(&a), canonical_json(&b));
        let c: Value = serde_json::from_str(r#"{"a":null,"b":[{"x":"é","y":2},1]}"#).expect("json");
        assert_ne!(canonical_json(&a), canonical_json(&c));
    }

    fn seal_for(secret: &str, key: &str) -> Seal {
        let id = RecordId {
            api_key_id: "key_1".into(),
            key_hash: "h".into(),
        };
        let fingerprint = Fingerprint {
            method: "POST".into(),
            path: "/v1/api_keys".into(),
            digest: "d".into(),
        };
        Seal::new(secret, &id, &fingerprint, key)
    }

    #[test]
    fn only_the_same_api_key_and_idempotency_key_open_a_kept_response() {
        let kept = Kept {
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"secret":"bb_test_CANARY"}"#.to_vec(),
        };
        let sealed = seal_for("bb_test_one", "k1")
            .seal(&kept.encode())
            .expect("sealed");
        assert!(!sealed.windows(6).any(|w| w == b"CANARY"));
        let opened = seal_for("bb_test_one", "k1").open(&sealed).expect("opens");
        assert_eq!(Kept::decode(&opened), Some(kept));
        assert!(seal_for("bb_test_two", "k1").open(&sealed).is_none());
        assert!(seal_for("bb_test_one", "k2").open(&sealed).is_none());
    }
}
