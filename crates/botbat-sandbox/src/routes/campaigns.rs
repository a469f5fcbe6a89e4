//! `/v1/campaigns`: one message to every contact of a segment, now or at `send_at`.
//!
//! Sending is a state machine on the sandbox clock: draft → scheduled → sending →
//! completed | failed. The scheduler starts due campaigns and runs sending ones; each
//! message remembers its campaign (unique per contact), so a campaign interrupted by a
//! restart resumes where it was without messaging anyone twice.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{
    Campaign, CampaignCounts, CampaignFilter, CampaignStatus, Channel, CreateCampaignRequest,
    ErrorBody, FieldIssue, Page, PageParams, SendCampaignRequest, UpdateCampaignRequest,
    CAMPAIGN_NAME, CAMPAIGN_SEGMENT,
};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiJson, ApiQuery, Result, SandboxError};
use crate::pagination::Paged;
use crate::routes::messages::{self, Outbound};
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{event_log, ids, rules};

#[derive(Debug, Clone, FromRow)]
struct CampaignRow {
    id: String,
    name: String,
    segment: String,
    channel: Channel,
    template_id: Option<String>,
    variables: sqlx::types::Json<Vec<String>>,
    body: Option<String>,
    status: CampaignStatus,
    send_at: Option<i64>,
    started_at: Option<i64>,
    completed_at: Option<i64>,
    failure_reason: Option<String>,
    counts: sqlx::types::Json<CampaignCounts>,
    created_at: i64,
    updated_at: i64,
}

impl CampaignRow {
    fn to_api(&self) -> Campaign {
        Campaign {
            id: self.id.clone(),
            name: self.name.clone(),
            segment: self.segment.clone(),
            channel: self.channel,
            template_id: self.template_id.clone(),
            variables: self.variables.0.clone(),
            body: self.body.clone(),
            status: self.status,
            send_at: self.send_at.map(from_ms),
            started_at: self.started_at.map(from_ms),
            completed_at: self.completed_at.map(from_ms),
            failure_reason: self.failure_reason.clone(),
            counts: self.counts.0.clone(),
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        }
    }
}

struct Fields {
    name: String,
    segment: String,
    channel: Channel,
    template_id: Option<String>,
    variables: Vec<String>,
    body: Option<String>,
}

/// Checks the fields that do not depend on the template's review, which is checked when
/// sending (a template may be approved after the campaign is drafted). A create is checked
/// entirely by its schema but for the template's existence; an update is checked as the
/// campaign it leaves, whose channel may come from before.
async fn validate(state: &AppState, fields: &mut Fields) -> Result<()> {
    let mut issues = Vec::new();
    if let Some(issue) = CAMPAIGN_NAME.issue(&fields.name) {
        issues.push(FieldIssue::new("name", issue));
    }
    fields.name = fields.name.trim().to_string();
    if let Some(issue) = CAMPAIGN_SEGMENT.issue(&fields.segment) {
        issues.push(FieldIssue::new("segment", issue));
    }
    fields.segment = fields.segment.trim().to_string();
    messages::source(
        state,
        fields.channel,
        fields.template_id.as_deref(),
        fields.body.as_deref(),
        &mut issues,
    )
    .await?;
    if issues.is_empty() {
        Ok(())
    } else {
        Err(SandboxError::validation(issues))
    }
}

/// Lists campaigns, newest first, by status and creation date.
#[utoipa::path(
    get, path = "/v1/campaigns", tag = "Campaigns",
    params(PageParams, CampaignFilter),
    responses((status = 200, description = "A page of campaigns", body = Page<Campaign>)),
    security(("bearer_key" = ["campaigns:read"])),
    extensions(("x-runtime-rules" = json!([rules::CREATED_RANGE])))
)]
pub async fn list_campaigns(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(filter): ApiQuery<CampaignFilter>,
) -> Result<Json<Page<Campaign>>> {
    let mut list = paged.list("campaigns", "SELECT * FROM campaigns")?;
    list.filter("status = ?", filter.status.map(CampaignStatus::as_str))
        .created_between(filter.created_from, filter.created_to)?;
    Ok(Json(list.page(&state.db, CampaignRow::to_api).await?))
}

