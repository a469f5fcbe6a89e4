//! Botbiz signs each delivery with `X-Botbiz-Signature`: the hex HMAC-SHA256 of the raw
//! body under the account's webhook secret. Some integrations forward it with a `sha256=`
//! prefix (the GitHub and Meta habit), so verifying tolerates one; signing never adds it.

use crate::{hex_digest, required, Problem};

pub const SIGNATURE_HEADER: &str = "x-botbiz-signature";

/// The header value: hex HMAC-SHA256 of `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    use hmac::Mac;
    hex::encode(
        crate::mac(secret.as_bytes(), &[body])
            .finalize()
            .into_bytes(),
    )
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
        let hex = match value.get(..7) {
            Some(prefix) if prefix.eq_ignore_ascii_case("sha256=") => &value[7..],
            _ => value,
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
