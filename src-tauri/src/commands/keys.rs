//! The API Keys panel: list, issue (the secret is shown once, then kept in the keychain or
//! discarded), rotate with a grace period, revoke, and the advice on narrowing a key.

use std::sync::Arc;

use botbat_api::{ApiKey, ScopeInfo};
use botbat_console_core::{
    Console, CreateKeyInput, Environment, IssuedKey, KeyActivity, KeyRow, RotationResult,
    ScopeAdvice,
};
use chrono::{DateTime, Utc};
use tauri::State;

/// Forgets the secret the console holds for a just-issued key.
#[tauri::command]
pub fn discard_issued_secret(console: State<'_, Arc<Console>>, key_id: String) {
    console.discard_issued_secret(&key_id)
}

adapters! {
    fn list_api_keys(console: Console) -> Vec<KeyRow> {
        console.list_api_keys().await
    }

    fn list_scopes(console: Console) -> Vec<ScopeInfo> {
        console.list_scopes().await
    }

    fn create_api_key(console: Console; environment: Environment, input: CreateKeyInput) -> IssuedKey {
        console.create_api_key(environment, input).await
    }

    fn keep_issued_secret(console: Console; key_id: String) -> KeyRow {
        console.keep_issued_secret(&key_id).await
    }

    fn rotate_api_key(console: Console; environment: Environment, key_id: String, grace_period_seconds: u64, name: Option<String>) -> RotationResult {
        console.rotate_api_key(environment, &key_id, grace_period_seconds, name.as_deref()).await
    }

    fn revoke_api_key(console: Console; environment: Environment, key_id: String, confirm_name: Option<String>) -> ApiKey {
        console.revoke_api_key(environment, &key_id, confirm_name).await
    }

    fn key_activity(console: Console; key_id: String, since: DateTime<Utc>) -> KeyActivity {
        console.key_activity(&key_id, since).await
    }

    fn scope_advice(console: Console; key_id: String) -> ScopeAdvice {
        console.scope_advice(&key_id).await
    }

    fn replace_with_narrower_key(console: Console; environment: Environment, key_id: String) -> IssuedKey {
        console.replace_with_narrower_key(environment, &key_id).await
    }
}
