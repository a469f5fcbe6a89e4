//! From a chart request to a drawn chart: which question to ask the cache, and how its
//! answer is drawn (titles, units, colours with a meaning, the plan's limit).

use botbat_charts::{Chart, Hue, Style, Threshold, TimeAxis, Unit};
use botbat_usage::{Answer, ErrorsBy, Filters, LogQuery, Source, Tz, UsageStore, VolumeBy, Window};
use chrono::{DateTime, Duration, Utc};

use super::model::{
    ChartSeriesFilter, ChartUnit, UsageBreakdown, UsageChartKind, UsageChartRequest,
    UsageLogRequest, UsagePlanLimits, UsageRange,
};
use crate::CommandError;

type Result<T> = std::result::Result<T, CommandError>;

/// The range a request covers, ending `now` for the presets.
pub fn range_of(
    request: &UsageChartRequest,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let preset = |d: Duration| Ok((now - d, now));
    match request.range {
        UsageRange::LastHour => preset(Duration::hours(1)),
        UsageRange::LastDay => preset(Duration::hours(24)),
        UsageRange::LastWeek => preset(Duration::days(7)),
        UsageRange::LastMonth => preset(Duration::days(30)),
        UsageRange::Custom => {
            let parse = |field: &str, value: &Option<String>| -> Result<DateTime<Utc>> {
                let text = value.as_deref().unwrap_or("").trim();
                DateTime::parse_from_rfc3339(text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        CommandError::invalid_input(
                            field,
                            format!("Give a date and time for `{field}` (got {text:?})."),
                        )
                    })
            };
            let from = parse("from", &request.from)?;
            let to = parse("to", &request.to)?;
            if to <= from {
                return Err(CommandError::invalid_input(
                    "to",
                    "The end of the range must be after its start.",
                ));
            }
            if to - from > Duration::days(400) {
                return Err(CommandError::invalid_input(
                    "from",
                    "Choose a range of at most 400 days.",
                ));
            }
            Ok((from, to))
        }
    }
}

/// The request's time zone; a name the IANA database does not know is refused rather
/// than read as UTC, so a chart never silently shows the wrong days.
pub fn zone_of(request: &UsageChartRequest) -> Result<Tz> {
    botbat_usage::parse_zone(&request.time_zone)
        .map_err(|e| CommandError::invalid_input("time_zone", format!("{e}.")))
}

pub fn filters_of(request: &UsageChartRequest) -> Result<Filters> {
    filters_from(
        &request.key_id,
        &request.endpoint,
        request.status.clone(),
        request.include_console,
    )
}

/// The filters a chart and the request log share.
fn filters_from(
    key_id: &Option<String>,
    endpoint: &Option<String>,
    status: Option<String>,
    include_console: Option<bool>,
) -> Result<Filters> {
    let status = match status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(botbat_usage::StatusClass::parse(text).ok_or_else(|| {
            CommandError::invalid_input("status", "Choose 2xx, 4xx, 4xx_other, 429 or 5xx.")
        })?),
    };
    let endpoint = match endpoint.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(botbat_usage::EndpointName::parse(text).ok_or_else(|| {
            CommandError::invalid_input("endpoint", "Name an endpoint as `GET /v1/contacts`.")
        })?),
    };
    Ok(Filters {
        key_id: key_id
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string),
        endpoint,
        status,
        include_console: include_console.unwrap_or(false),
    })
}

/// The request log's question: the chart filters, a status code where a class would be,
/// a time range and an exact request id.
pub fn log_query_of(request: &UsageLogRequest) -> Result<LogQuery> {
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let status = text(&request.status);
    let status_code = match status.as_deref() {
        Some(code)
            if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) && code != "429" =>
        {
            Some(code.parse::<u16>().map_err(|_| {
                CommandError::invalid_input("status", "Give a status code such as 404.")
            })?)
        }
        _ => None,
    };
    let filters = filters_from(
        &request.key_id,
        &request.endpoint,
        if status_code.is_some() { None } else { status },
        request.include_console,
    )?;
    let instant = |field: &str, value: &Option<String>| -> Result<Option<i64>> {
        text(value)
            .map(|t| {
                DateTime::parse_from_rfc3339(&t)
                    .map(|t| t.timestamp_millis())
                    .map_err(|_| {
                        CommandError::invalid_input(
                            field,
                            format!("Give a date and time for `{field}` (got {t:?})."),
                        )
                    })
            })
            .transpose()
    };
    Ok(LogQuery {
        filters,
        status_code,
        from_ms: instant("from", &request.from)?,
        to_ms: instant("to", &request.to)?,
        request_id: text(&request.request_id),
    })
}

