//! Adapters for the Webhooks and Inspector panels: each calls one `Console` or
//! `Inspectors` method. Captures and tunnel changes reach the UI as the `inspector` event.
//! Deleting an endpoint or keeping its secret changes the secrets the inspector verifies
//! with, so those two refresh it.

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
use botbat_console_core::{
    CommandError, Console, ConsoleCode, Environment, InspectorScope, Inspectors,
};
use botbat_webhooks::capture::{CaptureDetail, CaptureFilter, CapturePage, ForwardResult};
use botbat_webhooks::credentials::CredentialStatus;
use chrono::{DateTime, Utc};
use tauri::{AppHandle, Manager, State};

adapters! {
    fn list_webhooks(console: Console; environment: Environment) -> Vec<WebhookRow> {
        console.list_webhooks(environment).await
    }

    fn create_webhook(console: Console; environment: Environment, input: WebhookInput) -> IssuedWebhookSecret {
        console.create_webhook(environment, input).await
    }

    fn update_webhook(console: Console; environment: Environment, webhook_id: String, input: WebhookInput) -> Webhook {
        console.update_webhook(environment, &webhook_id, input).await
    }

    fn delete_webhook(console: Console, stations: Inspectors; environment: Environment, webhook_id: String) -> () {
        console.delete_webhook(environment, &webhook_id).await?;
        stations.refresh_secrets(environment).await
    }

    fn rotate_webhook_secret(console: Console; environment: Environment, webhook_id: String, overlap: SecretOverlap) -> IssuedWebhookSecret {
        console.rotate_webhook_secret(environment, &webhook_id, overlap).await
    }

    fn keep_webhook_secret(console: Console, stations: Inspectors; environment: Environment, webhook_id: String) -> WebhookRow {
        let row = console.keep_webhook_secret(environment, &webhook_id).await?;
        stations.refresh_secrets(environment).await?;
        Ok(row)
    }

    fn list_deliveries(console: Console; environment: Environment, webhook_id: String, query: DeliveryQuery) -> Page<Delivery> {
        console.list_deliveries(environment, &webhook_id, query).await
    }

    fn resend_delivery(console: Console; environment: Environment, webhook_id: String, delivery_id: String) -> Delivery {
        console.resend_delivery(environment, &webhook_id, &delivery_id).await
    }

    fn resend_failed_since(console: Console; environment: Environment, webhook_id: String, since: DateTime<Utc>) -> ResendReport {
        console.resend_failed_since(environment, &webhook_id, since).await
    }

    fn event_types(console: Console; environment: Environment) -> Vec<EventTypeInfo> {
        console.event_types(environment).await
    }

    fn simulate_event(console: Console; environment: Environment, request: SimulateEventRequest) -> Event {
        console.simulate_event(environment, request).await
    }

    fn inspector_status(stations: Inspectors; scope: InspectorScope) -> InspectorStatus {
        stations.status(scope).await
    }

    fn inspector_storage(stations: Inspectors; scope: InspectorScope) -> CaptureStorage {
        stations.storage(scope).await
    }

    fn update_inspector_settings(stations: Inspectors; scope: InspectorScope, settings: InspectorSettings) -> InspectorStatus {
        stations.update_settings(scope, settings).await
    }

    fn start_receiver(stations: Inspectors; scope: InspectorScope) -> InspectorStatus {
        stations.start_receiver(scope).await
    }

    fn stop_receiver(stations: Inspectors; scope: InspectorScope) -> InspectorStatus {
        stations.stop_receiver(scope).await
    }

    fn connect_tunnel(stations: Inspectors; scope: InspectorScope) -> InspectorStatus {
        stations.connect_tunnel(scope).await
    }

    fn disconnect_tunnel(stations: Inspectors; scope: InspectorScope) -> InspectorStatus {
        stations.disconnect_tunnel(scope).await
    }

    fn list_captures(stations: Inspectors; scope: InspectorScope, filter: CaptureFilter, offset: u64, limit: u32) -> CapturePage {
        stations.list_captures(scope, filter, offset, limit).await
    }

    fn get_capture(stations: Inspectors; scope: InspectorScope, id: i64) -> CaptureDetail {
        stations.get_capture(scope, id).await
    }

    fn capture_credentials(stations: Inspectors; scope: InspectorScope, id: i64) -> Vec<CredentialStatus> {
        stations.capture_credentials(scope, id).await
    }

    fn replay_capture(stations: Inspectors; scope: InspectorScope, id: i64, input: ReplayInput) -> ForwardResult {
        stations.replay_capture(scope, id, input).await
    }

    fn delete_captures(stations: Inspectors; scope: InspectorScope, ids: Vec<i64>) -> u64 {
        stations.delete_captures(scope, ids).await
    }

    fn clear_captures(stations: Inspectors; scope: InspectorScope) -> u64 {
        stations.clear_captures(scope).await
    }

    fn capture_curl(stations: Inspectors; scope: InspectorScope, id: i64) -> String {
        stations.capture_curl(scope, id).await
    }
}

/// Writes a HAR file into the user's Downloads folder (or the app data dir) and returns
/// its path.
#[tauri::command]
pub async fn export_har(
    app: AppHandle,
    stations: State<'_, Arc<Inspectors>>,
    scope: InspectorScope,
    ids: Vec<i64>,
) -> Result<String, CommandError> {
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().app_data_dir().map(|d| d.join("exports")))
        .map_err(|e| CommandError::new(ConsoleCode::LocalStorage, e.to_string()))?;
    stations.export_har(scope, ids, &dir).await
}
