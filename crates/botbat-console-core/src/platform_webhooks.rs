//! Webhooks of the other platforms' connections: the Botmaker webhooks the Webhooks panel
//! manages through Botmaker's webhooks API, and the secrets the Inspector checks captures
//! against.
//!
//! Secrets stay in the keychain under the connection (`connection/<id>`), never on disk:
//! - `webhook_secret`: the secret the user keeps for the connection by hand. For Botbiz it
//!   is the webhook signing secret (`X-Botbiz-Signature`); for Botmaker, the security token
//!   of a webhook configured outside the console.
//! - `webhook_tokens` (Botmaker): one entry holding the security token of every webhook
//!   the console created or changed, by webhook id, so the Inspector reads all of a
//!   connection's tokens in one keychain call.
//!
//! Every request goes through [`Connections::authorize`]. Botmaker's webhooks API has no
//! idempotency key, so a create is guarded in the window (the form cannot be sent twice).

use botbat_api::platforms::botmaker::{Channel, Items, MessageType, Webhook, WebhookKind};
use botbat_secrets::{mask_secret, AsyncSecrets, Sensitive};
use botbat_webhooks::Candidate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use ts_rs::TS;

use crate::connections::{connection_secret, Authorized, Connections, Platform};
use crate::{CommandError, ConsoleCode};

type Result<T> = std::result::Result<T, CommandError>;

const SECRET: &str = "webhook_secret";
const TOKENS: &str = "webhook_tokens";
/// The longest security token Botmaker takes.
const MAX_TOKEN: usize = 256;

/// A channel a Botmaker webhook can listen to (`GET /channels`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotmakerChannel {
    pub id: String,
    pub name: String,
    /// `whatsapp`, `webchat`, `instagram`.
    pub platform: String,
    pub active: bool,
}

/// One message type a Message and Status webhook can carry, as the form offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MessageTypeChoice {
    /// As Botmaker's API names it: `bot`, `user`, `agent`, `status`, `hsm_status`, `event`.
    pub value: String,
    /// As the docs name it: "Bot message", …
    pub title: String,
}

/// What the webhook form chooses from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotmakerWebhookChoices {
    pub channels: Vec<BotmakerChannel>,
    pub message_types: Vec<MessageTypeChoice>,
}

/// A Botmaker webhook as the panel lists it: its token masked, and whether the keychain
/// keeps it for the Inspector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotmakerWebhookRow {
    pub id: String,
    /// `message_status`, `whatsapp_management` or `async_api_results`.
    pub kind: String,
    pub url: String,
    pub channels: Vec<String>,
    pub message_types: Vec<String>,
    pub include_variables: bool,
    /// The security token as it may be shown, `None` when the webhook sends none.
    pub token_masked: Option<String>,
    /// Whether the keychain keeps this webhook's token for the Inspector.
    pub token_kept: bool,
}

/// What the user gives to create or change a Message and Status webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotmakerWebhookInput {
    pub url: String,
    /// Sent as `auth-bm-token`. Empty on create: the console makes one; empty on update:
    /// the webhook keeps its token.
    #[serde(default)]
    pub security_token: Option<String>,
    pub channels: Vec<String>,
    pub message_types: Vec<String>,
    #[serde(default)]
    pub include_variables: bool,
}

/// Whether a connection has a webhook secret kept by hand, for the Inspector's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeptWebhookSecret {
    pub connection_id: String,
    /// The kept secret as it may be shown; `None` when none is kept.
    pub masked: Option<String>,
}

fn tokens_of(json: Option<Sensitive<String>>) -> BTreeMap<String, String> {
    json.and_then(|j| serde_json::from_str(j.expose()).ok())
        .unwrap_or_default()
}

fn choices() -> Vec<MessageTypeChoice> {
    MessageType::ALL
        .into_iter()
        .map(|m| MessageTypeChoice {
            value: m.as_str().to_string(),
            title: m.title().to_string(),
        })
        .collect()
}

