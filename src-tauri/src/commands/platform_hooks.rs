//! Adapters for what the Webhooks, Inspector and Dashboard panels do with a Botbiz or
//! Botmaker connection: Botmaker webhooks, the webhook secret kept for a connection, and
//! Botbiz WhatsApp accounts. A change to a kept secret or token refreshes the inspectors,
//! which verify captures with it.

use botbat_console_core::botbiz_accounts::{BotbizAccount, BotbizQrCode};
use botbat_console_core::connections::Connections;
use botbat_console_core::platform_webhooks::{
    BotmakerWebhookChoices, BotmakerWebhookInput, BotmakerWebhookRow, KeptWebhookSecret,
};
use botbat_console_core::Inspectors;

adapters! {
    fn botmaker_webhook_choices(connections: Connections; connection_id: String) -> BotmakerWebhookChoices {
        connections.botmaker_webhook_choices(&connection_id).await
    }

    fn list_botmaker_webhooks(connections: Connections; connection_id: String) -> Vec<BotmakerWebhookRow> {
        connections.list_botmaker_webhooks(&connection_id).await
    }

    fn create_botmaker_webhook(connections: Connections, stations: Inspectors; connection_id: String, input: BotmakerWebhookInput) -> BotmakerWebhookRow {
        let row = connections.create_botmaker_webhook(&connection_id, input).await?;
        stations.refresh_all_secrets().await?;
        Ok(row)
    }

    fn update_botmaker_webhook(connections: Connections, stations: Inspectors; connection_id: String, webhook_id: String, input: BotmakerWebhookInput) -> BotmakerWebhookRow {
        let row = connections.update_botmaker_webhook(&connection_id, &webhook_id, input).await?;
        stations.refresh_all_secrets().await?;
        Ok(row)
    }

    fn delete_botmaker_webhook(connections: Connections, stations: Inspectors; connection_id: String, webhook_id: String) -> () {
        connections.delete_botmaker_webhook(&connection_id, &webhook_id).await?;
        stations.refresh_all_secrets().await
    }

    fn connection_webhook_secret(connections: Connections; connection_id: String) -> KeptWebhookSecret {
        connections.webhook_secret(&connection_id).await
    }

    fn set_webhook_secret(connections: Connections, stations: Inspectors; connection_id: String, secret: String) -> KeptWebhookSecret {
        let kept = connections.set_webhook_secret(&connection_id, &secret).await?;
        stations.refresh_all_secrets().await?;
        Ok(kept)
    }

    fn list_botbiz_accounts(connections: Connections; connection_id: String) -> Vec<BotbizAccount> {
        connections.list_botbiz_accounts(&connection_id).await
    }

    fn create_botbiz_account(connections: Connections; connection_id: String, phone_number: String, name: String) -> BotbizAccount {
        connections.create_botbiz_account(&connection_id, &phone_number, &name).await
    }

    fn get_botbiz_account(connections: Connections; connection_id: String, account_id: String) -> BotbizAccount {
        connections.get_botbiz_account(&connection_id, &account_id).await
    }

    fn botbiz_account_qr(connections: Connections; connection_id: String, account_id: String) -> BotbizQrCode {
        connections.botbiz_account_qr(&connection_id, &account_id).await
    }

    fn play_botbiz_scan(connections: Connections; connection_id: String, account_id: String) -> BotbizAccount {
        connections.play_botbiz_scan(&connection_id, &account_id).await
    }
}
