//! The Webhooks panel's operations: endpoints with their event types, the signing secret
//! shown once (on create and on rotation) and kept in the keychain only on request, the
//! delivery log with resends, and the sandbox's Event Simulator.
//!
//! A kept secret is what lets the inspector verify captures; the previous secret of a
//! rotation is kept beside it until the overlap ends, so both verify meanwhile. The
//! keychain holds, per environment, an index of the endpoints with kept secrets (see
//! `kept.rs`), so the list needs one keychain read and the inspector can also recognise a
//! secret of the other environment.

use botbat_api::{
    CreateWebhookRequest, CreatedWebhook, Delivery, ErrorCode, Event, EventTypeInfo, Page,
    RotateWebhookSecretRequest, RotatedWebhookSecret, SecretOverlap, SimulateEventRequest,
    UpdateWebhookRequest, Webhook,
};
use botbat_secrets::{SecretId, Sensitive};
use botbat_webhooks::Candidate;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, Console, ConsoleCode, Environment};

type Result<T> = std::result::Result<T, CommandError>;

/// An endpoint as the panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WebhookRow {
    pub webhook: Webhook,
    /// Whether its signing secret is in this machine's keychain (the inspector verifies
    /// with it).
    pub secret_stored: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WebhookInput {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
}

/// A secret just issued by a create or a rotation: shown once, held in memory until the
/// user keeps or discards it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IssuedWebhookSecret {
    pub webhook: Webhook,
    pub secret: String,
    /// After a rotation: until when the previous secret still signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}

/// Filters of the deliveries list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DeliveryQuery {
    pub status: Option<String>,
    pub event_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
}

/// One endpoint an event goes to, and its delivery once made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EventDelivery {
    pub webhook: Webhook,
    pub delivery: Option<Delivery>,
}

/// What "resend every failed delivery since …" did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResendReport {
    pub attempted: u32,
    pub succeeded: u32,
    pub failed: u32,
    /// The first few failures, as `dlv_…: reason`.
    pub errors: Vec<String>,
}

fn current_secret(environment: Environment, webhook_id: &str) -> SecretId {
    SecretId::new(environment.as_str(), format!("webhook-secret/{webhook_id}"))
}

fn previous_secret(environment: Environment, webhook_id: &str) -> SecretId {
    SecretId::new(
        environment.as_str(),
        format!("webhook-secret/{webhook_id}/previous"),
    )
}