fn kind_name(kind: WebhookKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Removes every webhook secret kept for a connection, and its Inspector's fingerprint key
/// (when the connection is removed).
pub(crate) async fn forget(secrets: &AsyncSecrets, connection_id: &str) -> Result<()> {
    secrets
        .delete(connection_secret(connection_id, SECRET))
        .await?;
    secrets
        .delete(connection_secret(connection_id, TOKENS))
        .await?;
    secrets
        .delete(connection_secret(
            connection_id,
            crate::inspector::CREDENTIAL_KEY,
        ))
        .await?;
    Ok(())
}

fn check_token(token: &str) -> Result<()> {
    if token.len() < 8 || token.len() > MAX_TOKEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CommandError::invalid_input(
            "security_token",
            format!("the security token is 8 to {MAX_TOKEN} characters without spaces, or leave it empty to have one made"),
        ));
    }
    Ok(())
}

fn new_token() -> String {
    use rand::distr::Alphanumeric;
    use rand::Rng;
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    format!("bmt_{random}")
}

/// The body Botmaker's webhooks API takes, from the form, or the field to fix.
fn webhook_body(input: &BotmakerWebhookInput, token: &str) -> Result<Value> {
    let url = input.url.trim();
    let parsed = url::Url::parse(url).map_err(|e| {
        CommandError::invalid_input(
            "url",
            format!("the URL does not read ({e}): give the full address notifications go to, such as https://example.com/botmaker"),
        )
    })?;
    if !["http", "https"].contains(&parsed.scheme()) || parsed.host_str().is_none() {
        return Err(CommandError::invalid_input(
            "url",
            "the URL must start with https:// (or http://) and name a host",
        ));
    }
    if input.channels.iter().all(|c| c.trim().is_empty()) {
        return Err(CommandError::invalid_input(
            "channels",
            "choose at least one channel the webhook listens to",
        ));
    }
    let mut message_types = Vec::new();
    for name in &input.message_types {
        let found = MessageType::ALL
            .into_iter()
            .find(|m| m.as_str() == name.trim())
            .ok_or_else(|| {
                CommandError::invalid_input(
                    "message_types",
                    format!(
                        "{name:?} is not a message type: use {}",
                        MessageType::ALL.map(MessageType::as_str).join(", ")
                    ),
                )
            })?;
        if !message_types.contains(&found) {
            message_types.push(found);
        }
    }
    if message_types.is_empty() {
        return Err(CommandError::invalid_input(
            "message_types",
            "choose at least one message type to send (bot, user, agent, message status, HSM status or event messages)",
        ));
    }
    Ok(json!({
        "type": WebhookKind::MessageStatus,
        "url": url,
        "securityToken": token,
        "channels": input.channels.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect::<Vec<_>>(),
        "messageTypes": message_types,
        "includeVariables": input.include_variables,
    }))
}

impl Connections {
    /// The connection, authorized, when it is of `platform`; otherwise an error that says
    /// which platform the operation belongs to.
    pub(crate) async fn authorize_for(&self, id: &str, platform: Platform) -> Result<Authorized> {
        let connection = self.get(id)?;
        if connection.platform != platform {
            return Err(CommandError::invalid_input(
                "connection_id",
                format!(
                    "\"{}\" is a {} connection; this is for {} connections",
                    connection.label,
                    connection.platform.title(),
                    platform.title()
                ),
            ));
        }
        self.authorize(id).await
    }

