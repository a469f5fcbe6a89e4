//! Identifiers and secrets: random, prefixed by kind so a stray value explains itself.

use rand::distr::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

/// `len` random base62 characters from the thread's CSPRNG.
pub fn base62(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub fn key_id() -> String {
    format!("key_{}", base62(16))
}

pub fn request_id() -> String {
    format!("req_{}", base62(20))
}

pub fn contact_id() -> String {
    format!("ct_{}", base62(16))
}

pub fn template_id() -> String {
    format!("tpl_{}", base62(16))
}

pub fn message_id() -> String {
    format!("msg_{}", base62(16))
}

pub fn webhook_id() -> String {
    format!("we_{}", base62(16))
}

pub fn event_id() -> String {
    format!("evt_{}", base62(20))
}

pub fn delivery_id() -> String {
    format!("dlv_{}", base62(16))
}

pub fn campaign_id() -> String {
    format!("cmp_{}", base62(16))
}

pub fn conversation_id() -> String {
    format!("conv_{}", base62(16))
}

pub fn job_id() -> String {
    format!("job_{}", base62(16))
}

pub fn listen_session_id() -> String {
    format!("ls_{}", base62(16))
}

pub const TEST_KEY_PREFIX: &str = "bb_test_";
pub const LIVE_KEY_PREFIX: &str = "bb_live_";

/// A sandbox API key secret: `bb_test_` and 32 base62 characters.
pub fn api_key_secret() -> String {
    key_secret(false)
}

/// The prefix of the keys a server accepts: `bb_live_` in live mode, else `bb_test_`.
pub fn key_prefix(live: bool) -> &'static str {
    if live {
        LIVE_KEY_PREFIX
    } else {
        TEST_KEY_PREFIX
    }
}

/// A key secret of the sandbox (`bb_test_…`) or of a live-mode server (`bb_live_…`).
pub fn key_secret(live: bool) -> String {
    format!("{}{}", key_prefix(live), base62(32))
}

/// Whether a string has the shape of a platform key (`bb_test_`/`bb_live_` + 32 base62).
pub fn is_key_shaped(secret: &str) -> bool {
    let rest = secret
        .strip_prefix(TEST_KEY_PREFIX)
        .or_else(|| secret.strip_prefix(LIVE_KEY_PREFIX));
    rest.is_some_and(|r| r.len() == 32 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Only this hash of a key is stored; the secret itself never touches the disk.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_have_the_documented_shape() {
        let secret = api_key_secret();
        assert!(is_key_shaped(&secret), "{secret}");
        assert!(!is_key_shaped("bb_test_short"));
        assert!(!is_key_shaped("sk_test_0123456789abcdef0123456789abcdef"));
        assert_ne!(api_key_secret(), api_key_secret());
        assert_eq!(hash_secret("a").len(), 64);
    }
}
