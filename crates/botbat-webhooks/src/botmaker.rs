//! Botmaker does not sign deliveries: the webhook's configured security token travels as
//! is in `auth-bm-token`. Anyone who sees one request can replay or forge others, so the
//! only checks left are that the token is the configured one and that comparing it leaks
//! nothing through timing.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{malformed, required, Problem};

pub const TOKEN_HEADER: &str = "auth-bm-token";

/// The three notification types of the docs, as a notification's `type` names them.
pub const NOTIFICATION_TYPES: [&str; 3] =
    ["message_status", "whatsapp_management", "async_api_results"];

/// A Botmaker notification's event type as the inspector lists it: the notification type,
/// and for a Message and Status one the message type that let it through
/// (`message_status.user`), so the list says which filter each capture came by.
/// `None` for a body that is not a Botmaker notification.
pub fn event_type(kind: Option<&str>, message_type: Option<&str>) -> Option<String> {
    let kind = kind.filter(|k| NOTIFICATION_TYPES.contains(k))?;
    Some(match message_type.filter(|m| !m.is_empty()) {
        Some(message_type) => format!("{kind}.{message_type}"),
        None => kind.to_string(),
    })
}

pub(crate) struct Presented {
    /// Digests rather than the token itself, so that the comparison takes the same time
    /// whatever the lengths of the two tokens.
    digest: [u8; 32],
}

impl Presented {
    pub(crate) fn parse(headers: &[(String, String)], token_header: &str) -> Result<Self, Problem> {
        let token = required(headers, token_header)?;
        if token.is_empty() {
            return Err(malformed(token_header, "it is empty"));
        }
        Ok(Self {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }
}

impl crate::Presented for Presented {
    fn covers_body(&self) -> bool {
        false
    }

    fn matches(&self, secret: &str, _body: &[u8]) -> bool {
        let expected: [u8; 32] = Sha256::digest(secret.trim().as_bytes()).into();
        expected.ct_eq(&self.digest).into()
    }
}

#[cfg(test)]
mod tests {
    use super::event_type;

    #[test]
    fn a_notification_is_listed_by_its_type_and_message_type() {
        assert_eq!(
            event_type(Some("message_status"), Some("hsm_status")).as_deref(),
            Some("message_status.hsm_status")
        );
        assert_eq!(
            event_type(Some("whatsapp_management"), None).as_deref(),
            Some("whatsapp_management")
        );
        assert_eq!(event_type(Some("message.created"), Some("user")), None);
        assert_eq!(event_type(None, Some("user")), None);
    }
}
