//! `/v1/templates`: WhatsApp message templates and their simulated review.
//!
//! A submitted template is `pending` until its review is due, then `approved`, or
//! `rejected` with a reason. The review is settled when the template is next read, from the
//! due time stored with it, so it completes on schedule even across a restart, and moving
//! the sandbox clock forward settles it at once. Sandbox convention: a template whose name
//! starts with `reject` is always rejected.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::contract::{LANGUAGE, TEMPLATE_NAME};
use botbat_api::{
    CreateTemplateRequest, ErrorBody, FieldIssue, Page, PageParams, Template, TemplateCategory,
    TemplateFilter, TemplateStatus, UpdateTemplateRequest, TEMPLATE_BODY,
};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{unless_duplicate, ApiJson, ApiQuery, Result, SandboxError};
use crate::pagination::Paged;
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{event_log, ids, rules};

pub const REJECT_PREFIX: &str = "reject";

#[derive(Debug, Clone, FromRow)]
struct TemplateRow {
    id: String,
    name: String,
    language: String,
    category: TemplateCategory,
    body: String,
    status: TemplateStatus,
    rejection_reason: Option<String>,
    submitted_at: Option<i64>,
    reviewed_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TemplateRow {
    fn to_api(&self) -> Template {
        Template {
            id: self.id.clone(),
            name: self.name.clone(),
            language: self.language.clone(),
            category: self.category,
            variables: variables(&self.body).unwrap_or(0),
            body: self.body.clone(),
            status: self.status,
            rejection_reason: self.rejection_reason.clone(),
            submitted_at: self.submitted_at.map(from_ms),
            reviewed_at: self.reviewed_at.map(from_ms),
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        }
    }
}

/// The number of variables in `body`, or why they are invalid: they must be `{{1}}` to
/// `{{n}}`, each used at least once, with no gap.
pub fn variables(body: &str) -> std::result::Result<u32, String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err("has a `{{` without its closing `}}`".into());
        };
        let inner = after[..end].trim();
        match inner.parse::<u32>() {
            Ok(n) if n >= 1 => {
                seen.insert(n);
            }
            _ => {
                return Err(format!(
                "has a variable {{{{{inner}}}}}; variables are numbers: {{{{1}}}}, {{{{2}}}}, …"
            ))
            }
        }
        rest = &after[end + 2..];
    }
    let count = seen.len() as u32;
    if seen.iter().copied().eq(1..=count) {
        Ok(count)
    } else {
        Err(format!(
            "numbers its variables {:?}; they must run from {{{{1}}}} without gaps",
            seen.iter().collect::<Vec<_>>()
        ))
    }
}

struct Fields {
    name: String,
    language: String,
    category: TemplateCategory,
    body: String,
}

fn validate(fields: &Fields) -> Result<()> {
    let mut issues = Vec::new();
    if let Some(issue) = TEMPLATE_NAME.issue(&fields.name) {
        issues.push(FieldIssue::new("name", issue));
    }
    if let Some(issue) = LANGUAGE.issue(&fields.language) {
        issues.push(FieldIssue::new("language", issue));
    }
    if let Some(issue) = TEMPLATE_BODY.issue(&fields.body) {
        issues.push(FieldIssue::new("body", issue));
    } else if let Err(why) = variables(&fields.body) {
        issues.push(rules::TEMPLATE_NUMBERING.detail_with(format!("this body {why}")));
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(SandboxError::validation(issues))
    }
}

/// The 409 for a write the unique index refused: it names the template that already has
/// the name in the language.
async fn duplicate(state: &AppState, fields: &Fields, except: &str) -> SandboxError {
    match check_unique(state, fields, except).await {
        Err(error) => error,
        Ok(()) => SandboxError::conflict(
            "Another template had this name in this language while the request ran, and has changed since; retry.",
        ),
    }
}

async fn check_unique(state: &AppState, fields: &Fields, except: &str) -> Result<()> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM templates WHERE name = ? AND language = ? AND id != ?")
            .bind(&fields.name)
            .bind(&fields.language)
            .bind(except)
            .fetch_optional(&state.db)
            .await?;
    match existing {
        Some(id) => {
            let mut error = SandboxError::conflict(format!(
                "Template {id} already uses the name {:?} in {}.",
                fields.name, fields.language
            ));
            error.details = vec![FieldIssue::new("name", format!("already used by {id}"))];
            Err(error)
        }
        None => Ok(()),
    }
}

