//! The Rate Limits panel: the plan table, live consumption, recent 429s, and the sandbox's
//! burst test that shows a limit being hit and lifted.

use std::time::Instant;

use botbat_api::{ErrorCode, Page, Plan, RateLimits, UsageRecord, Wait, CONSOLE_USER_AGENT};
use botbat_secrets::Sensitive;
use chrono::Utc;
use futures::stream::{FuturesUnordered, StreamExt};

use crate::keys::key_secret_id;
use crate::{
    BurstReport, BurstResult, CommandError, Console, ConsoleCode, Environment, PlanLimits,
    RateLimitView, Recent429,
};

type Result<T> = std::result::Result<T, CommandError>;

pub const MAX_BURST: u32 = 200;

impl Console {
    pub async fn rate_limits_view(&self, include_console: bool) -> Result<RateLimitView> {
        let client = self.client(self.preferences().active_environment).await?;
        let limits: RateLimits = client.rate_limits().await?.data;
        let mut query = vec![
            ("rate_limited", "true".to_string()),
            ("order", "desc".to_string()),
            ("limit", "20".to_string()),
            (
                "from",
                (Utc::now() - chrono::Duration::hours(24)).to_rfc3339(),
            ),
        ];
        if !include_console {
            query.push(("console", "false".to_string()));
        }
        let recent: Page<UsageRecord> = client.get("/usage/requests", &query).await?.data;
        Ok(RateLimitView {
            limits,
            plans: Plan::ALL
                .into_iter()
                .map(|plan| PlanLimits {
                    plan,
                    per_key_per_second: plan.per_key_per_second(),
                    per_org_per_minute: plan.per_org_per_minute(),
                })
                .collect(),
            recent_429s: recent
                .data
                .into_iter()
                .map(|r| Recent429 {
                    time: r.time.to_rfc3339(),
                    key_id: r.key_id,
                    method: r.method,
                    route: r.route,
                    retry_after: r.retry_after,
                })
                .collect(),
        })
    }

    /// Fires `count` requests at once with a key this machine holds (or the management
    /// key), each sent exactly once so the 429s stay visible, reporting each as it lands.
    /// Sandbox only: a burst against production would spend real quota.
    pub async fn burst_test(
        &self,
        environment: Environment,
        key_id: Option<&str>,
        count: u32,
        mut progress: impl FnMut(&BurstResult),
    ) -> Result<BurstReport> {
        self.ensure_active(environment).await?;
        if environment != Environment::Sandbox {
            return Err(CommandError::new(
                ConsoleCode::SandboxOnly,
                "The burst test runs only against the sandbox: in Production it would spend real quota.",
            ));
        }
        if !(1..=MAX_BURST).contains(&count) {
            return Err(CommandError::invalid_input(
                "count",
                format!("Choose from 1 to {MAX_BURST} requests."),
            ));
        }
        let client = match key_id {
            None => {
                self.client_with_key(
                    environment,
                    self.management_key(environment).await?,
                    Some(1),
                )
                .await?
            }
            Some(id) => {
                let key: Sensitive<String> = self
                    .secrets
                    .get(key_secret_id(environment, id))
                    .await?
                    .ok_or_else(|| {
                        CommandError::new(
                            ErrorCode::NotFound,
                            format!("This machine does not hold the secret of {id}; keep a key in the keychain when you create it to use it here."),
                        )
                    })?;
                self.client_with_key(environment, key, Some(1)).await?
            }
        };
        // The user's test, not the console's own traffic: its requests and 429s count.
        let client = client.identified_as(format!("{CONSOLE_USER_AGENT} (burst-test)"));
        let started = Instant::now();
        let mut pending: FuturesUnordered<_> = (0..count)
            .map(|index| {
                let client = client.clone();
                async move {
                    let outcome = client.me().await;
                    let (status, retry_after, request_id) = match outcome {
                        Ok(response) => (response.status, None, response.request_id),
                        Err(error) => (
                            error.status().unwrap_or(0),
                            error.retry_after(),
                            error.api().map(|e| e.request_id.clone()),
                        ),
                    };
                    BurstResult {
                        index,
                        status,
                        retry_after,
                        request_id,
                        retry_wait: retry_after.map(Wait::retry_after),
                        elapsed_ms: (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
                    }
                }
            })
            .collect();
        let mut results = Vec::with_capacity(count as usize);
        while let Some(result) = pending.next().await {
            progress(&result);
            results.push(result);
        }
        results.sort_by_key(|r| r.index);
        let max_retry_after = results.iter().filter_map(|r| r.retry_after).max();
        Ok(BurstReport {
            sent: count,
            ok: results
                .iter()
                .filter(|r| (200..300).contains(&r.status))
                .count() as u32,
            limited: results.iter().filter(|r| r.status == 429).count() as u32,
            other: results
                .iter()
                .filter(|r| r.status != 429 && !(200..300).contains(&r.status))
                .count() as u32,
            max_retry_after,
            retry_wait: max_retry_after.map(Wait::retry_after),
            results,
        })
    }
}
