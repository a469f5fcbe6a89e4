//! `/v1/webhooks`: endpoints with event-type filters and a signing secret shown once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use botbat_api::contract::{WEBHOOK_URL, WEBHOOK_URL_MAX};
use botbat_api::{
    AttemptTrigger, CreateWebhookRequest, CreatedWebhook, Delivery, DeliveryFilter, DeliveryStatus,
    EventSubscription, EventType, FieldIssue, Page, PageParams, RotateWebhookSecretRequest,
    RotatedWebhookSecret, UpdateWebhookRequest, Webhook, WEBHOOK_DESCRIPTION,
};
use botbat_secrets::mask_secret;
use rand::RngCore;
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiJson, ApiQuery, Result, SandboxError};
use crate::pagination::Paged;
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{delivery, ids, rules};

#[derive(Debug, FromRow)]
struct WebhookRow {
    id: String,
    url: String,
    description: Option<String>,
    event_types: sqlx::types::Json<Vec<String>>,
    enabled: bool,
    secret: String,
    created_at: i64,
    updated_at: i64,
    previous_secret_expires_at: Option<i64>,
    disabled_reason: Option<String>,
}

impl WebhookRow {
    fn to_api(&self) -> Webhook {
        Webhook {
            id: self.id.clone(),
            url: self.url.clone(),
            description: self.description.clone(),
            event_types: self.event_types.0.clone(),
            enabled: self.enabled,
            disabled_reason: self.disabled_reason.clone(),
            secret_masked: mask_secret(&self.secret),
            previous_secret_expires_at: self.previous_secret_expires_at.map(from_ms),
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        }
    }
}

pub fn signing_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// Why `raw` is not an endpoint URL: the published pattern (https, or in the sandbox
/// plain http to this machine), then what no pattern states: production's https only and
/// an internationalised host name's validity.
pub fn check_url(raw: &str, live: bool) -> Option<FieldIssue> {
    if raw.chars().count() > WEBHOOK_URL_MAX {
        return Some(FieldIssue::new(
            "url",
            format!("must be at most {WEBHOOK_URL_MAX} characters"),
        ));
    }
    if let Some(issue) = WEBHOOK_URL.issue(raw) {
        return Some(FieldIssue::new("url", issue));
    }
    if live && !raw.starts_with("https://") {
        return Some(rules::LIVE_HTTPS.detail());
    }
    url::Url::parse(raw)
        .err()
        .map(|error| rules::WEBHOOK_HOST.detail_with(error))
}

fn check_event_types(types: &[String], issues: &mut Vec<FieldIssue>) {
    if types.is_empty() {
        issues.push(FieldIssue::new(
            "event_types",
            "must name at least one event type, or \"*\" for all",
        ));
    }
    for (i, t) in types.iter().enumerate() {
        if !EventSubscription::is_valid(t) {
            issues.push(FieldIssue::new(
                format!("event_types[{i}]"),
                format!("unknown event type {t:?}; GET /v1/events/types lists them"),
            ));
        }
    }
}

