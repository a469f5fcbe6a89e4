//! `/v1/api_keys`: create with scopes, list, get, rotate with a grace period, revoke.
//!
//! Only the HTTP surface: storing keys and the index authentication reads are
//! `key_store.rs`, so the bootstrap key and seeded keys are written the same way.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use botbat_api::{
    ApiKey, CreateApiKeyRequest, CreatedApiKey, ErrorBody, FieldIssue, KeyStatus, Page, PageParams,
    RotateApiKeyRequest, RotatedApiKey, Scope, KEY_NAME,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiJson, ApiQuery, Result, SandboxError};
use crate::key_store::{self, KeyRow};
use crate::pagination::Paged;
use crate::rows::{self, Table};
use crate::state::{AppState, Caller};

/// The grace periods a rotation may choose: none, 1 hour, 24 hours, 7 days.
pub const GRACE_PERIODS: [u64; 4] = [0, 3_600, 86_400, 604_800];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyFilter {
    /// Only keys in this state: active, expiring, expired or revoked.
    pub status: Option<KeyStatus>,
}

/// Lists keys, newest first. Secrets are never included.
#[utoipa::path(
    get, path = "/v1/api_keys", tag = "API keys",
    params(PageParams, KeyFilter),
    responses((status = 200, description = "A page of keys", body = Page<ApiKey>)),
    security(("bearer_key" = ["keys:manage"]))
)]
pub async fn list_keys(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<KeyFilter>,
) -> Result<Json<Page<ApiKey>>> {
    let mut list = paged.list("api_keys", "SELECT * FROM api_keys")?;
    let now = state.clock.now_ms();
    match filter.status {
        None => &mut list,
        Some(KeyStatus::Active) => list.condition("revoked_at IS NULL AND expires_at IS NULL"),
        Some(KeyStatus::Expiring) => {
            list.filter("revoked_at IS NULL AND expires_at > ?", Some(now))
        }
        Some(KeyStatus::Expired) => {
            list.filter("revoked_at IS NULL AND expires_at <= ?", Some(now))
        }
        Some(KeyStatus::Revoked) => list.condition("revoked_at IS NOT NULL"),
    };
    state.meter.flush().await;
    Ok(Json(
        list.page(&state.db, |r: &KeyRow| r.to_api(now)).await?,
    ))
}

fn validate_create(body: &CreateApiKeyRequest) -> Result<(String, Vec<Scope>)> {
    let mut issues = Vec::new();
    if let Some(issue) = KEY_NAME.issue(&body.name) {
        issues.push(FieldIssue::new("name", issue));
    }
    let name = body.name.trim().to_string();
    let mut scopes = BTreeSet::new();
    if body.scopes.is_empty() {
        issues.push(FieldIssue::new(
            "scopes",
            "must name at least one scope; see GET /v1/scopes",
        ));
    }
    for (i, raw) in body.scopes.iter().enumerate() {
        match Scope::parse(raw) {
            Some(scope) => {
                scopes.insert(scope);
            }
            None => issues.push(FieldIssue::new(
                format!("scopes[{i}]"),
                format!("unknown scope {raw:?}; see GET /v1/scopes"),
            )),
        }
    }
    if issues.is_empty() {
        Ok((name, scopes.into_iter().collect()))
    } else {
        Err(SandboxError::validation(issues))
    }
}

/// A key may only hand out scopes it holds, so `keys:manage` is not a way to escalate.
fn check_grantable(caller: &Caller, scopes: &[Scope]) -> Result<()> {
    let missing: Vec<String> = scopes
        .iter()
        .filter(|s| !caller.scopes.contains(s))
        .map(|s| s.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(SandboxError::forbidden(format!(
            "Your key cannot grant scopes it does not hold: {}.",
            missing.join(", ")
        )))
    }
}

/// Creates a key. The response is the only time its secret is shown.
#[utoipa::path(
    post, path = "/v1/api_keys", tag = "API keys",
    request_body(content = CreateApiKeyRequest, example = json!({"name": "CRM integration", "scopes": ["contacts:read", "contacts:write"]})),
    responses((status = 201, description = "The key, with its secret shown once", body = CreatedApiKey)),
    security(("bearer_key" = ["keys:manage"]))
)]
pub async fn create_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<CreateApiKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKey>)> {
    let (name, scopes) = validate_create(&body)?;
    check_grantable(&caller, &scopes)?;
    let now = state.clock.now_ms();
    let (row, secret) =
        key_store::insert(&state.db, &name, &scopes, now, None, None, state.live).await?;
    state.keys.put(&row);
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            key: row.to_api(now),
            secret,
        }),
    ))
}

async fn load(state: &AppState, id: &str) -> Result<KeyRow> {
    rows::get(&state.db, Table::ApiKeys, id).await
}

/// One key, without its secret.
#[utoipa::path(
    get, path = "/v1/api_keys/{id}", tag = "API keys",
    params(("id" = String, Path, description = "Key id, `key_…`")),
    responses((status = 200, description = "The key", body = ApiKey)),
    security(("bearer_key" = ["keys:manage"]))
)]
pub async fn get_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ApiKey>> {
    state.meter.flush().await;
    let row = load(&state, &id).await?;
    Ok(Json(row.to_api(state.clock.now_ms())))
}

