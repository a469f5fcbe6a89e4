//! Standard Webhooks (<https://www.standardwebhooks.com>), the platform's own scheme:
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with
//! the base64 part of a `whsec_…` secret. During a secret rotation the header carries one
//! signature per live secret, separated by spaces.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a timestamp may be from now, either way, before a verifier rejects it.
pub const TOLERANCE_SECONDS: i64 = 300;
pub const SECRET_PREFIX: &str = "whsec_";

/// The HMAC key a `whsec_…` secret stands for: its base64 part decoded. A secret without
/// the prefix, or whose rest is not base64, is used as raw bytes, as other implementations
/// do.
pub fn secret_key(secret: &str) -> Vec<u8> {
    let rest = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(rest)
        .unwrap_or_else(|_| secret.as_bytes().to_vec())
}

/// One `v1,<base64>` signature of `body` for message `id` at `timestamp` (Unix seconds).
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret_key(secret))
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header value: one signature per secret, space separated.
pub fn sign(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| signature(secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}