/// Creates a draft campaign.
#[utoipa::path(
    post, path = "/v1/campaigns", tag = "Campaigns",
    request_body(content = CreateCampaignRequest, example = json!({"name": "Black Friday", "segment": "vip", "channel": "whatsapp", "template_id": "tpl_…", "variables": ["30%"]})),
    responses((status = 201, description = "The draft campaign", body = Campaign)),
    security(("bearer_key" = ["campaigns:write"])),
    extensions(("x-runtime-rules" = json!([rules::TEMPLATE_EXISTS])))
)]
pub async fn create_campaign(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateCampaignRequest>,
) -> Result<(StatusCode, Json<Campaign>)> {
    let mut fields = Fields {
        name: body.name,
        segment: body.segment,
        channel: body.channel,
        template_id: body.template_id,
        variables: body.variables.unwrap_or_default(),
        body: body.body,
    };
    validate(&state, &mut fields).await?;
    let now = state.clock.now_ms();
    let row: CampaignRow = sqlx::query_as(
        "INSERT INTO campaigns (id, name, segment, channel, template_id, variables, body, status, counts, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING *",
    )
    .bind(ids::campaign_id())
    .bind(&fields.name)
    .bind(&fields.segment)
    .bind(fields.channel.as_str())
    .bind(&fields.template_id)
    .bind(sqlx::types::Json(&fields.variables))
    .bind(&fields.body)
    .bind(sqlx::types::Json(CampaignCounts::default()))
    .bind(now)
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(row.to_api())))
}

/// One campaign, with its counts once sent.
#[utoipa::path(
    get, path = "/v1/campaigns/{id}", tag = "Campaigns",
    params(("id" = String, Path, description = "Campaign id, `cmp_…`")),
    responses((status = 200, description = "The campaign", body = Campaign)),
    security(("bearer_key" = ["campaigns:read"]))
)]
pub async fn get_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Campaign>> {
    let row: CampaignRow = rows::get(&state.db, Table::Campaigns, &id).await?;
    Ok(Json(row.to_api()))
}

/// Changes a draft or scheduled campaign; fields left out keep their value.
#[utoipa::path(
    put, path = "/v1/campaigns/{id}", tag = "Campaigns",
    params(("id" = String, Path, description = "Campaign id, `cmp_…`")),
    request_body(content = UpdateCampaignRequest, example = json!({"name": "Black Friday (final)"})),
    responses(
        (status = 200, description = "The changed campaign", body = Campaign),
        (status = 409, description = "conflict: the campaign is sending or done", body = ErrorBody),
    ),
    security(("bearer_key" = ["campaigns:write"])),
    extensions(("x-runtime-rules" = json!([rules::TEMPLATE_EXISTS, rules::TEMPLATE_CHANNEL, rules::CAMPAIGN_SMS_BODY])))
)]
pub async fn update_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateCampaignRequest>,
) -> Result<Json<Campaign>> {
    let current: CampaignRow = rows::get(&state.db, Table::Campaigns, &id).await?;
    if !matches!(
        current.status,
        CampaignStatus::Draft | CampaignStatus::Scheduled
    ) {
        return Err(SandboxError::conflict(format!(
            "Campaign {id} is {}; only draft or scheduled campaigns can be edited.",
            current.status.as_str()
        )));
    }
    let switching_to_body = body.body.is_some() && body.template_id.is_none();
    let switching_to_template = body.template_id.is_some() && body.body.is_none();
    let mut fields = Fields {
        name: body.name.unwrap_or(current.name.clone()),
        segment: body.segment.unwrap_or(current.segment.clone()),
        channel: body.channel.unwrap_or(current.channel),
        template_id: if switching_to_body {
            None
        } else {
            body.template_id.or(current.template_id.clone())
        },
        variables: body
            .variables
            .unwrap_or_else(|| current.variables.0.clone()),
        body: if switching_to_template {
            None
        } else {
            body.body.or(current.body.clone())
        },
    };
    validate(&state, &mut fields).await?;
    let row: CampaignRow = sqlx::query_as(
        "UPDATE campaigns SET name = ?, segment = ?, channel = ?, template_id = ?, variables = ?,
             body = ?, updated_at = ? WHERE id = ? RETURNING *",
    )
    .bind(&fields.name)
    .bind(&fields.segment)
    .bind(fields.channel.as_str())
    .bind(&fields.template_id)
    .bind(sqlx::types::Json(&fields.variables))
    .bind(&fields.body)
    .bind(state.clock.now_ms())
    .bind(&id)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(row.to_api()))
}

