//! A Botbiz connection's WhatsApp accounts: listed (`GET /whatsapp/accounts`), added
//! (`POST /whatsapp/accounts`), and shown with their QR code until the phone has scanned it.
//!
//! The QR code is fetched here, with the connection's auth, and handed to the window as a
//! `data:` URL of the image, so the window never renders remote text as markup and the
//! credential never leaves for a host other than the connection's own: a `qr_code_url` on
//! another origin is refused. Against a stand-in on this machine, the sandbox control that
//! plays the phone's scan is offered too.

use base64::Engine;
use botbat_api::platforms::botbiz::{AccountStatus, List, WhatsAppAccount};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::connections::{Authorized, Connections, Platform};
use crate::platform_webhooks::urlencoding;
use crate::{CommandError, ConsoleCode};

type Result<T> = std::result::Result<T, CommandError>;

/// The largest QR code image the console reads.
const MAX_QR_BYTES: usize = 512 * 1024;

/// A WhatsApp account of a Botbiz connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotbizAccount {
    /// `wha_…`
    pub id: String,
    pub phone_number: String,
    pub name: String,
    /// `pending` until the QR code is scanned, then `connected`.
    pub status: String,
    #[ts(type = "string")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An account's QR code, ready for an `<img>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BotbizQrCode {
    pub account: BotbizAccount,
    /// `data:image/svg+xml;base64,…` (or the PNG the platform serves).
    pub image: String,
}

impl From<WhatsAppAccount> for BotbizAccount {
    fn from(account: WhatsAppAccount) -> Self {
        Self {
            status: match account.status {
                AccountStatus::Pending => "pending",
                AccountStatus::Connected => "connected",
            }
            .to_string(),
            id: account.id,
            phone_number: account.phone_number,
            name: account.name,
            created_at: account.created_at,
        }
    }
}

fn check_account_id(account_id: &str) -> Result<String> {
    let id = account_id.trim();
    if id.is_empty() || id.len() > 100 {
        return Err(CommandError::invalid_input(
            "account_id",
            "give the account's id (wha_…)",
        ));
    }
    Ok(urlencoding(id))
}

impl Connections {
    pub async fn list_botbiz_accounts(&self, id: &str) -> Result<Vec<BotbizAccount>> {
        let authorized = self.authorize_for(id, Platform::Botbiz).await?;
        let list: List<WhatsAppAccount> = self
            .call(
                &authorized,
                reqwest::Method::GET,
                "/whatsapp/accounts",
                None,
            )
            .await?;
        Ok(list.data.into_iter().map(BotbizAccount::from).collect())
    }

    async fn fetch_account(
        &self,
        authorized: &Authorized,
        account_id: &str,
    ) -> Result<WhatsAppAccount> {
        let path = format!("/whatsapp/accounts/{}", check_account_id(account_id)?);
        self.call(authorized, reqwest::Method::GET, &path, None)
            .await
    }

    pub async fn get_botbiz_account(&self, id: &str, account_id: &str) -> Result<BotbizAccount> {
        let authorized = self.authorize_for(id, Platform::Botbiz).await?;
        Ok(self.fetch_account(&authorized, account_id).await?.into())
    }

    /// Adds a WhatsApp account; it is `pending` until its QR code is scanned.
    pub async fn create_botbiz_account(
        &self,
        id: &str,
        phone_number: &str,
        name: &str,
    ) -> Result<BotbizAccount> {
        let phone = phone_number.trim();
        let digits = phone.strip_prefix('+').unwrap_or("");
        if !(7..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CommandError::invalid_input(
                "phone_number",
                "give the phone number in international form: + and 7 to 15 digits, such as +14155550123",
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(CommandError::invalid_input(
                "name",
                "give the account a name of 1 to 100 characters, such as \"Support line\"",
            ));
        }
        let authorized = self.authorize_for(id, Platform::Botbiz).await?;
        let created: WhatsAppAccount = self
            .call(
                &authorized,
                reqwest::Method::POST,
                "/whatsapp/accounts",
                Some(&json!({"phone_number": phone, "name": name})),
            )
            .await?;
        Ok(created.into())
    }

    /// The account's QR code from its `qr_code_url`, fetched with the connection's auth
    /// when it is on the connection's own origin.
    pub async fn botbiz_account_qr(&self, id: &str, account_id: &str) -> Result<BotbizQrCode> {
        let authorized = self.authorize_for(id, Platform::Botbiz).await?;
        let account = self.fetch_account(&authorized, account_id).await?;
        let base = url::Url::parse(&authorized.connection.base_url).map_err(|e| {
            CommandError::new(ConsoleCode::InvalidInput, format!("the base URL: {e}"))
        })?;
        let qr = url::Url::parse(&account.qr_code_url).map_err(|e| {
            CommandError::new(
                ConsoleCode::UnexpectedResponse,
                format!("the account's qr_code_url does not read: {e}"),
            )
        })?;
        if qr.origin() != base.origin() {
            return Err(CommandError::new(
                ConsoleCode::UnexpectedResponse,
                format!(
                    "the QR code is at {}, not on the connection's host {}: the console sends the API key only to the connection's own host. Open the QR code in Botbiz's dashboard.",
                    qr.origin().ascii_serialization(),
                    base.origin().ascii_serialization()
                ),
            ));
        }
        let response = authorized
            .apply(self.http()?.get(qr))
            .send()
            .await
            .map_err(|e| {
                CommandError::new(
                    ConsoleCode::Unreachable,
                    format!("Could not fetch the QR code: {e}"),
                )
            })?;
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = response.bytes().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(CommandError {
                status: Some(status),
                ..CommandError::new(
                    ConsoleCode::HttpError,
                    format!("Botbiz answered {status} for the account's QR code"),
                )
            });
        }
        if !["image/svg+xml", "image/png"].contains(&kind.as_str()) || bytes.len() > MAX_QR_BYTES {
            return Err(CommandError::new(
                ConsoleCode::UnexpectedResponse,
                format!(
                    "the QR code is not an SVG or PNG image of at most {} KiB (it is {kind:?}, {} bytes)",
                    MAX_QR_BYTES / 1024,
                    bytes.len()
                ),
            ));
        }
        Ok(BotbizQrCode {
            account: account.into(),
            image: format!(
                "data:{kind};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            ),
        })
    }

    /// Plays the phone scanning the account's QR code, with the stand-in's sandbox control.
    /// Only a stand-in on this machine has it; a real Botbiz is never sent this.
    pub async fn play_botbiz_scan(&self, id: &str, account_id: &str) -> Result<BotbizAccount> {
        let authorized = self.authorize_for(id, Platform::Botbiz).await?;
        let on_this_machine = url::Url::parse(&authorized.connection.base_url)
            .is_ok_and(|u| crate::console::is_loopback(&u));
        if !on_this_machine {
            return Err(CommandError::new(
                ConsoleCode::SandboxOnly,
                "only a Botbiz stand-in on this machine can play the scan: scan the QR code with the phone",
            ));
        }
        let account: WhatsAppAccount = self
            .call(
                &authorized,
                reqwest::Method::POST,
                &format!(
                    "/sandbox/whatsapp/accounts/{}/scan",
                    check_account_id(account_id)?
                ),
                None,
            )
            .await?;
        Ok(account.into())
    }
}