/// Settles every review that is due, so reads never show a stale `pending`.
pub(crate) async fn settle_reviews(state: &AppState) -> Result<()> {
    let now = state.clock.now_ms();
    let settled: Vec<TemplateRow> = sqlx::query_as(
        "UPDATE templates SET
             status = CASE WHEN substr(name, 1, length(?2)) = ?2 THEN 'rejected' ELSE 'approved' END,
             rejection_reason = CASE WHEN substr(name, 1, length(?2)) = ?2
                 THEN 'Sandbox convention: templates whose name starts with ' || ?2 || ' are always rejected.'
                 ELSE NULL END,
             reviewed_at = review_due_at,
             review_due_at = NULL
         WHERE status = 'pending' AND review_due_at <= ?1 RETURNING *",
    )
    .bind(now)
    .bind(REJECT_PREFIX)
    .fetch_all(&state.db)
    .await?;
    for row in settled {
        let event_type = if row.status == TemplateStatus::Approved {
            "template.approved"
        } else {
            "template.rejected"
        };
        event_log::emit(state, event_type, &row.to_api()).await?;
    }
    Ok(())
}

async fn load(state: &AppState, id: &str) -> Result<TemplateRow> {
    settle_reviews(state).await?;
    rows::get(&state.db, Table::Templates, id).await
}

/// A template as the message sender needs it: its status, body and variable count, or
/// `None` if there is no such template.
pub(crate) async fn for_sending(
    state: &AppState,
    id: &str,
) -> Result<Option<(TemplateStatus, String, u32)>> {
    settle_reviews(state).await?;
    let row: Option<TemplateRow> = rows::find(&state.db, Table::Templates, id).await?;
    Ok(row.map(|r| (r.status, r.body.clone(), variables(&r.body).unwrap_or(0))))
}

/// Lists templates, newest first, by status and language.
#[utoipa::path(
    get, path = "/v1/templates", tag = "Templates",
    params(PageParams, TemplateFilter),
    responses((status = 200, description = "A page of templates", body = Page<Template>)),
    security(("bearer_key" = ["templates:read"]))
)]
pub async fn list_templates(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<TemplateFilter>,
) -> Result<Json<Page<Template>>> {
    let mut list = paged.list("templates", "SELECT * FROM templates")?;
    settle_reviews(&state).await?;
    list.filter("status = ?", filter.status.map(TemplateStatus::as_str))
        .filter("language = ?", filter.language.as_deref());
    Ok(Json(list.page(&state.db, TemplateRow::to_api).await?))
}

/// Creates a draft template.
#[utoipa::path(
    post, path = "/v1/templates", tag = "Templates",
    request_body(content = CreateTemplateRequest, example = json!({"name": "order_shipped", "language": "en_US", "category": "utility", "body": "Hi {{1}}, your order {{2}} is on its way."})),
    responses(
        (status = 201, description = "The draft", body = Template),
        (status = 409, description = "conflict: the name is taken in this language", body = ErrorBody),
    ),
    security(("bearer_key" = ["templates:write"])),
    extensions(("x-runtime-rules" = json!([rules::TEMPLATE_NUMBERING])))
)]
pub async fn create_template(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateTemplateRequest>,
) -> Result<(StatusCode, Json<Template>)> {
    let fields = Fields {
        name: body.name,
        language: body.language,
        category: body.category,
        body: body.body,
    };
    validate(&fields)?;
    let now = state.clock.now_ms();
    let inserted = sqlx::query_as(
        "INSERT INTO templates (id, name, language, category, body, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING *",
    )
    .bind(ids::template_id())
    .bind(&fields.name)
    .bind(&fields.language)
    .bind(fields.category)
    .bind(&fields.body)
    .bind(now)
    .bind(now)
    .fetch_one(&state.db)
    .await;
    let Some(row): Option<TemplateRow> = unless_duplicate(inserted)? else {
        return Err(duplicate(&state, &fields, "").await);
    };
    Ok((StatusCode::CREATED, Json(row.to_api())))
}

/// One template, with its review state.
#[utoipa::path(
    get, path = "/v1/templates/{id}", tag = "Templates",
    params(("id" = String, Path, description = "Template id, `tpl_…`")),
    responses((status = 200, description = "The template", body = Template)),
    security(("bearer_key" = ["templates:read"]))
)]
pub async fn get_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Template>> {
    Ok(Json(load(&state, &id).await?.to_api()))
}