/// Deletes a draft campaign.
#[utoipa::path(
    delete, path = "/v1/campaigns/{id}", tag = "Campaigns",
    params(("id" = String, Path, description = "Campaign id, `cmp_…`")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "conflict: only drafts can be deleted", body = ErrorBody),
    ),
    security(("bearer_key" = ["campaigns:write"]))
)]
pub async fn delete_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let current: CampaignRow = rows::get(&state.db, Table::Campaigns, &id).await?;
    if current.status != CampaignStatus::Draft {
        return Err(SandboxError::conflict(format!(
            "Campaign {id} is {}; only drafts can be deleted.",
            current.status.as_str()
        )));
    }
    rows::delete(&state.db, Table::Campaigns, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a draft or scheduled campaign now, or schedules it for `send_at`. The campaign
/// then sends one message per contact of its segment and completes with counts.
#[utoipa::path(
    post, path = "/v1/campaigns/{id}/send", tag = "Campaigns",
    params(("id" = String, Path, description = "Campaign id, `cmp_…`")),
    request_body(content = SendCampaignRequest, example = json!({"send_at": "2026-11-27T08:00:00Z"})),
    responses(
        (status = 202, description = "The campaign, sending or scheduled", body = Campaign),
        (status = 409, description = "conflict: the campaign is not a draft or scheduled", body = ErrorBody),
    ),
    security(("bearer_key" = ["campaigns:write"])),
    extensions(("x-runtime-rules" = json!([rules::SEND_AT_FUTURE])))
)]
pub async fn send_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SendCampaignRequest>,
) -> Result<(StatusCode, Json<Campaign>)> {
    let current: CampaignRow = rows::get(&state.db, Table::Campaigns, &id).await?;
    if !matches!(
        current.status,
        CampaignStatus::Draft | CampaignStatus::Scheduled
    ) {
        return Err(SandboxError::conflict(format!(
            "Campaign {id} is {}; only a draft or scheduled campaign can be sent.",
            current.status.as_str()
        )));
    }
    let now = state.clock.now_ms();
    let row = match body.send_at.map(|t| t.timestamp_millis()) {
        Some(at) if at <= now => {
            return Err(rules::SEND_AT_FUTURE.refuse(rules::SEND_AT_FUTURE.detail()))
        }
        Some(at) => {
            let row: CampaignRow = sqlx::query_as(
                "UPDATE campaigns SET status = 'scheduled', send_at = ?, updated_at = ?
                 WHERE id = ? RETURNING *",
            )
            .bind(at)
            .bind(now)
            .bind(&id)
            .fetch_one(&state.db)
            .await?;
            event_log::emit(&state, "campaign.scheduled", &row.to_api()).await?;
            row
        }
        None => start(&state, &id).await?,
    };
    Ok((StatusCode::ACCEPTED, Json(row.to_api())))
}

