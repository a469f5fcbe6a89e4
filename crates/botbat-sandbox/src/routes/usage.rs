//! `/v1/usage`: the request log that metering writes, paged oldest first so a client can
//! sync it incrementally, and summary counts for dashboards.

use axum::extract::State;
use axum::Json;
use botbat_api::{Page, PageParams, UsageOrder, UsageQuery, UsageRecord, UsageSummary};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{ApiQuery, Result};
use crate::pagination::Paged;
use crate::rules;
use crate::state::AppState;

#[derive(Debug, FromRow)]
struct UsageRow {
    id: i64,
    time: i64,
    key_id: String,
    method: String,
    route: String,
    status: i64,
    latency_us: i64,
    rate_limited: bool,
    retry_after: Option<i64>,
    request_id: Option<String>,
    console: bool,
}

impl UsageRow {
    fn to_api(&self) -> UsageRecord {
        UsageRecord {
            id: self.id,
            time: from_ms(self.time),
            key_id: self.key_id.clone(),
            method: self.method.clone(),
            route: self.route.clone(),
            status: self.status as u16,
            latency_ms: self.latency_us as f64 / 1000.0,
            rate_limited: self.rate_limited,
            retry_after: self.retry_after.map(|s| s as u32),
            request_id: self.request_id.clone(),
            console: self.console,
        }
    }
}

struct Range {
    from: i64,
    to: i64,
    key_id: Option<String>,
    rate_limited: Option<bool>,
    console: Option<bool>,
}

fn range(query: &UsageQuery) -> Result<Range> {
    let from = query.from.map(|t| t.timestamp_millis()).unwrap_or(i64::MIN);
    let to = query.to.map(|t| t.timestamp_millis()).unwrap_or(i64::MAX);
    if from > to {
        return Err(rules::USAGE_RANGE.refuse(rules::USAGE_RANGE.detail()));
    }
    Ok(Range {
        from,
        to,
        key_id: query.key_id.clone().filter(|k| !k.is_empty()),
        rate_limited: query.rate_limited,
        console: query.console,
    })
}

/// Metered requests, oldest first: time, key, method, route template, status, latency,
/// whether the request was rate limited, and whether the console sent it for itself.
#[utoipa::path(
    get, path = "/v1/usage/requests", tag = "Usage",
    params(PageParams, UsageQuery),
    responses((status = 200, description = "A page of metered requests", body = Page<UsageRecord>)),
    security(("bearer_key" = ["usage:read"])),
    extensions(("x-runtime-rules" = json!([rules::USAGE_RANGE])))
)]
pub async fn list_requests(
    State(state): State<AppState>,
    paged: Paged,
    ApiQuery(query): ApiQuery<UsageQuery>,
) -> Result<Json<Page<UsageRecord>>> {
    let range = range(&query)?;
    let newest_first = query.order.unwrap_or_default() == UsageOrder::Desc;
    // A cursor belongs to one order: paging on with the other would skip or repeat rows.
    let name = if newest_first { "usage_desc" } else { "usage" };
    let mut list = paged.list(name, "SELECT * FROM usage_requests")?;
    state.meter.flush().await;
    list.keyed_by("id")
        .filter("time >= ?", Some(range.from))
        .filter("time < ?", Some(range.to))
        .filter("key_id = ?", range.key_id.as_deref())
        .filter("rate_limited = ?", range.rate_limited)
        .filter("console = ?", range.console);
    if !newest_first {
        list.oldest_first();
    }
    Ok(Json(list.page(&state.db, UsageRow::to_api).await?))
}

/// Request, error and rate-limited counts over a time range: by default the 24 hours up to
/// `to`, and up to now (or to `from`, if that is later) when `to` is omitted.
#[utoipa::path(
    get, path = "/v1/usage/summary", tag = "Usage",
    params(UsageQuery),
    responses((status = 200, description = "Counts over the range", body = UsageSummary)),
    security(("bearer_key" = ["usage:read"])),
    extensions(("x-runtime-rules" = json!([rules::USAGE_RANGE])))
)]
pub async fn summary(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<UsageQuery>,
) -> Result<Json<UsageSummary>> {
    let now = state.clock.now_ms();
    let to = query
        .to
        .unwrap_or_else(|| from_ms(now + 1).max(query.from.unwrap_or_else(|| from_ms(now + 1))));
    let query = UsageQuery {
        from: query.from.or(Some(to - chrono::Duration::hours(24))),
        to: Some(to),
        ..query
    };
    let range = range(&query)?;
    state.meter.flush().await;
    let (requests, errors, rate_limited): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(status >= 400), 0), COALESCE(SUM(rate_limited), 0)
         FROM usage_requests WHERE time >= ?1 AND time < ?2 AND (?3 IS NULL OR key_id = ?3)
           AND (?4 IS NULL OR rate_limited = ?4) AND (?5 IS NULL OR console = ?5)",
    )
    .bind(range.from)
    .bind(range.to)
    .bind(&range.key_id)
    .bind(range.rate_limited)
    .bind(range.console)
    .fetch_one(&state.db)
    .await?;
    Ok(Json(UsageSummary {
        from: from_ms(range.from),
        to: from_ms(range.to),
        requests: requests as u64,
        errors: errors as u64,
        rate_limited: rate_limited as u64,
        error_rate: if requests == 0 {
            0.0
        } else {
            errors as f64 / requests as f64
        },
    }))
}
