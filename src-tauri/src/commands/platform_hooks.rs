//! Adapters for what the Webhooks, Inspector and Dashboard panels do with a Botbiz or
//! Botmaker connection: Botmaker webhooks, the webhook secret kept for a connection, and
//! Botbiz WhatsApp accounts. A change to a kept secret or token refreshes the inspectors,
//! which verify captures with it.

use botbat_console_core::botbiz_accounts::{BotbizAccount, BotbizQrCode};
use botbat_console_core::connections::Connections;
use botbat_console_core::platform_webhooks::{
    BotmakerWebhookChoices, BotmakerWebhookInput, BotmakerWebhookRow, KeptWebhookSecret,
};
use botbat_console_core::{CommandError, Console, ConsoleCode, Inspectors};

/// The connections kept in the console's data dir.
fn connections(console: &Console) -> Result<Connections, CommandError> {
    console.connections().ok_or_else(|| {
        CommandError::new(
            ConsoleCode::LocalStorage,
            "the console has no data directory for its connections",
        )
    })
}

adapters! {
    fn botmaker_webhook_choices(console: Console; connection_id: String) -> BotmakerWebhookChoices {
        connections(&console)?.botmaker_webhook_choices(&connection_id).await
    }

    fn list_botmaker_webhooks(console: Console; connection_id: String) -> Vec<BotmakerWebhookRow> {
        connections(&console)?.list_botmaker_webhooks(&connection_id).await
    }

    fn create_botmaker_webhook(console: Console, stations: Inspectors; connection_id: String, input: BotmakerWebhookInput) -> BotmakerWebhookRow {
        let row = connections(&console)?.create_botmaker_webhook(&connection_id, input).await?;
        stations.refresh_all_secrets().await?;
        Ok(row)
    }

    fn update_botmaker_webhook(console: Console, stations: Inspectors; connection_id: String, webhook_id: String, input: BotmakerWebhookInput) -> BotmakerWebhookRow {
        let row = connections(&console)?.update_botmaker_webhook(&connection_id, &webhook_id, input).await?;
        stations.refresh_all_secrets().await?;
        Ok(row)
    }

    fn delete_botmaker_webhook(console: Console, stations: Inspectors; connection_id: String, webhook_id: String) -> () {
        connections(&console)?.delete_botmaker_webhook(&connection_id, &webhook_id).await?;
        stations.refresh_all_secrets().await
    }

    fn connection_webhook_secret(console: Console; connection_id: String) -> KeptWebhookSecret {
        connections(&console)?.webhook_secret(&connection_id).await
    }

    fn set_webhook_secret(console: Console, stations: Inspectors; connection_id: String, secret: String) -> KeptWebhookSecret {
        let kept = connections(&console)?.set_webhook_secret(&connection_id, &secret).await?;
        stations.refresh_all_secrets().await?;
        Ok(kept)
    }

    fn list_botbiz_accounts(console: Console; connection_id: String) -> Vec<BotbizAccount> {
        connections(&console)?.list_botbiz_accounts(&connection_id).await
    }

    fn create_botbiz_account(console: Console; connection_id: String, phone_number: String, name: String) -> BotbizAccount {
        connections(&console)?.create_botbiz_account(&connection_id, &phone_number, &name).await
    }

    fn get_botbiz_account(console: Console; connection_id: String, account_id: String) -> BotbizAccount {
        connections(&console)?.get_botbiz_account(&connection_id, &account_id).await
    }

    fn botbiz_account_qr(console: Console; connection_id: String, account_id: String) -> BotbizQrCode {
        connections(&console)?.botbiz_account_qr(&connection_id, &account_id).await
    }

    fn play_botbiz_scan(console: Console; connection_id: String, account_id: String) -> BotbizAccount {
        connections(&console)?.play_botbiz_scan(&connection_id, &account_id).await
    }
}
