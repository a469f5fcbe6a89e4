//! The API Keys panel's operations: list with keychain presence, create with scopes, the
//! show-once secret hand-off, zero-downtime rotation, revocation, the old key's activity
//! after a rotation, and least-privilege advice from the usage log.
//!
//! Which keys this machine keeps is read from the environment's index of kept keys (see
//! `kept.rs`), one keychain read for the whole list.

use std::collections::{BTreeMap, BTreeSet};

use botbat_api::{
    ApiKey, Client, CreateApiKeyRequest, ErrorCode, Page, Scope, ScopeInfo, UsageRecord,
};
use botbat_secrets::{SecretId, Sensitive};
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};

use crate::{
    CommandError, Console, CreateKeyInput, Environment, IssuedKey, KeyActivity, KeyRow,
    RotationResult, RouteUse, ScopeAdvice,
};

type Result<T> = std::result::Result<T, CommandError>;

/// How many of a key's most recent calls least-privilege advice examines.
pub const ADVICE_CALLS: usize = 1_000;

/// Where this machine keeps a key's secret: per environment, per key id.
pub fn key_secret_id(environment: Environment, key_id: &str) -> SecretId {
    SecretId::new(environment.as_str(), format!("api-key/{key_id}"))
}

/// Refuses anything but `<prefix><letters and digits>` before it is put into a path, so an
/// id can never reach another route. `what` names the id in the error, e.g. "key".
pub(crate) fn check_id(field: &str, prefix: &str, what: &str, id: &str) -> Result<()> {
    let valid = id
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if valid {
        Ok(())
    } else {
        Err(CommandError::invalid_input(
            field,
            format!("{id:?} is not {what} id ({prefix}…)"),
        ))
    }
}

fn check_key_id(key_id: &str) -> Result<()> {
    check_id("key_id", "key_", "a key", key_id)
}

/// The index of the keys whose secret this machine keeps in `environment`.
fn kept_keys_index(environment: Environment) -> SecretId {
    SecretId::new(environment.as_str(), "api-keys/index")
}

async fn list_all(client: &Client) -> Result<Vec<ApiKey>> {
    Ok(client
        .paginate("/api_keys", vec![("limit", "100".to_string())])
        .try_collect()
        .await?)
}

impl Console {
    fn active(&self) -> Environment {
        self.preferences().active_environment
    }

    pub async fn list_api_keys(&self) -> Result<Vec<KeyRow>> {
        let environment = self.active();
        let client = self.client(environment).await?;
        let keys = list_all(&client).await?;
        let kept = self.kept_key_ids(environment, &keys).await;
        Ok(keys
            .into_iter()
            .map(|key| KeyRow {
                secret_stored: kept.contains(&key.id),
                key,
            })
            .collect())
    }

    /// The ids of the keys whose secret this machine keeps, from the index. Without an
    /// index yet (keys kept by an older version), it is rebuilt once from the secrets of
    /// `listed`. A keychain that cannot be read keeps nothing, as far as a list can tell.
    pub async fn kept_key_ids(
        &self,
        environment: Environment,
        listed: &[ApiKey],
    ) -> BTreeSet<String> {
        let outcome = match self.read_kept::<String>(kept_keys_index(environment)).await {
            Ok(Some(ids)) => Ok(ids),
            Ok(None) => {
                let candidates = listed
                    .iter()
                    .map(|key| (key.id.clone(), key_secret_id(environment, &key.id)))
                    .collect();
                self.rebuild_kept(kept_keys_index(environment), candidates)
                    .await
            }
            Err(error) => Err(error),
        };
        match outcome {
            Ok(ids) => ids.into_iter().collect(),
            Err(error) => {
                tracing::warn!(%error.message, "cannot tell which key secrets the keychain keeps");
                BTreeSet::new()
            }
        }
    }

    /// Changes the index of kept keys, first rebuilding it if there is none, so keys kept
    /// by an older version are not forgotten by the first change.
    async fn change_kept_keys(
        &self,
        environment: Environment,
        client: &Client,
        change: impl FnOnce(&mut Vec<String>) + Send + 'static,
    ) -> Result<()> {
        let index = kept_keys_index(environment);
        if self.read_kept::<String>(index.clone()).await?.is_none() {
            self.kept_key_ids(environment, &list_all(client).await?)
                .await;
        }
        self.change_kept(index, change).await
    }

