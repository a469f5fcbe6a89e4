//! `/v1/contacts`: CRUD with E.164 phones, duplicate reporting, filters and fuzzy search.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::contract;
use botbat_api::{
    Contact, ContactFilter, ContactSearch, CreateContactRequest, ErrorBody, FieldIssue, Page,
    PageParams, UpdateContactRequest, CONTACT_NAME, MAX_TAGS, SEARCH_QUERY, SEGMENT, TAG,
};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{unless_duplicate, ApiJson, ApiQuery, Result, SandboxError};
use crate::pagination::{self, Paged};
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{event_log, fuzzy, ids, rules};

#[derive(Debug, Clone, FromRow)]
pub(crate) struct ContactRow {
    seq: i64,
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    segment: Option<String>,
    tags: sqlx::types::Json<Vec<String>>,
    created_at: i64,
    updated_at: i64,
}

impl ContactRow {
    pub fn to_api(&self) -> Contact {
        Contact {
            id: self.id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            segment: self.segment.clone(),
            tags: self.tags.0.clone(),
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        }
    }
}

/// The fields of a contact, checked as `POST /v1/contacts` publishes them, then normalised:
/// name, segment and tags trimmed, a blank segment dropped, repeated tags dropped, the email
/// lower-cased. The CSV import passes cells already trimmed, an empty cell as `None`.
pub(crate) struct Fields {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub segment: Option<String>,
    pub tags: Vec<String>,
}

pub(crate) fn validate(fields: &mut Fields) -> Result<()> {
    let mut issues = Vec::new();
    if let Some(issue) = CONTACT_NAME.issue(&fields.name) {
        issues.push(FieldIssue::new("name", issue));
    }
    fields.name = fields.name.trim().to_string();
    if let Some(issue) = fields.email.as_deref().and_then(contract::email_issue) {
        issues.push(FieldIssue::new("email", issue));
    }
    fields.email = fields.email.take().map(|e| e.to_lowercase());
    if let Some(phone) = &fields.phone {
        if let Some(issue) = contract::PHONE.issue(phone) {
            issues.push(FieldIssue::new("phone", format!("{issue} (got {phone:?})")));
        }
    }
    if let Some(issue) = fields.segment.as_deref().and_then(|s| SEGMENT.issue(s)) {
        issues.push(FieldIssue::new("segment", issue));
    }
    fields.segment = fields
        .segment
        .take()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if fields.tags.len() > MAX_TAGS {
        issues.push(FieldIssue::new(
            "tags",
            format!("must have at most {MAX_TAGS} items"),
        ));
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, tag) in fields.tags.iter().enumerate() {
        if let Some(issue) = TAG.issue(tag) {
            issues.push(FieldIssue::new(format!("tags[{i}]"), issue));
        } else if !tags.iter().any(|t| t == tag.trim()) {
            tags.push(tag.trim().to_string());
        }
    }
    fields.tags = tags;
    if issues.is_empty() {
        Ok(())
    } else {
        Err(SandboxError::validation(issues))
    }
}

/// Inserts the contact; a phone or email already in use is refused by the unique indexes.
pub(crate) async fn insert(state: &AppState, fields: &Fields) -> sqlx::Result<ContactRow> {
    let now = state.clock.now_ms();
    sqlx::query_as(
        "INSERT INTO contacts (id, name, email, phone, segment, tags, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(ids::contact_id())
    .bind(&fields.name)
    .bind(&fields.email)
    .bind(&fields.phone)
    .bind(&fields.segment)
    .bind(sqlx::types::Json(&fields.tags))
    .bind(now)
    .bind(now)
    .fetch_one(&state.db)
    .await
}

async fn with_phone(state: &AppState, phone: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM contacts WHERE phone = ?")
            .bind(phone)
            .fetch_optional(&state.db)
            .await?,
    )
}

/// The contact with this phone, or a new one named after the number (a stranger writing
/// in), announced with `contact.created`. If another write creates the contact first, its
/// contact is the one returned.
pub(crate) async fn find_or_create_by_phone(state: &AppState, phone: &str) -> Result<String> {
    if let Some(id) = with_phone(state, phone).await? {
        return Ok(id);
    }
    let fields = Fields {
        name: phone.to_string(),
        email: None,
        phone: Some(phone.to_string()),
        segment: None,
        tags: vec!["inbound".to_string()],
    };
    let Some(row) = unless_duplicate(insert(state, &fields).await)? else {
        return with_phone(state, phone).await?.ok_or_else(duplicate_lost);
    };
    let contact = row.to_api();
    event_log::emit(state, "contact.created", &contact).await?;
    Ok(contact.id)
}

