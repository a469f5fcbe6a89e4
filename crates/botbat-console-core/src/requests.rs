//! The platform's request log, read live: what `botbat logs tail` prints and what the
//! window's Requests view shows. A support engineer's first question is "did my request
//! arrive, and what did it get?", so each entry carries the request id the caller saw.
//!
//! The log is `GET /v1/usage/requests`. A tail reads it newest first and stops at the
//! newest id it has already seen, so each poll costs one request however busy the log is,
//! and a request is never shown twice or skipped, even when requests finish out of order.
//! The tail's own polls are metered too; it recognises them by their request ids and
//! leaves them out.

use std::collections::HashSet;

use botbat_api::{Client, Page, UsageRecord};
use botbat_webhooks::forward::glob_match;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, Console, Environment};

type Result<T> = std::result::Result<T, CommandError>;

/// How many entries a tail without `since` starts with, like `tail`'s last lines.
pub const DEFAULT_BACKLOG: usize = 10;

/// Which requests to show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct RequestLogFilter {
    /// `2xx`, `4xx`, `5xx`, or an exact status such as `429` or `404`.
    pub status: Option<String>,
    pub key_id: Option<String>,
    /// A route template or a glob over them: `/v1/contacts*`.
    pub route: Option<String>,
    /// Start from this time instead of the last few requests.
    pub since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StatusFilter {
    Class(u16),
    Exact(u16),
}

impl StatusFilter {
    fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        let invalid = || {
            CommandError::invalid_input(
                "status",
                format!(
                    "{raw:?} is not a status filter: use 2xx, 4xx, 5xx or a status such as 429"
                ),
            )
        };
        if let Some(class) = raw.strip_suffix("xx") {
            return match class {
                "1" | "2" | "3" | "4" | "5" => {
                    Ok(Self::Class(class.parse().map_err(|_| invalid())?))
                }
                _ => Err(invalid()),
            };
        }
        match raw.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => Ok(Self::Exact(code)),
            _ => Err(invalid()),
        }
    }

    fn matches(self, status: u16) -> bool {
        match self {
            Self::Class(class) => status / 100 == class,
            Self::Exact(code) => status == code,
        }
    }
}

/// A live read of one environment's request log.
pub struct RequestLog {
    client: Client,
    key_id: Option<String>,
    status: Option<StatusFilter>,
    route: Option<String>,
    since: Option<DateTime<Utc>>,
    backlog: usize,
    /// The newest log id read so far.
    watermark: Option<i64>,
    own: HashSet<String>,
}

impl Console {
    /// Opens `environment`'s request log with `filter`, checking the filter first.
    pub async fn request_log(
        &self,
        environment: Environment,
        filter: RequestLogFilter,
    ) -> Result<RequestLog> {
        let status = filter
            .status
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(StatusFilter::parse)
            .transpose()?;
        let key_id = filter.key_id.filter(|k| !k.trim().is_empty());
        if let Some(key_id) = &key_id {
            crate::keys::check_id("key_id", "key_", "a key", key_id)?;
        }
        let route = filter.route.filter(|r| !r.trim().is_empty());
        if let Some(route) = &route {
            if !route.starts_with('/') && !route.starts_with('*') {
                return Err(CommandError::invalid_input(
                    "route",
                    format!("{route:?} is not a route: routes look like /v1/contacts/{{id}}; * matches any part"),
                ));
            }
        }
        Ok(RequestLog {
            client: self.client(environment).await?,
            key_id,
            status,
            route,
            since: filter.since,
            backlog: DEFAULT_BACKLOG,
            watermark: None,
            own: HashSet::new(),
        })
    }
}

impl RequestLog {
    /// How many entries the first read returns when no `since` is set.
    pub fn with_backlog(mut self, entries: usize) -> Self {
        self.backlog = entries;
        self
    }

    fn matches(&self, record: &UsageRecord) -> bool {
        !record
            .request_id
            .as_ref()
            .is_some_and(|id| self.own.contains(id))
            && self.status.is_none_or(|s| s.matches(record.status))
            && self
                .route
                .as_deref()
                .is_none_or(|r| glob_match(r, &record.route))
    }

    /// The requests logged since the previous read (the first read: since `since`, or the
    /// last few), oldest first, that match the filter.
    pub async fn next(&mut self) -> Result<Vec<UsageRecord>> {
        let first = self.watermark.is_none();
        let cap = if first && self.since.is_none() {
            self.backlog
        } else {
            usize::MAX
        };
        let mut read: Vec<UsageRecord> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("order", "desc".to_string()), ("limit", "100".to_string())];
            if let Some(since) = self.since {
                query.push(("from", since.to_rfc3339()));
            }
            if let Some(key_id) = &self.key_id {
                query.push(("key_id", key_id.clone()));
            }
            if let Some(cursor) = cursor.take() {
                query.push(("cursor", cursor));
            }
            let page = self
                .client
                .get::<Page<UsageRecord>>("/usage/requests", &query)
                .await?;
            if let Some(id) = page.request_id {
                self.own.insert(id);
            }
            let mut caught_up = false;
            for record in page.data.data {
                if self.watermark.is_some_and(|w| record.id <= w) {
                    caught_up = true;
                    break;
                }
                read.push(record);
            }
            match page.data.cursor {
                Some(next) if !caught_up && read.len() < cap => cursor = Some(next),
                _ => break,
            }
        }
        read.truncate(cap);
        if let Some(newest) = read.first() {
            self.watermark = Some(self.watermark.map_or(newest.id, |w| w.max(newest.id)));
        } else if first {
            self.watermark = Some(0);
        }
        read.reverse();
        read.retain(|r| self.matches(r));
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_filters_take_classes_and_exact_codes() {
        assert!(StatusFilter::parse("2xx").expect("class").matches(204));
        assert!(!StatusFilter::parse("4XX").expect("class").matches(500));
        assert!(StatusFilter::parse("429").expect("code").matches(429));
        assert!(!StatusFilter::parse("429").expect("code").matches(422));
        for bad in ["6xx", "abc", "42", "xx"] {
            assert_eq!(
                StatusFilter::parse(bad).expect_err(bad).details[0].field,
                "status"
            );
        }
    }
}