    /// Sends one request to the connection and reads its JSON answer; an error answer is
    /// an error with the platform's status and message.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        authorized: &Authorized,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T> {
        let connection = &authorized.connection;
        let url = format!("{}{path}", connection.base_url);
        let mut request = authorized.apply(self.http()?.request(method, &url));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            CommandError::new(
                ConsoleCode::Unreachable,
                format!(
                    "Could not reach {} at {}: {e}. Check the connection's base URL in Settings.",
                    connection.platform.title(),
                    connection.base_url
                ),
            )
        })?;
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        if !status.is_success() {
            let said =
                crate::connections::platform_message(String::from_utf8_lossy(&bytes).into_owned())
                    .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
            return Err(CommandError {
                status: Some(status.as_u16()),
                ..CommandError::new(
                    ConsoleCode::HttpError,
                    format!(
                        "{} answered {}: {said}",
                        connection.platform.title(),
                        status.as_u16()
                    ),
                )
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            CommandError::new(
                ConsoleCode::UnexpectedResponse,
                format!(
                    "{url} answered in a form that is not {}'s: {e}",
                    connection.platform.title()
                ),
            )
        })
    }

    /// Keeps `secret` in the keychain as the connection's webhook secret (Botbiz: the
    /// signing secret; Botmaker: a security token set outside the console); an empty one
    /// forgets it.
    pub async fn set_webhook_secret(&self, id: &str, secret: &str) -> Result<KeptWebhookSecret> {
        let connection = self.get(id)?;
        let secret = secret.trim();
        let key = connection_secret(id, SECRET);
        if secret.is_empty() {
            self.secrets().delete(key).await?;
            return Ok(KeptWebhookSecret {
                connection_id: connection.id,
                masked: None,
            });
        }
        if secret.len() < 8 || !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CommandError::invalid_input(
                "secret",
                format!(
                    "paste the {} webhook secret: at least 8 characters, without spaces",
                    connection.platform.title()
                ),
            ));
        }
        self.secrets()
            .set(key, Sensitive::new(secret.to_string()))
            .await?;
        Ok(KeptWebhookSecret {
            connection_id: connection.id,
            masked: Some(mask_secret(secret)),
        })
    }

    /// Whether the connection has a webhook secret kept by hand.
    pub async fn webhook_secret(&self, id: &str) -> Result<KeptWebhookSecret> {
        let connection = self.get(id)?;
        let kept = self.secrets().get(connection_secret(id, SECRET)).await?;
        Ok(KeptWebhookSecret {
            connection_id: connection.id,
            masked: kept.map(|s| mask_secret(s.expose())),
        })
    }

    /// Every secret kept for the connections' webhooks (or only connection `only`'s), for
    /// the Inspector: each labelled with its connection, so a verdict says whose secret
    /// matched. A keychain that cannot be read gives none (and says so in the log).
    pub async fn webhook_candidates_of(&self, only: Option<&str>) -> Vec<Candidate> {
        let Ok(mut connections) = self.list() else {
            return Vec::new();
        };
        if let Some(id) = only {
            connections.retain(|c| c.id == id);
        }
        let read = self
            .secrets()
            .run(move |store| {
                let mut candidates = Vec::new();
                for c in connections {
                    let whose = format!("{} “{}”", c.platform.title(), c.label);
                    if let Some(secret) = store.get(&connection_secret(&c.id, SECRET))? {
                        candidates.push(Candidate::new(
                            format!("the webhook secret of {whose}"),
                            secret.expose().clone(),
                        ));
                    }
                    let tokens = tokens_of(store.get(&connection_secret(&c.id, TOKENS))?);
                    for (webhook, token) in tokens {
                        candidates.push(Candidate::new(
                            format!("the token of webhook {webhook} of {whose}"),
                            token,
                        ));
                    }
                }
                Ok(candidates)
            })
            .await;
        read.unwrap_or_else(|error| {
            tracing::warn!(%error, "could not read the connections' webhook secrets");
            Vec::new()
        })
    }

    async fn kept_tokens(&self, id: &str) -> Result<BTreeMap<String, String>> {
        Ok(tokens_of(
            self.secrets().get(connection_secret(id, TOKENS)).await?,
        ))
    }

    /// Changes the connection's kept tokens in one keychain call.
    async fn change_tokens(
        &self,
        id: &str,
        change: impl FnOnce(&mut BTreeMap<String, String>) + Send + 'static,
    ) -> Result<()> {
        let key = connection_secret(id, TOKENS);
        self.secrets()
            .run(move |store| {
                let mut tokens = tokens_of(store.get(&key)?);
                change(&mut tokens);
                let json = serde_json::to_string(&tokens).unwrap_or_else(|_| "{}".into());
                store.set(&key, &Sensitive::new(json))
            })
            .await?;
        Ok(())
    }

    fn row(webhook: Webhook, kept: &BTreeMap<String, String>) -> BotmakerWebhookRow {
        BotmakerWebhookRow {
            token_kept: kept.contains_key(&webhook.id),
            token_masked: webhook
                .security_token
                .as_deref()
                .or(kept.get(&webhook.id).map(String::as_str))
                .map(mask_secret),
            kind: kind_name(webhook.kind),
            url: webhook.url,
            channels: webhook.channels,
            message_types: webhook
                .message_types
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
            include_variables: webhook.include_variables,
            id: webhook.id,
        }
    }

    /// The channels (`GET /channels`) and message types the webhook form offers.
    pub async fn botmaker_webhook_choices(&self, id: &str) -> Result<BotmakerWebhookChoices> {
        let authorized = self.authorize_for(id, Platform::Botmaker).await?;
        let channels: Items<Channel> = self
            .call(&authorized, reqwest::Method::GET, "/channels", None)
            .await?;
        Ok(BotmakerWebhookChoices {
            channels: channels
                .items
                .into_iter()
                .map(|c| BotmakerChannel {
                    id: c.id,
                    name: c.name,
                    platform: c.platform,
                    active: c.active,
                })
                .collect(),
            message_types: choices(),
        })
    }

    /// The connection's webhooks, as Botmaker lists them.
    pub async fn list_botmaker_webhooks(&self, id: &str) -> Result<Vec<BotmakerWebhookRow>> {
        let authorized = self.authorize_for(id, Platform::Botmaker).await?;
        let listed: Items<Webhook> = self
            .call(&authorized, reqwest::Method::GET, "/webhooks", None)
            .await?;
        let kept = self.kept_tokens(id).await?;
        Ok(listed
            .items
            .into_iter()
            .map(|w| Self::row(w, &kept))
            .collect())
    }

    /// Creates a Message and Status webhook and keeps its security token (made here when
    /// none is given) in the keychain. When the keychain refuses the token, the webhook is
    /// deleted again, so no webhook sends a token the Inspector cannot check.
    pub async fn create_botmaker_webhook(
        &self,
        id: &str,
        input: BotmakerWebhookInput,
    ) -> Result<BotmakerWebhookRow> {
        let token = match input.security_token.as_deref().map(str::trim) {
            None | Some("") => new_token(),
            Some(token) => {
                check_token(token)?;
                token.to_string()
            }
        };
        let body = webhook_body(&input, &token)?;
        let authorized = self.authorize_for(id, Platform::Botmaker).await?;
        let created: Webhook = self
            .call(&authorized, reqwest::Method::POST, "/webhooks", Some(&body))
            .await?;
        let webhook_id = created.id.clone();
        let kept = token.clone();
        if let Err(error) = self
            .change_tokens(id, move |tokens| {
                tokens.insert(webhook_id, kept);
            })
            .await
        {
            let _ = self
                .call::<Value>(
                    &authorized,
                    reqwest::Method::DELETE,
                    &format!("/webhooks/{}", created.id),
                    None,
                )
                .await;
            return Err(error);
        }
        let kept = BTreeMap::from([(created.id.clone(), token)]);
        Ok(Self::row(created, &kept))
    }

    /// Changes a webhook. Without a new token it keeps the one it has (the kept one, or
    /// the one Botmaker shows); a new token replaces the kept one.
    pub async fn update_botmaker_webhook(
        &self,
        id: &str,
        webhook_id: &str,
        input: BotmakerWebhookInput,
    ) -> Result<BotmakerWebhookRow> {
        let authorized = self.authorize_for(id, Platform::Botmaker).await?;
        let path = format!("/webhooks/{}", urlencoding(webhook_id));
        let token = match input.security_token.as_deref().map(str::trim) {
            Some(token) if !token.is_empty() => {
                check_token(token)?;
                token.to_string()
            }
            _ => match self.kept_tokens(id).await?.remove(webhook_id) {
                Some(token) => token,
                None => {
                    let current: Webhook = self
                        .call(&authorized, reqwest::Method::GET, &path, None)
                        .await?;
                    current.security_token.ok_or_else(|| {
                        CommandError::invalid_input(
                            "security_token",
                            "this webhook has no token the console knows: give it one",
                        )
                    })?
                }
            },
        };
        let body = webhook_body(&input, &token)?;
        let updated: Webhook = self
            .call(&authorized, reqwest::Method::PUT, &path, Some(&body))
            .await?;
        let (webhook, kept) = (updated.id.clone(), token.clone());
        self.change_tokens(id, move |tokens| {
            tokens.insert(webhook, kept);
        })
        .await?;
        Ok(Self::row(
            updated,
            &BTreeMap::from([(webhook_id.to_string(), token)]),
        ))
    }

    /// Deletes a webhook and forgets its token.
    pub async fn delete_botmaker_webhook(&self, id: &str, webhook_id: &str) -> Result<()> {
        let authorized = self.authorize_for(id, Platform::Botmaker).await?;
        self.call::<Value>(
            &authorized,
            reqwest::Method::DELETE,
            &format!("/webhooks/{}", urlencoding(webhook_id)),
            None,
        )
        .await?;
        let webhook = webhook_id.to_string();
        self.change_tokens(id, move |tokens| {
            tokens.remove(&webhook);
        })
        .await
    }
}

