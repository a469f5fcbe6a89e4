//! `/v1/webhooks`: endpoints with event-type filters and a signing secret shown once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use botbat_api::{
    CreateWebhookRequest, CreatedWebhook, FieldIssue, Page, PageParams, UpdateWebhookRequest,
    Webhook, EVENT_TYPES,
};
use botbat_secrets::mask_secret;
use rand::RngCore;
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiJson, ApiQuery, Result, SandboxError};
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{ids, pagination};

#[derive(Debug, FromRow)]
struct WebhookRow {
    seq: i64,
    id: String,
    url: String,
    description: Option<String>,
    event_types: String,
    enabled: bool,
    secret: String,
    created_at: i64,
    updated_at: i64,
}

impl WebhookRow {
    fn to_api(&self) -> Webhook {
        Webhook {
            id: self.id.clone(),
            url: self.url.clone(),
            description: self.description.clone(),
            event_types: serde_json::from_str(&self.event_types).unwrap_or_default(),
            enabled: self.enabled,
            secret_masked: mask_secret(&self.secret),
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        }
    }
}

fn signing_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// In the sandbox an endpoint may be plain http on this machine; anything else (and
/// everything in live mode) is https.
pub fn check_url(raw: &str, live: bool) -> Option<String> {
    let Ok(url) = url::Url::parse(raw.trim()) else {
        return Some("must be an absolute URL such as https://example.com/webhooks".into());
    };
    let local = !live && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => None,
        "http" if local => None,
        "http" if live => Some("must use https".into()),
        "http" => Some("must use https (plain http is allowed only for localhost and 127.0.0.1 in the sandbox)".into()),
        other => Some(format!("must use https, not {other}")),
    }
}

fn check_event_types(types: &[String], issues: &mut Vec<FieldIssue>) {
    if types.is_empty() {
        issues.push(FieldIssue::new(
            "event_types",
            "must name at least one event type, or \"*\" for all",
        ));
    }
    for (i, t) in types.iter().enumerate() {
        if !EVENT_TYPES.contains(&t.as_str()) {
            issues.push(FieldIssue::new(
                format!("event_types[{i}]"),
                format!("unknown event type {t:?}"),
            ));
        }
    }
}

fn check_description(description: &Option<String>, issues: &mut Vec<FieldIssue>) {
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        issues.push(FieldIssue::new(
            "description",
            "must be at most 500 characters",
        ));
    }
}

/// Lists webhook endpoints, newest first.
#[utoipa::path(
    get, path = "/v1/webhooks", tag = "Webhooks",
    params(PageParams),
    responses((status = 200, description = "A page of endpoints", body = Page<Webhook>)),
    security(("bearer_key" = ["webhooks:read"]))
)]
pub async fn list_webhooks(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<Page<Webhook>>> {
    let page = pagination::parse(&params, "webhooks")?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks")
        .fetch_one(&state.db)
        .await?;
    let rows: Vec<WebhookRow> =
        sqlx::query_as("SELECT * FROM webhooks WHERE seq < ? ORDER BY seq DESC LIMIT ?")
            .bind(page.after.unwrap_or(i64::MAX))
            .bind(page.limit + 1)
            .fetch_all(&state.db)
            .await?;
    Ok(Json(pagination::finish(
        rows,
        page,
        "webhooks",
        |r| r.seq,
        WebhookRow::to_api,
        total,
    )))
}

/// Creates an endpoint. The response is the only time its signing secret is shown.
#[utoipa::path(
    post, path = "/v1/webhooks", tag = "Webhooks",
    request_body(content = CreateWebhookRequest, example = json!({"url": "https://example.com/botbat/webhooks", "event_types": ["message.delivered", "contact.created"], "description": "CRM sync"})),
    responses((status = 201, description = "The endpoint with its signing secret", body = CreatedWebhook)),
    security(("bearer_key" = ["webhooks:manage"]))
)]
pub async fn create_webhook(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateWebhookRequest>,
) -> Result<(StatusCode, Json<CreatedWebhook>)> {
    let mut issues = Vec::new();
    if let Some(issue) = check_url(&body.url, state.live) {
        issues.push(FieldIssue::new("url", issue));
    }
    check_event_types(&body.event_types, &mut issues);
    check_description(&body.description, &mut issues);
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let now = state.clock.now_ms();
    let secret = signing_secret();
    let row: WebhookRow = sqlx::query_as(
        "INSERT INTO webhooks (id, url, description, event_types, enabled, secret, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(ids::webhook_id())
    .bind(body.url.trim())
    .bind(&body.description)
    .bind(serde_json::to_string(&body.event_types).unwrap_or_else(|_| "[]".into()))
    .bind(body.enabled.unwrap_or(true))
    .bind(&secret)
    .bind(now)
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook {
            webhook: row.to_api(),
            secret,
        }),
    ))
}

async fn load(state: &AppState, id: &str) -> Result<WebhookRow> {
    rows::get(&state.db, Table::Webhooks, id).await
}

/// One endpoint, without its secret.
#[utoipa::path(
    get, path = "/v1/webhooks/{id}", tag = "Webhooks",
    params(("id" = String, Path, description = "Endpoint id, `we_…`")),
    responses((status = 200, description = "The endpoint", body = Webhook)),
    security(("bearer_key" = ["webhooks:read"]))
)]
pub async fn get_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Webhook>> {
    Ok(Json(load(&state, &id).await?.to_api()))
}

/// Changes an endpoint's URL, event types, description or enabled state.
#[utoipa::path(
    put, path = "/v1/webhooks/{id}", tag = "Webhooks",
    params(("id" = String, Path, description = "Endpoint id, `we_…`")),
    request_body(content = UpdateWebhookRequest, example = json!({"enabled": false})),
    responses((status = 200, description = "The changed endpoint", body = Webhook)),
    security(("bearer_key" = ["webhooks:manage"]))
)]
pub async fn update_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateWebhookRequest>,
) -> Result<Json<Webhook>> {
    let current = load(&state, &id).await?;
    let mut issues = Vec::new();
    if let Some(issue) = body.url.as_deref().and_then(|u| check_url(u, state.live)) {
        issues.push(FieldIssue::new("url", issue));
    }
    if let Some(types) = &body.event_types {
        check_event_types(types, &mut issues);
    }
    check_description(&body.description, &mut issues);
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let event_types = match &body.event_types {
        Some(types) => serde_json::to_string(types).unwrap_or_else(|_| "[]".into()),
        None => current.event_types.clone(),
    };
    let row: WebhookRow = sqlx::query_as(
        "UPDATE webhooks SET url = ?, description = ?, event_types = ?, enabled = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(body.url.as_deref().map(str::trim).unwrap_or(&current.url))
    .bind(body.description.as_ref().or(current.description.as_ref()))
    .bind(event_types)
    .bind(body.enabled.unwrap_or(current.enabled))
    .bind(state.clock.now_ms())
    .bind(&id)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(row.to_api()))
}

/// Deletes an endpoint; nothing more is delivered to it.
#[utoipa::path(
    delete, path = "/v1/webhooks/{id}", tag = "Webhooks",
    params(("id" = String, Path, description = "Endpoint id, `we_…`")),
    responses((status = 204, description = "Deleted")),
    security(("bearer_key" = ["webhooks:manage"]))
)]
pub async fn delete_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    load(&state, &id).await?;
    rows::delete(&state.db, Table::Webhooks, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