/// Edits a template. A template under review cannot change (409); an approved or rejected
/// one returns to draft and must be submitted again.
#[utoipa::path(
    put, path = "/v1/templates/{id}", tag = "Templates",
    params(("id" = String, Path, description = "Template id, `tpl_…`")),
    request_body(content = UpdateTemplateRequest, example = json!({"body": "Hello {{1}}, order {{2}} has shipped."})),
    responses(
        (status = 200, description = "The template, back in draft", body = Template),
        (status = 409, description = "conflict: under review, or the name is taken", body = ErrorBody),
    ),
    security(("bearer_key" = ["templates:write"])),
    extensions(("x-runtime-rules" = json!([rules::TEMPLATE_NUMBERING])))
)]
pub async fn update_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateTemplateRequest>,
) -> Result<Json<Template>> {
    let current = load(&state, &id).await?;
    if current.status == TemplateStatus::Pending {
        return Err(SandboxError::conflict(format!(
            "Template {id} is under review; wait for the result before editing it."
        )));
    }
    let fields = Fields {
        name: body.name.unwrap_or(current.name.clone()),
        language: body.language.unwrap_or(current.language.clone()),
        category: body.category.unwrap_or(current.category),
        body: body.body.unwrap_or(current.body.clone()),
    };
    validate(&fields)?;
    let updated = sqlx::query_as(
        "UPDATE templates SET name = ?, language = ?, category = ?, body = ?, status = 'draft',
             rejection_reason = NULL, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&fields.name)
    .bind(&fields.language)
    .bind(fields.category)
    .bind(&fields.body)
    .bind(state.clock.now_ms())
    .bind(&id)
    .fetch_one(&state.db)
    .await;
    let Some(row): Option<TemplateRow> = unless_duplicate(updated)? else {
        return Err(duplicate(&state, &fields, &id).await);
    };
    Ok(Json(row.to_api()))
}

/// Deletes a template that is not under review.
#[utoipa::path(
    delete, path = "/v1/templates/{id}", tag = "Templates",
    params(("id" = String, Path, description = "Template id, `tpl_…`")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "conflict: the template is under review", body = ErrorBody),
    ),
    security(("bearer_key" = ["templates:write"]))
)]
pub async fn delete_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let current = load(&state, &id).await?;
    if current.status == TemplateStatus::Pending {
        return Err(SandboxError::conflict(format!(
            "Template {id} is under review; it can be deleted once the review is done."
        )));
    }
    rows::delete(&state.db, Table::Templates, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Submits a draft or rejected template for WhatsApp approval. It is `pending` until the
/// review completes (after the sandbox's review delay), then `approved` or `rejected`.
#[utoipa::path(
    post, path = "/v1/templates/{id}/submit", tag = "Templates",
    params(("id" = String, Path, description = "Template id, `tpl_…`")),
    responses(
        (status = 200, description = "The template, now pending", body = Template),
        (status = 409, description = "conflict: already under review or approved", body = ErrorBody),
    ),
    security(("bearer_key" = ["templates:write"]))
)]
pub async fn submit_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Template>> {
    let current = load(&state, &id).await?;
    match current.status {
        TemplateStatus::Pending => {
            return Err(SandboxError::conflict(format!(
                "Template {id} is already under review."
            )))
        }
        TemplateStatus::Approved => {
            return Err(SandboxError::conflict(format!(
                "Template {id} is already approved; edit it to change it, then submit again."
            )))
        }
        TemplateStatus::Draft | TemplateStatus::Rejected => {}
    }
    let now = state.clock.now_ms();
    let row: TemplateRow = sqlx::query_as(
        "UPDATE templates SET status = 'pending', rejection_reason = NULL, submitted_at = ?,
             review_due_at = ?, reviewed_at = NULL, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(now)
    .bind(now + state.review_delay_ms)
    .bind(now)
    .bind(&id)
    .fetch_one(&state.db)
    .await?;
    let template = row.to_api();
    event_log::emit(&state, "template.submitted", &template).await?;
    Ok(Json(template))
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn variables_must_run_from_one_without_gaps() {
        assert_eq!(variables("Hello"), Ok(0));
        assert_eq!(variables("Hi {{1}}, order {{2}}; again {{1}}"), Ok(2));
        assert_eq!(variables("Hi {{ 1 }}"), Ok(1));
        assert!(variables("Hi {{2}}").is_err());
        assert!(variables("Hi {{1}} {{3}}").is_err());
        assert!(variables("Hi {{name}}").is_err());
        assert!(variables("Hi {{1").is_err());
    }
}