/// The keychain entry listing endpoints with kept secrets: ids and overlap ends, no secret.
fn index_id(environment: Environment) -> SecretId {
    SecretId::new(environment.as_str(), "webhook-secrets/index")
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct IndexEntry {
    webhook_id: String,
    previous_until: Option<DateTime<Utc>>,
}

fn check_webhook_id(id: &str) -> Result<()> {
    crate::keys::check_id("webhook_id", "we_", "an endpoint", id)
}

impl Console {
    /// The endpoints with kept secrets; none when the index cannot be read.
    async fn read_index(&self, environment: Environment) -> Vec<IndexEntry> {
        self.read_kept(index_id(environment))
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    pub async fn list_webhooks(&self, environment: Environment) -> Result<Vec<WebhookRow>> {
        let client = self.client(environment).await?;
        let page: Page<Webhook> = client
            .get("/webhooks", &[("limit", "100".to_string())])
            .await?
            .data;
        let index = self.read_index(environment).await;
        Ok(page
            .data
            .into_iter()
            .map(|webhook| WebhookRow {
                secret_stored: index.iter().any(|e| e.webhook_id == webhook.id),
                webhook,
            })
            .collect())
    }

    pub async fn create_webhook(
        &self,
        environment: Environment,
        input: WebhookInput,
    ) -> Result<IssuedWebhookSecret> {
        self.ensure_active(environment).await?;
        let created: CreatedWebhook = self
            .client(environment)
            .await?
            .post(
                "/webhooks",
                &CreateWebhookRequest {
                    url: input.url.trim().to_string(),
                    event_types: input.event_types,
                    description: input
                        .description
                        .map(|d| d.trim().to_string())
                        .filter(|d| !d.is_empty()),
                    enabled: Some(input.enabled),
                },
            )
            .await?
            .data;
        self.hold_issued_secret(environment, &created.webhook.id, &created.secret);
        Ok(IssuedWebhookSecret {
            webhook: created.webhook,
            secret: created.secret,
            previous_secret_expires_at: None,
        })
    }

    fn hold_issued_secret(&self, environment: Environment, webhook_id: &str, secret: &str) {
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                webhook_id.to_string(),
                (environment, Sensitive::new(secret.to_string())),
            );
    }

    pub async fn update_webhook(
        &self,
        environment: Environment,
        webhook_id: &str,
        input: WebhookInput,
    ) -> Result<Webhook> {
        check_webhook_id(webhook_id)?;
        self.ensure_active(environment).await?;
        let body = serde_json::to_value(UpdateWebhookRequest {
            url: Some(input.url.trim().to_string()),
            event_types: Some(input.event_types),
            description: input.description.map(|d| d.trim().to_string()),
            enabled: Some(input.enabled),
        })
        .map_err(|e| CommandError::new(ConsoleCode::InvalidInput, e.to_string()))?;
        Ok(self
            .client(environment)
            .await?
            .send(
                reqwest::Method::PUT,
                &format!("/webhooks/{webhook_id}"),
                &[],
                Some(&body),
            )
            .await?
            .data)
    }

    pub async fn delete_webhook(&self, environment: Environment, webhook_id: &str) -> Result<()> {
        check_webhook_id(webhook_id)?;
        self.ensure_active(environment).await?;
        self.client(environment)
            .await?
            .delete(&format!("/webhooks/{webhook_id}"))
            .await?;
        self.forget_webhook_secrets(environment, webhook_id).await?;
        Ok(())
    }

    async fn forget_webhook_secrets(
        &self,
        environment: Environment,
        webhook_id: &str,
    ) -> Result<()> {
        self.secrets
            .delete(current_secret(environment, webhook_id))
            .await?;
        self.secrets
            .delete(previous_secret(environment, webhook_id))
            .await?;
        let forgotten = webhook_id.to_string();
        self.change_kept(index_id(environment), move |index: &mut Vec<IndexEntry>| {
            index.retain(|e| e.webhook_id != forgotten)
        })
        .await
    }

    pub async fn rotate_webhook_secret(
        &self,
        environment: Environment,
        webhook_id: &str,
        overlap: SecretOverlap,
    ) -> Result<IssuedWebhookSecret> {
        check_webhook_id(webhook_id)?;
        self.ensure_active(environment).await?;
        let client = self.client(environment).await?;
        let rotated: RotatedWebhookSecret = client
            .post(
                &format!("/webhooks/{webhook_id}/rotate_secret"),
                &RotateWebhookSecretRequest { overlap },
            )
            .await?
            .data;
        let webhook: Webhook = client
            .get(&format!("/webhooks/{webhook_id}"), &[])
            .await?
            .data;
        self.hold_issued_secret(environment, webhook_id, &rotated.secret);
        Ok(IssuedWebhookSecret {
            webhook,
            secret: rotated.secret,
            previous_secret_expires_at: rotated.previous_secret_expires_at,
        })
    }

    /// Moves a just-issued signing secret into the keychain. After a rotation the secret
    /// it replaces is kept as the previous one until the overlap ends.
    pub async fn keep_webhook_secret(
        &self,
        environment: Environment,
        webhook_id: &str,
    ) -> Result<WebhookRow> {
        check_webhook_id(webhook_id)?;
        let issued = self
            .issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(webhook_id);
        let Some((held_for, secret)) = issued else {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "That secret is no longer held: secrets are kept only until their dialog closes.",
            ));
        };
        if held_for != environment {
            return Err(CommandError::new(
                ConsoleCode::EnvironmentChanged,
                "That secret belongs to the other environment; nothing was stored.",
            ));
        }
        let webhook: Webhook = self
            .client(environment)
            .await?
            .get(&format!("/webhooks/{webhook_id}"), &[])
            .await?
            .data;
        let current = current_secret(environment, webhook_id);
        let previous = previous_secret(environment, webhook_id);
        let previous_until = webhook.previous_secret_expires_at;
        self.secrets
            .run(move |store| {
                match (store.get(&current)?, previous_until) {
                    (Some(old), Some(until)) if until > Utc::now() => store.set(&previous, &old)?,
                    _ => {
                        store.delete(&previous)?;
                    }
                }
                store.set(&current, &secret)
            })
            .await?;
        let kept = webhook_id.to_string();
        self.change_kept(index_id(environment), move |index: &mut Vec<IndexEntry>| {
            index.retain(|e| e.webhook_id != kept);
            index.push(IndexEntry {
                webhook_id: kept,
                previous_until,
            });
        })
        .await?;
        Ok(WebhookRow {
            webhook,
            secret_stored: true,
        })
    }

    /// Every signing secret kept for `environment`, and those of the other environment
    /// (labelled with it), for the inspector's verdicts; then the webhook secrets kept for
    /// the connections to Botbiz and Botmaker, labelled with their connection.
    pub async fn webhook_candidates(&self, environment: Environment) -> Vec<Candidate> {
        let mut indexes = Vec::new();
        for env in Environment::ALL {
            indexes.push((env, self.read_index(env).await));
        }
        let read = self
            .secrets
            .run(move |store| {
                let mut candidates = Vec::new();
                for (env, index) in indexes {
                    for entry in index {
                        let label = |which: &str| {
                            if env == environment {
                                format!("{} ({which})", entry.webhook_id)
                            } else {
                                format!("{} ({which}, {})", entry.webhook_id, env.label())
                            }
                        };
                        if let Ok(Some(secret)) = store.get(&current_secret(env, &entry.webhook_id))
                        {
                            candidates.push(
                                Candidate::new(label("current"), secret.expose().clone())
                                    .in_environment(env.as_str()),
                            );
                        }
                        let live = entry.previous_until.is_some_and(|until| until > Utc::now());
                        if live {
                            if let Ok(Some(secret)) =
                                store.get(&previous_secret(env, &entry.webhook_id))
                            {
                                candidates.push(
                                    Candidate::new(label("previous"), secret.expose().clone())
                                        .in_environment(env.as_str()),
                                );
                            }
                        }
                    }
                }
                Ok(candidates)
            })
            .await;
        let mut candidates = read.unwrap_or_else(|error| {
            tracing::warn!(%error, "could not read the kept signing secrets");
            Vec::new()
        });
        candidates.extend(self.connection_webhook_candidates(None).await);
        candidates
    }

    pub async fn list_deliveries(
        &self,
        environment: Environment,
        webhook_id: &str,
        query: DeliveryQuery,
    ) -> Result<Page<Delivery>> {
        check_webhook_id(webhook_id)?;
        let mut params: Vec<(&str, String)> = vec![("limit", "50".to_string())];
        if let Some(status) = query.status.filter(|s| !s.is_empty()) {
            params.push(("status", status));
        }
        if let Some(t) = query.event_type.filter(|s| !s.is_empty()) {
            params.push(("event_type", t));
        }
        if let Some(since) = query.since {
            params.push(("created_from", since.to_rfc3339()));
        }
        if let Some(cursor) = query.cursor.filter(|s| !s.is_empty()) {
            params.push(("cursor", cursor));
        }
        Ok(self
            .client(environment)
            .await?
            .get(&format!("/webhooks/{webhook_id}/deliveries"), &params)
            .await?
            .data)
    }

    pub async fn resend_delivery(
        &self,
        environment: Environment,
        webhook_id: &str,
        delivery_id: &str,
    ) -> Result<Delivery> {
        check_webhook_id(webhook_id)?;
        self.ensure_active(environment).await?;
        Ok(self
            .client(environment)
            .await?
            .post(
                &format!("/webhooks/{webhook_id}/deliveries/{delivery_id}/resend"),
                &serde_json::json!({}),
            )
            .await?
            .data)
    }

    /// Resends every failed delivery of an endpoint created at or after `since`, oldest
    /// first, so the receiver sees them in event order.
    pub async fn resend_failed_since(
        &self,
        environment: Environment,
        webhook_id: &str,
        since: DateTime<Utc>,
    ) -> Result<ResendReport> {
        check_webhook_id(webhook_id)?;
        self.ensure_active(environment).await?;
        let mut failed = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .list_deliveries(
                    environment,
                    webhook_id,
                    DeliveryQuery {
                        status: Some("failed".into()),
                        event_type: None,
                        since: Some(since),
                        cursor: cursor.clone(),
                    },
                )
                .await?;
            failed.extend(page.data);
            match page.cursor {
                Some(next) if failed.len() < 1000 => cursor = Some(next),
                _ => break,
            }
        }
        failed.reverse();
        let mut report = ResendReport {
            attempted: 0,
            succeeded: 0,
            failed: 0,
            errors: Vec::new(),
        };
        for delivery in failed {
            report.attempted += 1;
            let resent = self
                .resend_delivery(environment, webhook_id, &delivery.id)
                .await?;
            let last = resent.attempts.last();
            if last
                .and_then(|a| a.response_status)
                .is_some_and(|s| (200..300).contains(&s))
            {
                report.succeeded += 1;
            } else {
                report.failed += 1;
                if report.errors.len() < 5 {
                    let reason = last
                        .and_then(|a| a.error.clone())
                        .unwrap_or_else(|| "no answer".into());
                    report.errors.push(format!("{}: {reason}", delivery.id));
                }
            }
        }
        Ok(report)
    }

    /// Where an event stands at each enabled endpoint subscribed to its type: the delivery
    /// (once the platform has made it) with its attempts so far. The Event Simulator and
    /// `botbat trigger` poll this until each endpoint has a first result.
    pub async fn event_deliveries(
        &self,
        environment: Environment,
        event: &Event,
    ) -> Result<Vec<EventDelivery>> {
        let endpoints = self.list_webhooks(environment).await?;
        let mut found = Vec::new();
        for row in endpoints {
            let webhook = row.webhook;
            let subscribed = webhook
                .event_types
                .iter()
                .any(|t| t == "*" || *t == event.event_type);
            if !webhook.enabled || !subscribed {
                continue;
            }
            let page = self
                .list_deliveries(
                    environment,
                    &webhook.id,
                    DeliveryQuery {
                        event_type: Some(event.event_type.clone()),
                        since: Some(event.created_at - chrono::Duration::seconds(1)),
                        ..DeliveryQuery::default()
                    },
                )
                .await?;
            let delivery = page.data.into_iter().find(|d| d.event_id == event.id);
            found.push(EventDelivery { webhook, delivery });
        }
        Ok(found)
    }

    pub async fn event_types(&self, environment: Environment) -> Result<Vec<EventTypeInfo>> {
        Ok(self
            .client(environment)
            .await?
            .get("/events/types", &[])
            .await?
            .data)
    }

    /// The Event Simulator: sandbox only.
    pub async fn simulate_event(
        &self,
        environment: Environment,
        request: SimulateEventRequest,
    ) -> Result<Event> {
        if environment != Environment::Sandbox {
            return Err(CommandError::new(
                ConsoleCode::SandboxOnly,
                "The Event Simulator exists only in the Sandbox: production events come from real activity.",
            ));
        }
        self.ensure_active(environment).await?;
        Ok(self
            .client(environment)
            .await?
            .post("/sandbox/events", &request)
            .await?
            .data)
    }
}