fn check_description(description: &Option<String>, issues: &mut Vec<FieldIssue>) {
    if let Some(issue) = description
        .as_deref()
        .and_then(|d| WEBHOOK_DESCRIPTION.issue(d))
    {
        issues.push(FieldIssue::new("description", issue));
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
    paged: Paged,
) -> Result<Json<Page<Webhook>>> {
    let list = paged.list("webhooks", "SELECT * FROM webhooks")?;
    Ok(Json(list.page(&state.db, WebhookRow::to_api).await?))
}

/// Creates an endpoint. The response is the only time its signing secret is shown.
#[utoipa::path(
    post, path = "/v1/webhooks", tag = "Webhooks",
    request_body(content = CreateWebhookRequest, example = json!({"url": "https://example.com/botbat/webhooks", "event_types": ["message.delivered", "contact.created"], "description": "CRM sync"})),
    responses((status = 201, description = "The endpoint with its signing secret", body = CreatedWebhook)),
    security(("bearer_key" = ["webhooks:manage"])),
    extensions(("x-runtime-rules" = json!([rules::WEBHOOK_HOST, rules::LIVE_HTTPS])))
)]
pub async fn create_webhook(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateWebhookRequest>,
) -> Result<(StatusCode, Json<CreatedWebhook>)> {
    let mut issues = Vec::new();
    issues.extend(check_url(&body.url, state.live));
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
    .bind(&body.url)
    .bind(&body.description)
    .bind(sqlx::types::Json(&body.event_types))
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
    security(("bearer_key" = ["webhooks:manage"])),
    extensions(("x-runtime-rules" = json!([rules::WEBHOOK_HOST, rules::LIVE_HTTPS])))
)]
pub async fn update_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateWebhookRequest>,
) -> Result<Json<Webhook>> {
    let current = load(&state, &id).await?;
    let mut issues = Vec::new();
    issues.extend(body.url.as_deref().and_then(|u| check_url(u, state.live)));
    if let Some(types) = &body.event_types {
        check_event_types(types, &mut issues);
    }
    check_description(&body.description, &mut issues);
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    let event_types = body.event_types.as_ref().unwrap_or(&current.event_types);
    let row: WebhookRow = sqlx::query_as(
        "UPDATE webhooks SET url = ?1, description = ?2, event_types = ?3, enabled = ?4,
             updated_at = ?5, disabled_reason = CASE WHEN ?4 THEN NULL ELSE disabled_reason END
         WHERE id = ?6 RETURNING *",
    )
    .bind(body.url.as_deref().unwrap_or(&current.url))
    .bind(body.description.as_ref().or(current.description.as_ref()))
    .bind(sqlx::types::Json(event_types))
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

/// Issues a new signing secret. During the overlap the caller picks, deliveries carry two
/// signatures (new and old), so receivers can switch without dropping a delivery.
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/rotate_secret", tag = "Webhooks",
    params(("id" = String, Path, description = "Endpoint id, `we_…`")),
    request_body(content = RotateWebhookSecretRequest, example = json!({"overlap": "24h"})),
    responses((status = 200, description = "The new secret, shown this once", body = RotatedWebhookSecret)),
    security(("bearer_key" = ["webhooks:manage"]))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateWebhookSecretRequest>,
) -> Result<Json<RotatedWebhookSecret>> {
    let current = load(&state, &id).await?;
    let now = state.clock.now_ms();
    let overlap_ms = body.overlap.seconds() * 1000;
    let (previous, until) = if overlap_ms > 0 {
        (Some(current.secret.clone()), Some(now + overlap_ms))
    } else {
        (None, None)
    };
    let secret = signing_secret();
    sqlx::query(
        "UPDATE webhooks SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?,
             updated_at = ? WHERE id = ?",
    )
    .bind(&secret)
    .bind(previous)
    .bind(until)
    .bind(now)
    .bind(&id)
    .execute(&state.db)
    .await?;
    Ok(Json(RotatedWebhookSecret {
        webhook_id: id,
        secret,
        previous_secret_expires_at: until.map(from_ms),
    }))
}

/// An endpoint's deliveries, newest first, each with every attempt made.
#[utoipa::path(
    get, path = "/v1/webhooks/{id}/deliveries", tag = "Webhooks",
    params(("id" = String, Path, description = "Endpoint id, `we_…`"), PageParams, DeliveryFilter),
    responses((status = 200, description = "A page of deliveries", body = Page<Delivery>)),
    security(("bearer_key" = ["webhooks:read"]))
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    Path(id): Path<String>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<DeliveryFilter>,
) -> Result<Json<Page<Delivery>>> {
    load(&state, &id).await?;
    let mut list = paged.list(
        "deliveries",
        "SELECT d.* FROM deliveries d JOIN events e ON e.seq = d.event_seq",
    )?;
    list.filter("d.webhook_id = ?", Some(id.as_str()))
        .filter("d.status = ?", filter.status.map(DeliveryStatus::as_str))
        .filter("e.type = ?", filter.event_type.map(EventType::as_str))
        .filter(
            "d.created_at >= ?",
            filter.created_from.map(|t| t.timestamp_millis()),
        );
    Ok(Json(delivery::page(&state, list).await?))
}

/// Sends a delivery again now, with a fresh signature, whatever its status, and returns
/// it with the new attempt. A success stops any retries still scheduled.
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/deliveries/{delivery_id}/resend", tag = "Webhooks",
    params(
        ("id" = String, Path, description = "Endpoint id, `we_…`"),
        ("delivery_id" = String, Path, description = "Delivery id, `dlv_…`"),
    ),
    responses((status = 200, description = "The delivery with the new attempt last", body = Delivery)),
    security(("bearer_key" = ["webhooks:manage"]))
)]
pub async fn resend_delivery(
    State(state): State<AppState>,
    Path((id, delivery_id)): Path<(String, String)>,
) -> Result<Json<Delivery>> {
    load(&state, &id).await?;
    delivery::load(&state, &id, &delivery_id).await?;
    delivery::attempt(&state, &delivery_id, Some(AttemptTrigger::Resend)).await?;
    Ok(Json(delivery::load(&state, &id, &delivery_id).await?))
}
