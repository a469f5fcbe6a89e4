//! Credentials in captured headers. A webhook often carries one: Botmaker's static
//! `auth-bm-token`, a bearer key, a cookie. The inspector keeps captures on disk for weeks,
//! so a credential stored as received would be a secret in a file; instead it is used as
//! received (verification, forwarding) and then stored masked, the way the console shows
//! every secret (`bb_test_…a1b2`).
//!
//! A replay still has to send the real value. The file cannot hold it, but it holds a
//! fingerprint: an HMAC of the credential under a key that lives in the keychain, not in
//! the file. A replay compares it with the fingerprints of the secrets this machine keeps
//! (management keys, kept API keys, webhook secrets) and puts the one that matches back.
//! Without the key, the fingerprint cannot be used to test guesses of the credential.
//!
//! Signature headers (`webhook-signature`, `stripe-signature`, `x-botbiz-signature`,
//! `x-hub-signature-256`) are not credentials: they are valid for one body and one moment,
//! and verification and re-signing need them as received. Bodies are stored as received.

use botbat_secrets::{mask_secret, Sensitive};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Headers whose value is a credential, compared without regard to case.
pub const CREDENTIAL_HEADERS: [&str; 20] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "auth-bm-token",
    "x-api-key",
    "api-key",
    "apikey",
    "x-apikey",
    "x-auth-token",
    "x-access-token",
    "access-token",
    "x-session-token",
    "x-refresh-token",
    "private-token",
    "x-goog-api-key",
    "x-amz-security-token",
    "ocp-apim-subscription-key",
    "x-functions-key",
    "x-vault-token",
];

pub fn is_credential_header(name: &str) -> bool {
    let name = name.trim();
    CREDENTIAL_HEADERS
        .iter()
        .any(|known| known.eq_ignore_ascii_case(name))
}

/// The key captured credentials are fingerprinted with. The console keeps it in the
/// keychain, one per environment; `Debug` never prints it.
#[derive(Clone)]
pub struct CredentialKey([u8; 32]);

impl CredentialKey {
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    /// The key as the keychain keeps it.
    pub fn to_hex(&self) -> Sensitive<String> {
        Sensitive::new(hex::encode(self.0))
    }

    /// `None` for anything but 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    fn fingerprint(&self, credential: &str) -> String {
        use hmac::Mac;
        hex::encode(
            crate::mac(&self.0, &[credential.trim().as_bytes()])
                .finalize()
                .into_bytes(),
        )
    }
}

impl std::fmt::Debug for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialKey(<redacted>)")
    }
}

/// A header of a capture that is stored masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MaskedHeader {
    /// Its position in the capture's headers.
    pub index: u32,
    pub name: String,
    /// The part kept as received: `Bearer ` of an Authorization header, otherwise empty.
    pub prefix: String,
    /// The value as stored, e.g. `Bearer bb_test_…a1b2`.
    pub masked: String,
    /// HMAC-SHA256 of the credential under the environment's [`CredentialKey`], hex.
    pub fingerprint: String,
}

/// The scheme word of an `Authorization`-style value (`Bearer`, `Basic`, …) and the
/// credential after it; other headers are all credential.
fn split<'a>(name: &str, value: &'a str) -> (&'a str, &'a str) {
    let authorization = name.trim().eq_ignore_ascii_case("authorization")
        || name.trim().eq_ignore_ascii_case("proxy-authorization");
    if authorization {
        if let Some((scheme, credential)) = value.trim().split_once(' ') {
            let is_scheme = !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if is_scheme && !credential.trim().is_empty() {
                let end = value.find(scheme).unwrap_or(0) + scheme.len() + 1;
                return (&value[..end], credential.trim());
            }
        }
    }
    ("", value.trim())
}

fn masked_value(prefix: &str, credential: &str) -> String {
    format!("{prefix}{}", mask_secret(credential))
}

/// Masks every credential header in place and says which were masked.
pub fn mask_headers(headers: &mut [(String, String)], key: &CredentialKey) -> Vec<MaskedHeader> {
    let mut masked = Vec::new();
    for (index, (name, value)) in headers.iter_mut().enumerate() {
        if !is_credential_header(name) {
            continue;
        }
        let (prefix, credential) = split(name, value);
        let entry = MaskedHeader {
            index: index as u32,
            name: name.clone(),
            prefix: prefix.to_string(),
            masked: masked_value(prefix, credential),
            fingerprint: key.fingerprint(credential),
        };
        *value = entry.masked.clone();
        masked.push(entry);
    }
    masked
}

/// Masks credential headers of a response (a `Set-Cookie` from the forward target); no
/// replay ever needs them back, so nothing else is kept.
pub fn mask_response_headers(headers: &mut [(String, String)]) {
    for (name, value) in headers.iter_mut() {
        if is_credential_header(name) {
            let (prefix, credential) = split(name, value);
            *value = masked_value(prefix, credential);
        }
    }
}

/// A secret this machine keeps, offered to replays.
#[derive(Debug, Clone)]
pub struct KeptSecret {
    /// How the console names it: "the Sandbox management key", "API key ci (key_…)".
    pub label: String,
    pub secret: Sensitive<String>,
}