/// Revokes a key at once. Requests with it get 401 from now on.
///
/// One conditional update decides: of two concurrent revocations, one gets 204 and the
/// other 409, and a rotation racing this either commits first (its replacement stays live,
/// this revokes the old key) or sees the key revoked and gets 409.
#[utoipa::path(
    delete, path = "/v1/api_keys/{id}", tag = "API keys",
    params(("id" = String, Path, description = "Key id, `key_…`")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 409, description = "conflict: the key is already revoked", body = ErrorBody),
    ),
    security(("bearer_key" = ["keys:manage"]))
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let revoked: Option<KeyRow> = sqlx::query_as(
        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING *",
    )
    .bind(state.clock.now_ms())
    .bind(&id)
    .fetch_optional(&state.db)
    .await?;
    match revoked {
        Some(row) => {
            state.keys.put(&row);
            Ok(StatusCode::NO_CONTENT)
        }
        // Keys are never deleted and a revocation is never undone, so a key that exists
        // here was revoked already.
        None => {
            load(&state, &id).await?;
            Err(SandboxError::conflict(format!(
                "The API key {id} is already revoked."
            )))
        }
    }
}

/// Why a key cannot be rotated, if it cannot.
fn refuse_rotation(key: &KeyRow) -> Option<SandboxError> {
    let id = &key.id;
    if key.revoked_at.is_some() {
        return Some(SandboxError::conflict(format!(
            "The API key {id} is revoked; create a new key instead."
        )));
    }
    key.replaced_by.as_ref().map(|replacement| {
        SandboxError::conflict(format!(
            "The API key {id} was already rotated; rotate its replacement {replacement} instead."
        ))
    })
}

/// Zero-downtime rotation: creates a replacement with the same scopes and lets the old key
/// keep working for the chosen grace period.
///
/// The read of the old key, the checks and both writes are one `BEGIN IMMEDIATE`
/// transaction, and the old key is updated only if it is still neither revoked nor replaced:
/// of concurrent rotations of one key exactly one creates a replacement and the others get
/// 409, and no replacement is ever created for a key revoked in the meantime.
#[utoipa::path(
    post, path = "/v1/api_keys/{id}/rotate", tag = "API keys",
    params(("id" = String, Path, description = "Key id, `key_…`")),
    request_body(content = RotateApiKeyRequest, example = json!({"grace_period_seconds": 86400, "name": "CRM sync (rotated 29 Nov)"})),
    responses(
        (status = 201, description = "The replacement, with its secret shown once, and the old key", body = RotatedApiKey),
        (status = 409, description = "conflict: the key is revoked or was already rotated", body = ErrorBody),
    ),
    security(("bearer_key" = ["keys:manage"]))
)]
pub async fn rotate_key(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateApiKeyRequest>,
) -> Result<(StatusCode, Json<RotatedApiKey>)> {
    let mut issues = Vec::new();
    if !GRACE_PERIODS.contains(&body.grace_period_seconds) {
        issues.push(FieldIssue::new(
            "grace_period_seconds",
            "must be 0, 3600 (1 h), 86400 (24 h) or 604800 (7 d)",
        ));
    }
    if let Some(issue) = body.name.as_deref().and_then(|name| KEY_NAME.issue(name)) {
        issues.push(FieldIssue::new("name", issue));
    }
    if !issues.is_empty() {
        return Err(SandboxError::validation(issues));
    }
    // IMMEDIATE takes the write lock before the read, so the read is the state the writes
    // apply to; a deferred transaction would read, then fail to upgrade if another writer
    // committed in between.
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let old: KeyRow = rows::get(&mut *tx, Table::ApiKeys, &id).await?;
    if let Some(refusal) = refuse_rotation(&old) {
        return Err(refusal);
    }
    let scopes = old.scopes();
    check_grantable(&caller, &scopes)?;
    let now = state.clock.now_ms();
    let name = body.name.as_deref().map_or(old.name.as_str(), str::trim);
    let (new_row, secret) = key_store::insert(
        &mut *tx,
        name,
        &scopes,
        now,
        None,
        Some(&old.id),
        state.live,
    )
    .await?;
    let old_row: Option<KeyRow> = sqlx::query_as(
        "UPDATE api_keys SET expires_at = ?, replaced_by = ?
         WHERE id = ? AND revoked_at IS NULL AND replaced_by IS NULL RETURNING *",
    )
    .bind(now + body.grace_period_seconds as i64 * 1000)
    .bind(&new_row.id)
    .bind(&old.id)
    .fetch_optional(&mut *tx)
    .await?;
    // Dropping the transaction rolls the replacement back.
    let Some(old_row) = old_row else {
        return Err(SandboxError::conflict(format!(
            "The API key {id} was revoked or rotated by another request at the same time."
        )));
    };
    tx.commit().await?;
    state.keys.put(&new_row);
    state.keys.put(&old_row);
    Ok((
        StatusCode::CREATED,
        Json(RotatedApiKey {
            new_key: CreatedApiKey {
                key: new_row.to_api(now),
                secret,
            },
            old_key: old_row.to_api(now),
        }),
    ))
}