/// The 409 for a write the unique indexes refused: it names the contact that already has
/// the phone or email. Duplicates are reported, never merged.
pub(crate) async fn duplicate(
    state: &AppState,
    fields: &Fields,
    except: Option<&str>,
) -> SandboxError {
    match check_duplicates(state, fields, except).await {
        Err(error) => error,
        Ok(()) => duplicate_lost(),
    }
}

/// A refused write whose other contact is gone again by the time it is looked up.
fn duplicate_lost() -> SandboxError {
    SandboxError::conflict(
        "Another contact had this phone or email while the request ran, and has changed since; retry.",
    )
}

async fn check_duplicates(state: &AppState, fields: &Fields, except: Option<&str>) -> Result<()> {
    for (field, value) in [("phone", &fields.phone), ("email", &fields.email)] {
        let Some(value) = value else { continue };
        let existing: Option<String> = sqlx::query_scalar(&format!(
            "SELECT id FROM contacts WHERE {field} = ? AND id != ?"
        ))
        .bind(value)
        .bind(except.unwrap_or(""))
        .fetch_optional(&state.db)
        .await?;
        if let Some(id) = existing {
            let mut error = SandboxError::conflict(format!(
                "Contact {id} already has this {field}; update it, or use another {field}. Duplicates are not merged."
            ));
            error.details = vec![FieldIssue::new(field, format!("already used by {id}"))];
            return Err(error);
        }
    }
    Ok(())
}

/// A contact's phone: `None` if there is no such contact, `Some(None)` if it has no phone.
pub(crate) async fn phone_of(state: &AppState, id: &str) -> Result<Option<Option<String>>> {
    Ok(
        sqlx::query_scalar("SELECT phone FROM contacts WHERE id = ?")
            .bind(id)
            .fetch_optional(&state.db)
            .await?,
    )
}

async fn load(state: &AppState, id: &str) -> Result<ContactRow> {
    rows::get(&state.db, Table::Contacts, id).await
}

/// Lists contacts, newest first, by segment, tag and creation time.
#[utoipa::path(
    get, path = "/v1/contacts", tag = "Contacts",
    params(PageParams, ContactFilter),
    responses((status = 200, description = "A page of contacts", body = Page<Contact>)),
    security(("bearer_key" = ["contacts:read"])),
    extensions(("x-runtime-rules" = json!([rules::CREATED_RANGE])))
)]
pub async fn list_contacts(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<ContactFilter>,
) -> Result<Json<Page<Contact>>> {
    let mut list = paged.list("contacts", "SELECT * FROM contacts")?;
    list.filter("segment = ?", filter.segment.as_deref())
        .filter(
            "EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE json_each.value = ?)",
            filter.tag.as_deref(),
        )
        .created_between(filter.created_from, filter.created_to)?;
    Ok(Json(list.page(&state.db, ContactRow::to_api).await?))
}

/// Creates a contact. A phone or email already in use is a 409 naming the other contact.
#[utoipa::path(
    post, path = "/v1/contacts", tag = "Contacts",
    request_body(content = CreateContactRequest, example = json!({"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+447700900123", "segment": "vip", "tags": ["newsletter"]})),
    responses(
        (status = 201, description = "The contact", body = Contact),
        (status = 409, description = "conflict: the phone or email belongs to another contact", body = ErrorBody),
    ),
    security(("bearer_key" = ["contacts:write"]))
)]
pub async fn create_contact(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateContactRequest>,
) -> Result<(StatusCode, Json<Contact>)> {
    let mut fields = Fields {
        name: body.name,
        email: body.email,
        phone: body.phone,
        segment: body.segment,
        tags: body.tags,
    };
    validate(&mut fields)?;
    let Some(row) = unless_duplicate(insert(&state, &fields).await)? else {
        return Err(duplicate(&state, &fields, None).await);
    };
    let contact = row.to_api();
    event_log::emit(&state, "contact.created", &contact).await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

/// One contact.
#[utoipa::path(
    get, path = "/v1/contacts/{id}", tag = "Contacts",
    params(("id" = String, Path, description = "Contact id, `ct_…`")),
    responses((status = 200, description = "The contact", body = Contact)),
    security(("bearer_key" = ["contacts:read"]))
)]
pub async fn get_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Contact>> {
    Ok(Json(load(&state, &id).await?.to_api()))
}