impl KeptSecret {
    pub fn new(label: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            secret: Sensitive::new(secret.into()),
        }
    }
}

/// What a replay can do with one masked header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CredentialStatus {
    pub name: String,
    /// The value as stored.
    pub masked: String,
    /// The kept secret the replay sends in its place; `None` when this machine does not
    /// keep it, and the header goes as masked unless the user types the value.
    pub kept_as: Option<String>,
}

/// The real value of one masked header, for one replay.
#[derive(Debug, Clone)]
pub struct Restore {
    name: String,
    masked: String,
    value: Sensitive<String>,
}

/// Matches masked headers with kept secrets by fingerprint.
pub fn recognise(
    masked: &[MaskedHeader],
    kept: &[KeptSecret],
    key: &CredentialKey,
) -> (Vec<CredentialStatus>, Vec<Restore>) {
    let prints: Vec<String> = kept
        .iter()
        .map(|k| key.fingerprint(k.secret.expose()))
        .collect();
    let mut statuses = Vec::with_capacity(masked.len());
    let mut restores = Vec::new();
    for header in masked {
        let found = prints
            .iter()
            .position(|p| *p == header.fingerprint)
            .map(|i| &kept[i]);
        if let Some(secret) = found {
            restores.push(Restore {
                name: header.name.clone(),
                masked: header.masked.clone(),
                value: Sensitive::new(format!(
                    "{}{}",
                    header.prefix,
                    secret.secret.expose().trim()
                )),
            });
        }
        statuses.push(CredentialStatus {
            name: header.name.clone(),
            masked: header.masked.clone(),
            kept_as: found.map(|s| s.label.clone()),
        });
    }
    (statuses, restores)
}

/// Puts the real values back into headers that still carry a mask. A header the user
/// edited no longer equals its mask and is sent as typed.
pub fn restore(headers: &mut [(String, String)], restores: &[Restore]) {
    for (name, value) in headers.iter_mut() {
        if let Some(found) = restores
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name.trim()) && r.masked == value.trim())
        {
            *value = found.value.expose().clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn credential_headers_are_masked_and_signature_headers_are_not() {
        let key = CredentialKey::random();
        let token = "bb_test_0123456789abcdefghijABCDEFGHa1b2";
        let mut list = headers(&[
            ("Authorization", &format!("Bearer {token}")),
            ("AUTH-BM-TOKEN", "botmaker-token-0123456789"),
            ("x-api-key", "key-9876543210"),
            ("Cookie", "session=abcdef0123456789"),
            (
                "webhook-signature",
                "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
            ),
            ("stripe-signature", "t=1,v1=abc"),
            ("x-botbiz-signature", "abc"),
            ("x-hub-signature-256", "sha256=abc"),
            ("content-type", "application/json"),
        ]);
        let before = list.clone();
        let masked = mask_headers(&mut list, &key);
        assert_eq!(
            masked.iter().map(|m| m.index).collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(list[0].1, "Bearer bb_test_…a1b2");
        assert_eq!(masked[0].prefix, "Bearer ");
        assert_eq!(list[1].1, "…6789");
        assert_eq!(list[2].1, "…3210");
        assert_eq!(
            &list[4..],
            &before[4..],
            "signatures and the rest as received"
        );
        let stored = serde_json::to_string(&(&list, &masked)).expect("json");
        for raw in [
            token,
            "botmaker-token-0123456789",
            "key-9876543210",
            "abcdef0123456789",
        ] {
            assert!(!stored.contains(raw), "{raw} in {stored}");
        }
    }

    #[test]
    fn a_kept_secret_is_recognised_by_fingerprint_and_restored() {
        let key = CredentialKey::random();
        let token = "bb_test_0123456789abcdefghijABCDEFGHa1b2";
        let mut list = headers(&[
            ("authorization", &format!("Bearer {token}")),
            ("auth-bm-token", "not-kept-token-000111"),
        ]);
        let masked = mask_headers(&mut list, &key);
        let kept = [
            KeptSecret::new("the Sandbox management key", token),
            KeptSecret::new("another", "bb_test_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZa1b2"),
        ];
        let (statuses, restores) = recognise(&masked, &kept, &key);
        assert_eq!(
            statuses[0].kept_as.as_deref(),
            Some("the Sandbox management key")
        );
        assert_eq!(statuses[1].kept_as, None);
        let mut replay = list.clone();
        restore(&mut replay, &restores);
        assert_eq!(replay[0].1, format!("Bearer {token}"));
        assert_eq!(replay[1].1, "…0111", "not kept: goes as masked");

        // Another key (another machine, or a key lost with its keychain) recognises nothing.
        let (statuses, _) = recognise(&masked, &kept, &CredentialKey::random());
        assert!(statuses.iter().all(|s| s.kept_as.is_none()));
        assert!(CredentialKey::from_hex(key.to_hex().expose()).is_some());
        assert!(CredentialKey::from_hex("abc").is_none());
    }
}
