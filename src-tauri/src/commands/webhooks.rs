//! Adapters for the Webhooks and Inspector panels: each calls one `Console` or
//! `Inspectors` method. Captures and tunnel changes reach the UI as the `inspector` event.

use std::sync::Arc;

use botbat_api::{
    Delivery, Event, EventTypeInfo, Page, SecretOverlap, SimulateEventRequest, Webhook,
};
use botbat_console_core::inspector::{
    CaptureStorage, InspectorSettings, InspectorStatus, ReplayInput,
};
use botbat_console_core::webhooks::{
    DeliveryQuery, IssuedWebhookSecret, ResendReport, WebhookInput, WebhookRow,
};
use botbat_console_core::{CommandError, Console, Environment, Inspectors};
use botbat_webhooks::capture::{CaptureDetail, CaptureFilter, CapturePage, ForwardResult};
use botbat_webhooks::credentials::CredentialStatus;
use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager, State};

type Shared<'a> = State<'a, Arc<Console>>;
type Stations<'a> = State<'a, Arc<Inspectors>>;

#[tauri::command]
pub async fn list_webhooks(
    console: Shared<'_>,
    environment: Environment,
) -> Result<Vec<WebhookRow>, CommandError> {
    console.list_webhooks(environment).await
}

#[tauri::command]
pub async fn create_webhook(
    console: Shared<'_>,
    environment: Environment,
    input: WebhookInput,
) -> Result<IssuedWebhookSecret, CommandError> {
    console.create_webhook(environment, input).await
}

#[tauri::command]
pub async fn update_webhook(
    console: Shared<'_>,
    environment: Environment,
    webhook_id: String,
    input: WebhookInput,
) -> Result<Webhook, CommandError> {
    console
        .update_webhook(environment, &webhook_id, input)
        .await
}

#[tauri::command]
pub async fn delete_webhook(
    console: Shared<'_>,
    stations: Stations<'_>,
    environment: Environment,
    webhook_id: String,
) -> Result<(), CommandError> {
    console.delete_webhook(environment, &webhook_id).await?;
    stations.refresh_secrets(environment).await
}

#[tauri::command]
pub async fn rotate_webhook_secret(
    console: Shared<'_>,
    environment: Environment,
    webhook_id: String,
    overlap: SecretOverlap,
) -> Result<IssuedWebhookSecret, CommandError> {
    console
        .rotate_webhook_secret(environment, &webhook_id, overlap)
        .await
}

#[tauri::command]
pub async fn keep_webhook_secret(
    console: Shared<'_>,
    stations: Stations<'_>,
    environment: Environment,
    webhook_id: String,
) -> Result<WebhookRow, CommandError> {
    let row = console
        .keep_webhook_secret(environment, &webhook_id)
        .await?;
    stations.refresh_secrets(environment).await?;
    Ok(row)
}

#[tauri::command]
pub async fn list_deliveries(
    console: Shared<'_>,
    environment: Environment,
    webhook_id: String,
    query: DeliveryQuery,
) -> Result<Page<Delivery>, CommandError> {
    console
        .list_deliveries(environment, &webhook_id, query)
        .await
}

#[tauri::command]
pub async fn resend_delivery(
    console: Shared<'_>,
    environment: Environment,
    webhook_id: String,
    delivery_id: String,
) -> Result<Delivery, CommandError> {
    console
        .resend_delivery(environment, &webhook_id, &delivery_id)
        .await
}

#[tauri::command]
pub async fn resend_failed_since(
    console: Shared<'_>,
    environment: Environment,
    webhook_id: String,
    since: DateTime<Utc>,
) -> Result<ResendReport, CommandError> {
    console
        .resend_failed_since(environment, &webhook_id, since)
        .await
}

#[tauri::command]
pub async fn event_types(
    console: Shared<'_>,
    environment: Environment,
) -> Result<Vec<EventTypeInfo>, CommandError> {
    console.event_types(environment).await
}

#[tauri::command]
pub async fn simulate_event(
    console: Shared<'_>,
    environment: Environment,
    request: SimulateEventRequest,
) -> Result<Event, CommandError> {
    console.simulate_event(environment, request).await
}

#[tauri::command]
pub async fn inspector_status(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<InspectorStatus, CommandError> {
    stations.status(environment).await
}

#[tauri::command]
pub async fn inspector_storage(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<CaptureStorage, CommandError> {
    stations.storage(environment).await
}

#[tauri::command]
pub async fn update_inspector_settings(
    stations: Stations<'_>,
    environment: Environment,
    settings: InspectorSettings,
) -> Result<InspectorStatus, CommandError> {
    stations.update_settings(environment, settings).await
}

#[tauri::command]
pub async fn start_receiver(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<InspectorStatus, CommandError> {
    stations.start_receiver(environment).await
}

#[tauri::command]
pub async fn stop_receiver(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<InspectorStatus, CommandError> {
    stations.stop_receiver(environment).await
}

#[tauri::command]
pub async fn connect_tunnel(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<InspectorStatus, CommandError> {
    stations.connect_tunnel(environment).await
}

#[tauri::command]
pub async fn disconnect_tunnel(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<InspectorStatus, CommandError> {
    stations.disconnect_tunnel(environment).await
}

#[tauri::command]
pub async fn list_captures(
    stations: Stations<'_>,
    environment: Environment,
    filter: CaptureFilter,
    offset: u64,
    limit: u32,
) -> Result<CapturePage, CommandError> {
    stations
        .list_captures(environment, filter, offset, limit)
        .await
}

#[tauri::command]
pub async fn get_capture(
    stations: Stations<'_>,
    environment: Environment,
    id: i64,
) -> Result<CaptureDetail, CommandError> {
    stations.get_capture(environment, id).await
}

#[tauri::command]
pub async fn capture_credentials(
    stations: Stations<'_>,
    environment: Environment,
    id: i64,
) -> Result<Vec<CredentialStatus>, CommandError> {
    stations.capture_credentials(environment, id).await
}

#[tauri::command]
pub async fn replay_capture(
    stations: Stations<'_>,
    environment: Environment,
    id: i64,
    input: ReplayInput,
) -> Result<ForwardResult, CommandError> {
    stations.replay_capture(environment, id, input).await
}

#[tauri::command]
pub async fn delete_captures(
    stations: Stations<'_>,
    environment: Environment,
    ids: Vec<i64>,
) -> Result<u64, CommandError> {
    stations.delete_captures(environment, ids).await
}

#[tauri::command]
pub async fn clear_captures(
    stations: Stations<'_>,
    environment: Environment,
) -> Result<u64, CommandError> {
    stations.clear_captures(environment).await
}

#[tauri::command]
pub async fn capture_curl(
    stations: Stations<'_>,
    environment: Environment,
    id: i64,
) -> Result<String, CommandError> {
    stations.capture_curl(environment, id).await
}

/// Writes a HAR file into the user's Downloads folder (or the app data dir) and returns
/// its path.
#[tauri::command]
pub async fn export_har(
    app: AppHandle,
    stations: Stations<'_>,
    environment: Environment,
    ids: Vec<i64>,
) -> Result<String, CommandError> {
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir().map(|d| d.join("exports")))
        .map_err(|e| CommandError::new("local_storage", e.to_string()))?;
    stations.export_har(environment, ids, &dir).await
}