/// Changes a contact; fields left out keep their value, `null` clears email, phone or segment.
#[utoipa::path(
    put, path = "/v1/contacts/{id}", tag = "Contacts",
    params(("id" = String, Path, description = "Contact id, `ct_…`")),
    request_body(content = UpdateContactRequest, example = json!({"segment": "churn-risk", "tags": ["newsletter", "q4"]})),
    responses(
        (status = 200, description = "The changed contact", body = Contact),
        (status = 409, description = "conflict: the phone or email belongs to another contact", body = ErrorBody),
    ),
    security(("bearer_key" = ["contacts:write"]))
)]
pub async fn update_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateContactRequest>,
) -> Result<Json<Contact>> {
    let current = load(&state, &id).await?;
    let mut fields = Fields {
        name: body.name.unwrap_or(current.name.clone()),
        email: body.email.unwrap_or(current.email.clone()),
        phone: body.phone.unwrap_or(current.phone.clone()),
        segment: body.segment.unwrap_or(current.segment.clone()),
        tags: body.tags.unwrap_or_else(|| current.tags.0.clone()),
    };
    validate(&mut fields)?;
    let updated = sqlx::query_as(
        "UPDATE contacts SET name = ?, email = ?, phone = ?, segment = ?, tags = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&fields.name)
    .bind(&fields.email)
    .bind(&fields.phone)
    .bind(&fields.segment)
    .bind(sqlx::types::Json(&fields.tags))
    .bind(state.clock.now_ms())
    .bind(&id)
    .fetch_one(&state.db)
    .await;
    let Some(row): Option<ContactRow> = unless_duplicate(updated)? else {
        return Err(duplicate(&state, &fields, Some(&id)).await);
    };
    let contact = row.to_api();
    event_log::emit(&state, "contact.updated", &contact).await?;
    Ok(Json(contact))
}

/// Deletes a contact.
#[utoipa::path(
    delete, path = "/v1/contacts/{id}", tag = "Contacts",
    params(("id" = String, Path, description = "Contact id, `ct_…`")),
    responses((status = 204, description = "Deleted")),
    security(("bearer_key" = ["contacts:write"]))
)]
pub async fn delete_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    load(&state, &id).await?;
    rows::delete(&state.db, Table::Contacts, &id).await?;
    event_log::emit(
        &state,
        "contact.deleted",
        &serde_json::json!({"id": id, "deleted": true}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Fuzzy search over name, email and phone: best matches first. A typo, part of a name or
/// part of a phone number (national or international format) still finds the contact.
#[utoipa::path(
    get, path = "/v1/contacts/search", tag = "Contacts",
    params(ContactSearch),
    responses((status = 200, description = "Matches, best first", body = Page<Contact>)),
    security(("bearer_key" = ["contacts:read"]))
)]
pub async fn search_contacts(
    State(state): State<AppState>,
    ApiQuery(search): ApiQuery<ContactSearch>,
) -> Result<Json<Page<Contact>>> {
    if let Some(issue) = SEARCH_QUERY.issue(&search.q) {
        return Err(SandboxError::field("q", issue));
    }
    let q = search.q.trim();
    let limit = pagination::limit(search.limit.as_deref())? as usize;
    let rows: Vec<ContactRow> = sqlx::query_as("SELECT * FROM contacts ORDER BY seq DESC")
        .fetch_all(&state.db)
        .await?;
    let mut scored: Vec<(u32, ContactRow)> = rows
        .into_iter()
        .filter_map(|row| {
            let score = fuzzy::score(q, &row.name, row.email.as_deref(), row.phone.as_deref());
            (score > 0).then_some((score, row))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.seq.cmp(&a.1.seq)));
    let total = scored.len() as u64;
    Ok(Json(Page {
        data: scored.iter().take(limit).map(|(_, r)| r.to_api()).collect(),
        cursor: None,
        total,
    }))
}