/// Moves a campaign to `sending` (or `failed`, if its template cannot be sent any more);
/// the scheduler does the sending.
async fn start(state: &AppState, id: &str) -> Result<CampaignRow> {
    let current: CampaignRow = rows::get(&state.db, Table::Campaigns, id).await?;
    let mut issues = Vec::new();
    let body = messages::compose(
        state,
        current.channel,
        current.template_id.as_deref(),
        &current.variables,
        current.body.as_deref(),
        &mut issues,
    )
    .await?;
    let now = state.clock.now_ms();
    if body.is_none() {
        let reason = issues
            .iter()
            .map(|i| format!("{}: {}", i.field, i.issue))
            .collect::<Vec<_>>()
            .join("; ");
        let row: CampaignRow = sqlx::query_as(
            "UPDATE campaigns SET status = 'failed', failure_reason = ?, completed_at = ?, updated_at = ?
             WHERE id = ? RETURNING *",
        )
        .bind(format!("Cannot send: {reason}"))
        .bind(now)
        .bind(now)
        .bind(id)
        .fetch_one(&state.db)
        .await?;
        event_log::emit(state, "campaign.failed", &row.to_api()).await?;
        return Ok(row);
    }
    let row: CampaignRow = sqlx::query_as(
        "UPDATE campaigns SET status = 'sending', started_at = ?, updated_at = ? WHERE id = ? RETURNING *",
    )
    .bind(now)
    .bind(now)
    .bind(id)
    .fetch_one(&state.db)
    .await?;
    event_log::emit(state, "campaign.started", &row.to_api()).await?;
    Ok(row)
}

/// Starts scheduled campaigns that are due and runs sending ones; called by the scheduler.
pub async fn run_due(state: &AppState) -> Result<()> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM campaigns WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at",
    )
    .bind(state.clock.now_ms())
    .fetch_all(&state.db)
    .await?;
    for id in due {
        start(state, &id).await?;
    }
    let sending: Vec<String> =
        sqlx::query_scalar("SELECT id FROM campaigns WHERE status = 'sending' ORDER BY seq")
            .fetch_all(&state.db)
            .await?;
    for id in sending {
        if state.campaigns_running.claim(&id) {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(error) = send_all(&state, &id).await {
                    tracing::warn!(%error.message, campaign = %id, "campaign interrupted; retrying");
                }
                state.campaigns_running.release(&id);
            });
        }
    }
    Ok(())
}

/// Sends to every contact of the segment that has no message from this campaign yet, then
/// completes the campaign with its counts.
async fn send_all(state: &AppState, id: &str) -> Result<()> {
    let campaign: CampaignRow = rows::get(&state.db, Table::Campaigns, id).await?;
    let mut issues = Vec::new();
    let Some(body) = messages::compose(
        state,
        campaign.channel,
        campaign.template_id.as_deref(),
        &campaign.variables,
        campaign.body.as_deref(),
        &mut issues,
    )
    .await?
    else {
        return Err(SandboxError::internal(
            "a sending campaign lost its template",
        ));
    };
    let recipients: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, phone FROM contacts WHERE segment = ? ORDER BY seq")
            .bind(&campaign.segment)
            .fetch_all(&state.db)
            .await?;
    for (contact_id, phone) in &recipients {
        let Some(phone) = phone else { continue };
        messages::create(
            state,
            Outbound {
                contact_id,
                phone,
                channel: campaign.channel,
                template_id: campaign.template_id.as_deref(),
                variables: &campaign.variables,
                body: &body,
                campaign_id: Some(id),
            },
        )
        .await?;
    }
    let (messages, failed): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(outcome = 'failed'), 0) FROM messages WHERE campaign_id = ?",
    )
    .bind(id)
    .fetch_one(&state.db)
    .await?;
    let counts = CampaignCounts {
        recipients: recipients.len() as u32,
        messages: messages as u32,
        failed: failed as u32,
        skipped: recipients.iter().filter(|(_, p)| p.is_none()).count() as u32,
    };
    let now = state.clock.now_ms();
    let (status, reason, event) = if recipients.is_empty() {
        (
            "failed",
            Some(format!(
                "The segment {:?} has no contacts.",
                campaign.segment
            )),
            "campaign.failed",
        )
    } else {
        ("completed", None, "campaign.completed")
    };
    let row: CampaignRow = sqlx::query_as(
        "UPDATE campaigns SET status = ?, failure_reason = ?, counts = ?, completed_at = ?, updated_at = ?
         WHERE id = ? RETURNING *",
    )
    .bind(status)
    .bind(reason)
    .bind(sqlx::types::Json(&counts))
    .bind(now)
    .bind(now)
    .bind(id)
    .fetch_one(&state.db)
    .await?;
    event_log::emit(state, event, &row.to_api()).await
}
