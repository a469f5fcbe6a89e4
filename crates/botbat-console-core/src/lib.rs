//! What the console does, without a window.
//!
//! The Tauri commands in `src-tauri` are one-line adapters over [`Console`]; everything a
//! panel relies on (which environment is active, where its base URL and key come from, how
//! a failure is explained) lives here, so it is tested over real HTTP against the real
//! sandbox, with real files and the real keychain, and no window.

pub mod botbiz_accounts;
pub mod connections;
mod console;
mod embedded;
mod error;
pub mod inspector;
mod kept;
pub mod keys;
pub mod limits;
pub mod lookup;
mod model;
pub mod platform_webhooks;
mod preferences;
pub mod profile;
pub mod requests;
pub mod serve;
mod transport;
pub mod tryit;
pub mod usage;
pub mod webhooks;

pub use console::Console;
pub use embedded::{
    management_key_id, open_secret_store, start_embedded_sandbox, EarlyStart, EarlyStarted,
    EmbeddedSandbox, KEYCHAIN_SERVICE, MINTED_KEYS_FILE,
};
pub use error::{Code, CommandError, ConsoleCode};
pub use inspector::{InspectorEvent, InspectorNotifier, InspectorScope, Inspectors};
pub use model::*;
pub use preferences::{JsonFilePreferences, PreferencesStore};
pub use profile::{app_data_dir, OverriddenPreferences, RunOverrides, StoreFilePreferences};
pub use serve::{SandboxRole, SharedSandbox};
pub use usage::{UsageCache, UsageNotifier};

/// Writes the TypeScript bindings of every type the UI receives into `dir`.
pub fn export_bindings(dir: &std::path::Path) -> Result<(), ts_rs::ExportError> {
    use ts_rs::TS;
    AppStatus::export_all_to(dir)?;
    webhooks::WebhookRow::export_all_to(dir)?;
    webhooks::WebhookInput::export_all_to(dir)?;
    webhooks::IssuedWebhookSecret::export_all_to(dir)?;
    webhooks::DeliveryQuery::export_all_to(dir)?;
    webhooks::ResendReport::export_all_to(dir)?;
    inspector::InspectorEvent::export_all_to(dir)?;
    inspector::InspectorSettings::export_all_to(dir)?;
    inspector::InspectorStatus::export_all_to(dir)?;
    inspector::ReplayInput::export_all_to(dir)?;
    inspector::CaptureStorage::export_all_to(dir)?;
    botbat_webhooks::credentials::CredentialStatus::export_all_to(dir)?;
    botbat_webhooks::capture::CaptureDetail::export_all_to(dir)?;
    botbat_webhooks::capture::CaptureFilter::export_all_to(dir)?;
    botbat_webhooks::capture::CapturePage::export_all_to(dir)?;
    botbat_api::Delivery::export_all_to(dir)?;
    botbat_api::Page::<botbat_api::Delivery>::export_all_to(dir)?;
    botbat_api::Event::export_all_to(dir)?;
    botbat_api::EventTypeInfo::export_all_to(dir)?;
    botbat_api::SimulateEventRequest::export_all_to(dir)?;
    botbat_api::SecretOverlap::export_all_to(dir)?;
    Preferences::export_all_to(dir)?;
    SettingsInput::export_all_to(dir)?;
    EnvironmentInfo::export_all_to(dir)?;
    ConnectionReport::export_all_to(dir)?;
    DashboardSummary::export_all_to(dir)?;
    CommandError::export_all_to(dir)?;
    Code::export_all_to(dir)?;
    KeyRow::export_all_to(dir)?;
    CreateKeyInput::export_all_to(dir)?;
    IssuedKey::export_all_to(dir)?;
    RotationResult::export_all_to(dir)?;
    KeyActivity::export_all_to(dir)?;
    ScopeAdvice::export_all_to(dir)?;
    RateLimitView::export_all_to(dir)?;
    BurstReport::export_all_to(dir)?;
    botbat_api::ScopeInfo::export_all_to(dir)?;
    lookup::IdLookup::export_all_to(dir)?;
    connections::Platform::export_all_to(dir)?;
    connections::Connection::export_all_to(dir)?;
    connections::NewConnection::export_all_to(dir)?;
    connections::ConnectionEdit::export_all_to(dir)?;
    connections::ConnectionCheck::export_all_to(dir)?;
    platform_webhooks::BotmakerWebhookChoices::export_all_to(dir)?;
    platform_webhooks::BotmakerWebhookRow::export_all_to(dir)?;
    platform_webhooks::BotmakerWebhookInput::export_all_to(dir)?;
    platform_webhooks::KeptWebhookSecret::export_all_to(dir)?;
    botbiz_accounts::BotbizAccount::export_all_to(dir)?;
    botbiz_accounts::BotbizQrCode::export_all_to(dir)?;
    tryit::export_bindings(dir)?;
    usage::export_bindings(dir)?;
    Ok(())
}