/// A series' log question in the Requests view's words: what [`log_query_of`] reads back.
pub fn series_filter(query: &LogQuery) -> ChartSeriesFilter {
    ChartSeriesFilter {
        key_id: query.filters.key_id.clone(),
        endpoint: query.filters.endpoint.as_ref().map(ToString::to_string),
        status: query
            .status_code
            .map(|code| code.to_string())
            .or_else(|| query.filters.status.map(|s| s.as_str().to_string())),
        include_console: query.filters.include_console,
    }
}

/// "per minute", "per 10 min", "per hour", "per 3 h", "per day".
fn per_bucket(bucket_s: i64) -> String {
    match bucket_s {
        60 => "per minute".to_string(),
        3_600 => "per hour".to_string(),
        86_400 => "per day".to_string(),
        s if s < 3_600 => format!("per {} min", s / 60),
        s if s < 86_400 => format!("per {} h", s / 3_600),
        s => format!("per {} days", s / 86_400),
    }
}

/// What was asked and answered, ready to draw.
pub struct Drawn {
    pub chart: Chart,
    pub answer: Answer,
    pub unit: ChartUnit,
}

pub async fn answer(
    store: &UsageStore,
    request: &UsageChartRequest,
    window: &Window,
    filters: &Filters,
    limits: Option<&UsagePlanLimits>,
) -> Result<Drawn> {
    let axis = TimeAxis {
        edges: window.edges(),
        bucket_s: window.bucket_s,
        zone: window.zone,
    };
    let per = per_bucket(window.bucket_s);
    let (answer, title, y_label, unit, styled): (Answer, String, String, Unit, Vec<(Style, Hue)>) =
        match request.chart {
            UsageChartKind::Volume => {
                let by = match request.breakdown {
                    Some(UsageBreakdown::Key) => VolumeBy::Key,
                    _ => VolumeBy::Endpoint,
                };
                let answer = store.volume(window, filters, by, Source::Rollups).await?;
                let styles = answer
                    .series
                    .iter()
                    .map(|s| {
                        let hue = if s.name.starts_with("Other (") {
                            Hue::Neutral
                        } else {
                            Hue::Palette(None)
                        };
                        (Style::StackedArea, hue)
                    })
                    .collect();
                let title = match by {
                    VolumeBy::Endpoint => "Requests by endpoint",
                    VolumeBy::Key => "Requests by key",
                };
                (
                    answer,
                    title.to_string(),
                    format!("Requests {per}"),
                    Unit::Count,
                    styles,
                )
            }
            UsageChartKind::Errors => {
                let by = match request.breakdown {
                    Some(UsageBreakdown::ErrorCode) => ErrorsBy::ErrorCode,
                    _ => ErrorsBy::StatusClass,
                };
                let answer = store.errors(window, filters, by, Source::Rollups).await?;
                let styles = answer
                    .series
                    .iter()
                    .map(|s| {
                        let hue = match (by, s.name.as_str()) {
                            (ErrorsBy::StatusClass, "4xx") => Hue::Warning,
                            (ErrorsBy::StatusClass, "5xx") => Hue::Danger,
                            (ErrorsBy::StatusClass, _) => Hue::Violet,
                            (ErrorsBy::ErrorCode, name) if name.starts_with("Other (") => {
                                Hue::Neutral
                            }
                            (ErrorsBy::ErrorCode, name) if name.starts_with("429 ") => Hue::Violet,
                            (ErrorsBy::ErrorCode, name) if name.starts_with("500 ") => Hue::Danger,
                            (ErrorsBy::ErrorCode, _) => Hue::Palette(None),
                        };
                        (Style::StackedArea, hue)
                    })
                    .collect();
                let title = match by {
                    ErrorsBy::StatusClass => "Error rate by status class",
                    ErrorsBy::ErrorCode => "Error rate by error code",
                };
                (
                    answer,
                    title.to_string(),
                    "Share of requests".to_string(),
                    Unit::Percent,
                    styles,
                )
            }
            UsageChartKind::Latency => {
                let answer = store.latency(window, filters, Source::Rollups).await?;
                let styles = vec![
                    (Style::Line, Hue::Palette(Some(0))),
                    (Style::Line, Hue::Warning),
                    (Style::Line, Hue::Danger),
                ];
                (
                    answer,
                    "Latency p50, p95 and p99".to_string(),
                    "Response time".to_string(),
                    Unit::Milliseconds,
                    styles,
                )
            }
            UsageChartKind::RateLimits => {
                let answer = store
                    .load(window, filters.key_id.as_deref(), Source::Rollups)
                    .await?;
                let styles = vec![
                    (Style::Line, Hue::Palette(Some(0))),
                    (Style::Markers, Hue::Violet),
                ];
                let title = if filters.key_id.is_some() {
                    "Rate-limit consumption of one key"
                } else {
                    "Rate-limit consumption"
                };
                (
                    answer,
                    title.to_string(),
                    "Requests in the busiest minute".to_string(),
                    Unit::Count,
                    styles,
                )
            }
        };
    let thresholds = match (request.chart, limits) {
        (UsageChartKind::RateLimits, Some(limits)) => vec![Threshold {
            label: format!(
                "Organisation limit: {} per minute ({})",
                limits.per_org_per_minute,
                plan_label(&limits.plan)
            ),
            value: f64::from(limits.per_org_per_minute),
        }],
        _ => Vec::new(),
    };
    let chart = Chart {
        title,
        y_label,
        unit,
        axis,
        series: answer
            .series
            .iter()
            .zip(styled)
            .map(|(s, (style, hue))| botbat_charts::Series {
                name: s.name.clone(),
                values: s.values.clone(),
                style,
                hue,
            })
            .collect(),
        thresholds,
        empty_message: if filters == &Filters::default() {
            "No requests in this range".to_string()
        } else {
            "No requests match these filters in this range".to_string()
        },
    };
    Ok(Drawn {
        chart,
        answer,
        unit: match unit {
            Unit::Count => ChartUnit::Count,
            Unit::Percent => ChartUnit::Percent,
            Unit::Milliseconds => ChartUnit::Milliseconds,
        },
    })
}

