//! Stripe-style signatures: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}">`.
//! Many platforms copied this layout under their own header name, which is why the header
//! is configurable when verifying.
//!
//! Unlike Standard Webhooks, the secret is used as is (the whole `whsec_…` string, not its
//! decoded base64), and a timestamp ahead of the receiver's clock is accepted: Stripe's own
//! libraries only refuse timestamps older than the tolerance, and a verifier that is
//! stricter than the sender's reference would report problems nobody else sees.

use crate::{hex_digest, malformed, required, Problem};

pub const SIGNATURE_HEADER: &str = "stripe-signature";

/// The hex `v1` signature of `body` at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::Mac;
    let mac = crate::mac(
        secret.as_bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    );
    hex::encode(mac.finalize().into_bytes())
}

/// The header value `t=<timestamp>,v1=<hex>[,v1=<hex>…]`, one `v1` per secret, as Stripe
/// sends it while an endpoint's secret is being rolled.
pub fn header_value(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut value = format!("t={timestamp}");
    for secret in secrets {
        value.push_str(",v1=");
        value.push_str(&signature(secret, timestamp, body));
    }
    value
}

pub(crate) struct Presented {
    timestamp: i64,
    signatures: Vec<Vec<u8>>,
}

impl Presented {
    pub(crate) fn parse(
        headers: &[(String, String)],
        signature_header: &str,
    ) -> Result<Self, Problem> {
        let value = required(headers, signature_header)?;
        let mut timestamp = None;
        let mut signatures = Vec::new();
        let mut first_problem = None;
        for item in value.split(',') {
            let Some((key, item_value)) = item.split_once('=') else {
                continue;
            };
            match key.trim() {
                "t" if timestamp.is_none() => {
                    timestamp = Some(item_value.trim().parse::<i64>().map_err(|_| {
                        malformed(
                            signature_header,
                            "its t= element is not a whole number of Unix seconds",
                        )
                    })?);
                }
                "v1" => match hex_digest(signature_header, item_value.trim()) {
                    Ok(signature) => signatures.push(signature),
                    Err(problem) => {
                        first_problem.get_or_insert(problem);
                    }
                },
                _ => {}
            }
        }
        let Some(timestamp) = timestamp else {
            return Err(malformed(
                signature_header,
                "it has no t=<timestamp> element",
            ));
        };
        if signatures.is_empty() {
            return Err(first_problem.unwrap_or_else(|| {
                malformed(signature_header, "it has no v1=<signature> element")
            }));
        }
        Ok(Self {
            timestamp,
            signatures,
        })
    }
}

impl crate::Presented for Presented {
    fn timestamp(&self) -> Option<i64> {
        Some(self.timestamp)
    }

    fn accepts_future(&self) -> bool {
        true
    }

    fn matches(&self, secret: &str, body: &[u8]) -> bool {
        crate::any_matches(
            secret.as_bytes(),
            &[self.timestamp.to_string().as_bytes(), b".", body],
            &self.signatures,
        )
    }
}
