//! Standard Webhooks (<https://www.standardwebhooks.com>), the platform's own scheme:
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with
//! the base64 part of a `whsec_…` secret. During a secret rotation the header carries one
//! signature per live secret, separated by spaces.
//!
//! Svix, where the specification comes from, sends the same headers with a `svix-` prefix;
//! verifying accepts those too, so captures from Svix-powered senders need no setup.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{header, malformed, required, Problem};

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";
pub const SVIX_ID_HEADER: &str = "svix-id";
pub const SVIX_TIMESTAMP_HEADER: &str = "svix-timestamp";
pub const SVIX_SIGNATURE_HEADER: &str = "svix-signature";
/// How far a timestamp may be from now, either way, before a verifier rejects it.
pub const TOLERANCE_SECONDS: i64 = 300;
pub const SECRET_PREFIX: &str = "whsec_";

/// Secrets copied from a dashboard sometimes lose their trailing `=`; the reference
/// implementations decode them anyway, so this does too.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The HMAC key a `whsec_…` secret stands for: its base64 part decoded. A secret without
/// the prefix, or whose rest is not base64, is used as raw bytes, as other implementations
/// do.
pub fn secret_key(secret: &str) -> Vec<u8> {
    let rest = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    LENIENT
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

pub(crate) struct Presented {
    id: String,
    timestamp: i64,
    signatures: Vec<Vec<u8>>,
}

impl Presented {
    pub(crate) fn parse(
        headers: &[(String, String)],
        signature_header: &str,
    ) -> Result<Self, Problem> {
        let svix = header(headers, signature_header).is_none()
            && signature_header.eq_ignore_ascii_case(SIGNATURE_HEADER)
            && header(headers, SVIX_SIGNATURE_HEADER).is_some();
        let (signature_header, id_header, timestamp_header) = if svix {
            (SVIX_SIGNATURE_HEADER, SVIX_ID_HEADER, SVIX_TIMESTAMP_HEADER)
        } else {
            (signature_header, ID_HEADER, TIMESTAMP_HEADER)
        };

        let list = required(headers, signature_header)?;
        let id = required(headers, id_header)?;
        let raw_timestamp = required(headers, timestamp_header)?;
        if id.is_empty() {
            return Err(malformed(id_header, "it is empty"));
        }
        let timestamp = raw_timestamp
            .parse::<i64>()
            .map_err(|_| malformed(timestamp_header, "it is not a whole number of Unix seconds"))?;

        let mut signatures = Vec::new();
        let mut other_versions = Vec::new();
        let mut broken = None;
        for (position, entry) in list.split_whitespace().enumerate() {
            let Some((version, encoded)) = entry.split_once(',') else {
                broken.get_or_insert(format!(
                    "signature {} is not of the form v1,<base64>",
                    position + 1
                ));
                continue;
            };
            if version != "v1" {
                other_versions.push(version.to_string());
                continue;
            }
            match STANDARD.decode(encoded) {
                Ok(bytes) if bytes.len() == 32 => signatures.push(bytes),
                Ok(bytes) => {
                    broken.get_or_insert(format!(
                        "signature {} decodes to {} bytes, HMAC-SHA256 has 32",
                        position + 1,
                        bytes.len()
                    ));
                }
                Err(_) => {
                    broken.get_or_insert(format!(
                        "signature {} is not valid base64 after \"v1,\"",
                        position + 1
                    ));
                }
            }
        }
        if signatures.is_empty() {
            let reason = match (broken, other_versions.is_empty()) {
                (Some(reason), _) => reason,
                (None, false) => format!(
                    "it carries only {} signatures; only v1 (HMAC-SHA256) is verified",
                    other_versions.join(", ")
                ),
                (None, true) => "it is empty".to_string(),
            };
            return Err(malformed(signature_header, reason));
        }

        Ok(Self {
            id: id.to_string(),
            timestamp,
            signatures,
        })
    }
}

impl crate::Presented for Presented {
    fn timestamp(&self) -> Option<i64> {
        Some(self.timestamp)
    }

    fn matches(&self, secret: &str, body: &[u8]) -> bool {
        crate::any_matches(
            &secret_key(secret),
            &[
                self.id.as_bytes(),
                b".",
                self.timestamp.to_string().as_bytes(),
                b".",
                body,
            ],
            &self.signatures,
        )
    }
}