pub fn plan_label(plan: &str) -> String {
    let mut chars = plan.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_named_for_the_axis() {
        assert_eq!(per_bucket(60), "per minute");
        assert_eq!(per_bucket(600), "per 10 min");
        assert_eq!(per_bucket(10_800), "per 3 h");
        assert_eq!(plan_label("starter"), "Starter");
    }

    #[test]
    fn a_series_filter_reads_back_as_the_same_log_question() {
        let request = |f: ChartSeriesFilter| UsageLogRequest {
            key_id: f.key_id,
            endpoint: f.endpoint,
            status: f.status,
            from: None,
            to: None,
            request_id: None,
            include_console: Some(f.include_console),
            offset: 0,
            limit: 10,
        };
        for status in [
            botbat_usage::StatusClass::ClientErrorOther,
            botbat_usage::StatusClass::RateLimited,
            botbat_usage::StatusClass::ServerError,
        ] {
            let query = LogQuery::of(Filters {
                key_id: Some("key_crm".to_string()),
                endpoint: botbat_usage::EndpointName::parse("GET /v1/contacts"),
                status: Some(status),
                include_console: true,
            });
            let back = log_query_of(&request(series_filter(&query))).expect("valid");
            assert_eq!(back, query);
        }
        let code = LogQuery {
            status_code: Some(404),
            ..LogQuery::default()
        };
        let back = log_query_of(&request(series_filter(&code))).expect("valid");
        assert_eq!(back, code);
    }
}
