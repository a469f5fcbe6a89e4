//! Where API keys live, apart from HTTP: the rows (only a SHA-256 hash of each secret, never
//! the secret), the in-memory index authentication reads, and the inserts that creating,
//! rotating and bootstrapping a key share. `routes/keys.rs` is the `/v1/api_keys` surface
//! over it; `access.rs` authenticates against the index.
//!
//! The index (hash -> key) is loaded at start and updated by every write, so checking a key
//! costs a hash and a map lookup, not a query. The database stays the source of truth.

use std::collections::HashMap;
use std::sync::RwLock;

use botbat_api::{ApiKey, KeyStatus, Scope};
use botbat_secrets::{mask_parts, mask_secret};
use sqlx::{FromRow, SqlitePool};

use crate::clock::from_ms;
use crate::ids;

#[derive(Debug, Clone, FromRow)]
pub struct KeyRow {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub last_four: String,
    pub secret_hash: String,
    pub scopes: sqlx::types::Json<Vec<Scope>>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub rotated_from: Option<String>,
    pub replaced_by: Option<String>,
}

pub fn status_at(revoked_at: Option<i64>, expires_at: Option<i64>, now_ms: i64) -> KeyStatus {
    match (revoked_at, expires_at) {
        (Some(_), _) => KeyStatus::Revoked,
        (None, Some(at)) if at <= now_ms => KeyStatus::Expired,
        (None, Some(_)) => KeyStatus::Expiring,
        (None, None) => KeyStatus::Active,
    }
}

impl KeyRow {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.0.clone()
    }

    pub fn to_api(&self, now_ms: i64) -> ApiKey {
        ApiKey {
            id: self.id.clone(),
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            last_four: self.last_four.clone(),
            masked: mask_parts(&self.prefix, &self.last_four),
            scopes: self.scopes(),
            status: status_at(self.revoked_at, self.expires_at, now_ms),
            created_at: from_ms(self.created_at),
            last_used_at: self.last_used_at.map(from_ms),
            expires_at: self.expires_at.map(from_ms),
            revoked_at: self.revoked_at.map(from_ms),
            rotated_from: self.rotated_from.clone(),
            replaced_by: self.replaced_by.clone(),
        }
    }
}

/// What authentication needs to know about a key.
#[derive(Debug, Clone)]
pub struct CachedKey {
    pub id: String,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub replaced_by: Option<String>,
}

impl From<&KeyRow> for CachedKey {
    fn from(row: &KeyRow) -> Self {
        Self {
            id: row.id.clone(),
            scopes: row.scopes(),
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            replaced_by: row.replaced_by.clone(),
        }
    }
}

#[derive(Debug, Default)]
pub struct KeyIndex {
    by_hash: RwLock<HashMap<String, CachedKey>>,
}

impl KeyIndex {
    pub async fn load(db: &SqlitePool) -> sqlx::Result<Self> {
        let rows: Vec<KeyRow> = sqlx::query_as("SELECT * FROM api_keys")
            .fetch_all(db)
            .await?;
        let index = Self::default();
        for row in &rows {
            index.put(row);
        }
        Ok(index)
    }

    /// Publishes a key's state as a write returned it.
    ///
    /// Writers publish after their commits, in whatever order their tasks run, so a stale
    /// row can arrive after a newer one (a rotation's old row after a revocation's). Every
    /// field cached here only ever goes from unset to set (revoked, replaced, given an
    /// expiry), so keeping what is set in either makes publication order irrelevant: the
    /// index ends at the database's state.
    pub fn put(&self, row: &KeyRow) {
        let mut index = self.by_hash.write().unwrap_or_else(|p| p.into_inner());
        let mut key = CachedKey::from(row);
        if let Some(known) = index.get(&row.secret_hash) {
            key.revoked_at = key.revoked_at.or(known.revoked_at);
            key.expires_at = key.expires_at.or(known.expires_at);
            key.replaced_by = key.replaced_by.take().or_else(|| known.replaced_by.clone());
        }
        index.insert(row.secret_hash.clone(), key);
    }

    pub fn lookup(&self, secret: &str) -> Option<CachedKey> {
        let hash = ids::hash_secret(secret);
        self.by_hash
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&hash)
            .cloned()
    }
}

/// Inserts a key with the given secret (generated when `None`) and returns its row and
/// secret. Only the hash is stored.
pub async fn insert<'e, E>(
    executor: E,
    name: &str,
    scopes: &[Scope],
    now_ms: i64,
    secret: Option<String>,
    rotated_from: Option<&str>,
    live: bool,
) -> sqlx::Result<(KeyRow, String)>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    let secret = secret.unwrap_or_else(|| ids::key_secret(live));
    let prefix = if secret.starts_with("bb_live_") {
        "bb_live_"
    } else {
        ids::TEST_KEY_PREFIX
    };
    let last_four: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let row: KeyRow = sqlx::query_as(
        "INSERT INTO api_keys (id, name, prefix, last_four, secret_hash, scopes, created_at, rotated_from)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(ids::key_id())
    .bind(name)
    .bind(prefix)
    .bind(&last_four)
    .bind(ids::hash_secret(&secret))
    .bind(sqlx::types::Json(scopes))
    .bind(now_ms)
    .bind(rotated_from)
    .fetch_one(executor)
    .await?;
    debug_assert_eq!(mask_secret(&secret), mask_parts(prefix, &last_four));
    Ok((row, secret))
}

/// Registers `secret` as a key with every scope unless a key with that secret exists.
/// Returns whether it was created.
pub async fn ensure_bootstrap(
    db: &SqlitePool,
    index: &KeyIndex,
    secret: &str,
    now_ms: i64,
) -> sqlx::Result<bool> {
    if index.lookup(secret).is_some() {
        return Ok(false);
    }
    let live = secret.starts_with(ids::LIVE_KEY_PREFIX);
    let (row, _) = insert(
        db,
        if live { "Live admin" } else { "Sandbox admin" },
        &Scope::ALL,
        now_ms,
        Some(secret.to_string()),
        None,
        live,
    )
    .await?;
    index.put(&row);
    Ok(true)
}

pub async fn count(db: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM api_keys")
        .fetch_one(db)
        .await
}