impl crate::Console {
    /// The webhook secrets kept for the connections in the console's data dir (or only
    /// connection `only`'s).
    pub(crate) async fn connection_webhook_candidates(&self, only: Option<&str>) -> Vec<Candidate> {
        match self.connections() {
            Some(connections) => connections.webhook_candidates_of(only).await,
            None => Vec::new(),
        }
    }
}

/// A path segment with everything but unreserved characters escaped, as Try It encodes a
/// path parameter.
pub(crate) fn urlencoding(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, &crate::tryit::send::ENCODED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> BotmakerWebhookInput {
        BotmakerWebhookInput {
            url: "https://example.com/hook".into(),
            security_token: None,
            channels: vec!["ch_1".into()],
            message_types: vec!["user".into(), "bot".into(), "user".into()],
            include_variables: true,
        }
    }

    fn field(error: CommandError) -> String {
        error.details[0].field.clone()
    }

    #[test]
    fn a_bad_form_names_the_field_to_fix() {
        let body = webhook_body(&input(), "bmt_token123").expect("valid");
        assert_eq!(body["messageTypes"], json!(["user", "bot"]));
        assert_eq!(body["type"], json!("message_status"));
        assert_eq!(body["securityToken"], json!("bmt_token123"));

        let no_channel = BotmakerWebhookInput {
            channels: vec![" ".into()],
            ..input()
        };
        assert_eq!(
            field(webhook_body(&no_channel, "t").expect_err("refused")),
            "channels"
        );
        let no_type = BotmakerWebhookInput {
            message_types: vec![],
            ..input()
        };
        assert_eq!(
            field(webhook_body(&no_type, "t").expect_err("refused")),
            "message_types"
        );
        let bad_type = BotmakerWebhookInput {
            message_types: vec!["users".into()],
            ..input()
        };
        let error = webhook_body(&bad_type, "t").expect_err("refused");
        assert!(error.message.contains("\"users\""), "{}", error.message);
        for url in ["example.com/hook", "ftp://example.com/x", "https://"] {
            let bad_url = BotmakerWebhookInput {
                url: url.into(),
                ..input()
            };
            assert_eq!(field(webhook_body(&bad_url, "t").expect_err(url)), "url");
        }
        assert_eq!(
            field(check_token("short").expect_err("short")),
            "security_token"
        );
        assert!(check_token(&new_token()).is_ok());
    }
}