    /// Drops `key_id` from the index of kept keys after its secret turned out to be gone
    /// (deleted from the keychain by hand, or never written).
    pub(crate) async fn forget_kept_key(&self, environment: Environment, key_id: &str) {
        let index = kept_keys_index(environment);
        if matches!(self.read_kept::<String>(index.clone()).await, Ok(Some(_))) {
            let key_id = key_id.to_string();
            if let Err(error) = self
                .change_kept(index, move |ids: &mut Vec<String>| {
                    ids.retain(|id| *id != key_id)
                })
                .await
            {
                tracing::warn!(%error.message, "could not update the index of kept keys");
            }
        }
    }

    pub async fn list_scopes(&self) -> Result<Vec<ScopeInfo>> {
        let client = self.client(self.active()).await?;
        Ok(client.scopes().await?.data.data)
    }

    fn hold_issued(&self, environment: Environment, key: ApiKey, secret: String) -> IssuedKey {
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                key.id.clone(),
                (environment, Sensitive::new(secret.clone())),
            );
        IssuedKey { key, secret }
    }

    pub async fn create_api_key(
        &self,
        environment: Environment,
        input: CreateKeyInput,
    ) -> Result<IssuedKey> {
        self.ensure_active(environment).await?;
        let client = self.client(environment).await?;
        let created = client
            .create_api_key(&CreateApiKeyRequest {
                name: input.name.trim().to_string(),
                scopes: input.scopes.iter().map(|s| s.to_string()).collect(),
            })
            .await?
            .data;
        Ok(self.hold_issued(environment, created.key, created.secret))
    }

    /// Moves a just-issued secret into the keychain (for Try It and the burst test).
    pub async fn keep_issued_secret(&self, key_id: &str) -> Result<KeyRow> {
        let issued = self
            .issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key_id);
        let Some((environment, secret)) = issued else {
            return Err(CommandError::new(
                ErrorCode::NotFound,
                "That secret is no longer held: secrets are kept only until their dialog closes.",
            ));
        };
        let client = self.client(environment).await?;
        // The index first: if the secret then fails to be written, the index is corrected
        // below or, failing that, when a read finds the secret missing. Never a secret the
        // index does not know of.
        let id = key_id.to_string();
        self.change_kept_keys(environment, &client, move |ids| {
            if !ids.contains(&id) {
                ids.push(id);
            }
        })
        .await?;
        if let Err(error) = self
            .secrets
            .set(key_secret_id(environment, key_id), secret)
            .await
        {
            self.forget_kept_key(environment, key_id).await;
            return Err(error.into());
        }
        let key: ApiKey = client.get(&format!("/api_keys/{key_id}"), &[]).await?.data;
        Ok(KeyRow {
            key,
            secret_stored: true,
        })
    }

    /// Forgets a just-issued secret without storing it.
    pub fn discard_issued_secret(&self, key_id: &str) {
        self.issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key_id);
    }

    /// Rotates a key; `name` names the replacement, so the two keys can be told apart
    /// (`None` keeps the old key's name).
    pub async fn rotate_api_key(
        &self,
        environment: Environment,
        key_id: &str,
        grace_period_seconds: u64,
        name: Option<&str>,
    ) -> Result<RotationResult> {
        self.ensure_active(environment).await?;
        check_key_id(key_id)?;
        let client = self.client(environment).await?;
        let rotated = client
            .rotate_api_key(key_id, grace_period_seconds, name)
            .await?
            .data;
        let new_key = self.hold_issued(environment, rotated.new_key.key, rotated.new_key.secret);
        Ok(RotationResult {
            new_key,
            old_key: rotated.old_key,
        })
    }

    /// Revokes a key. In Production the caller must repeat the key's exact name, so a
    /// revocation there is never a single misplaced click.
    pub async fn revoke_api_key(
        &self,
        environment: Environment,
        key_id: &str,
        confirm_name: Option<String>,
    ) -> Result<ApiKey> {
        self.ensure_active(environment).await?;
        check_key_id(key_id)?;
        let client = self.client(environment).await?;
        let key: ApiKey = client.get(&format!("/api_keys/{key_id}"), &[]).await?.data;
        if environment == Environment::Production
            && confirm_name.as_deref().map(str::trim) != Some(key.name.as_str())
        {
            return Err(CommandError::invalid_input(
                "confirm_name",
                format!(
                    "Type the key's name, {:?}, to revoke it in Production.",
                    key.name
                ),
            ));
        }
        client.revoke_api_key(key_id).await?;
        // A revoked key's secret is worthless: forgotten, and its id dropped from the index
        // (which a missing secret would also do, on its next read).
        if let Err(error) = self
            .secrets
            .delete(key_secret_id(environment, key_id))
            .await
        {
            tracing::warn!(%error, "could not delete a revoked key's secret");
        }
        let revoked = key_id.to_string();
        if let Err(error) = self
            .change_kept_keys(environment, &client, move |ids| {
                ids.retain(|id| *id != revoked)
            })
            .await
        {
            tracing::warn!(%error.message, "could not update the index of kept keys");
        }
        Ok(client.get(&format!("/api_keys/{key_id}"), &[]).await?.data)
    }

    pub async fn key_activity(&self, key_id: &str, since: DateTime<Utc>) -> Result<KeyActivity> {
        check_key_id(key_id)?;
        let client = self.client(self.active()).await?;
        let key: ApiKey = client.get(&format!("/api_keys/{key_id}"), &[]).await?.data;
        let recent: Page<UsageRecord> = client
            .get(
                "/usage/requests",
                &[
                    ("key_id", key_id.to_string()),
                    ("from", since.to_rfc3339()),
                    ("order", "desc".to_string()),
                    ("limit", "1".to_string()),
                ],
            )
            .await?
            .data;
        let last = recent.data.first().map(|r| r.time);
        let quiet_from = last.unwrap_or(since);
        let quiet = (Utc::now() - quiet_from).num_seconds();
        Ok(KeyActivity {
            key_id: key.id,
            last_used_at: key.last_used_at.map(|t| t.to_rfc3339()),
            requests_since: recent.total as u32,
            last_request_at: last.map(|t| t.to_rfc3339()),
            quiet_seconds: u32::try_from(quiet).ok(),
        })
    }

    pub async fn scope_advice(&self, key_id: &str) -> Result<ScopeAdvice> {
        check_key_id(key_id)?;
        let client = self.client(self.active()).await?;
        let key: ApiKey = client.get(&format!("/api_keys/{key_id}"), &[]).await?.data;
        let scopes = client.scopes().await?.data.data;
        let mut scope_of: BTreeMap<(String, String), Scope> = BTreeMap::new();
        for info in &scopes {
            for endpoint in &info.endpoints {
                scope_of.insert((endpoint.method.clone(), endpoint.path.clone()), info.scope);
            }
        }
        let calls: Vec<UsageRecord> = client
            .paginate(
                "/usage/requests",
                vec![
                    ("key_id", key_id.to_string()),
                    ("order", "desc".to_string()),
                    ("limit", "100".to_string()),
                ],
            )
            .take(ADVICE_CALLS)
            .try_collect()
            .await?;
        let mut routes: BTreeMap<(String, String), u32> = BTreeMap::new();
        for call in &calls {
            *routes
                .entry((call.method.clone(), call.route.clone()))
                .or_default() += 1;
        }
        let used: BTreeSet<Scope> = routes
            .keys()
            .filter_map(|route| scope_of.get(route).copied())
            .collect();
        let granted: BTreeSet<Scope> = key.scopes.iter().copied().collect();
        Ok(ScopeAdvice {
            key_id: key.id,
            granted: granted.iter().copied().collect(),
            used: used.iter().copied().collect(),
            unused: granted.difference(&used).copied().collect(),
            routes: routes
                .into_iter()
                .map(|((method, route), count)| RouteUse {
                    scope: scope_of.get(&(method.clone(), route.clone())).copied(),
                    method,
                    route,
                    count,
                })
                .collect(),
            calls_examined: calls.len() as u32,
        })
    }

    /// Creates a key with only the scopes the given key's recent calls needed.
    pub async fn replace_with_narrower_key(
        &self,
        environment: Environment,
        key_id: &str,
    ) -> Result<IssuedKey> {
        self.ensure_active(environment).await?;
        let advice = self.scope_advice(key_id).await?;
        let scopes: Vec<Scope> = advice
            .used
            .iter()
            .filter(|s| advice.granted.contains(s))
            .copied()
            .collect();
        if scopes.is_empty() {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "This key has made no calls that need a scope yet; there is nothing to base a narrower key on.",
            ));
        }
        if advice.unused.is_empty() {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "This key already uses every scope it has; a replacement would not be narrower.",
            ));
        }
        let client = self.client(environment).await?;
        let key: ApiKey = client.get(&format!("/api_keys/{key_id}"), &[]).await?.data;
        let name: String = format!("{} (narrowed)", key.name)
            .chars()
            .take(100)
            .collect();
        self.create_api_key(environment, CreateKeyInput { name, scopes })
            .await
    }
}
