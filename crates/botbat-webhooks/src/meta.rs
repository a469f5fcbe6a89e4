//! Meta (the WhatsApp Cloud API and the rest of the Graph API webhooks) signs with
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the app
//! secret. The prefix is required: a value without it usually means the legacy SHA-1
//! `X-Hub-Signature` was copied into the wrong header.

use crate::{hex_digest, malformed, required, Problem};

pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
const PREFIX: &str = "sha256=";

/// The header value `sha256=<hex>`.
pub fn header_value(app_secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mac = crate::mac(app_secret.as_bytes(), &[body]);
    format!("{PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
}

pub(crate) struct Presented {
    signature: Vec<u8>,
}

impl Presented {
    pub(crate) fn parse(
        headers: &[(String, String)],
        signature_header: &str,
    ) -> Result<Self, Problem> {
        let value = required(headers, signature_header)?;
        let Some(hex) = value.strip_prefix(PREFIX) else {
            return Err(malformed(
                signature_header,
                "it does not start with \"sha256=\"",
            ));
        };
        Ok(Self {
            signature: hex_digest(signature_header, hex.trim())?,
        })
    }
}

impl crate::Presented for Presented {
    fn matches(&self, secret: &str, body: &[u8]) -> bool {
        crate::any_matches(
            secret.as_bytes(),
            &[body],
            std::slice::from_ref(&self.signature),
        )
    }
}
