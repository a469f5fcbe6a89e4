//! The one way a secret is ever shown after creation: its kind prefix and last four characters.

/// Masks a secret as `bb_test_…a1b2`: the prefix up to and including the last `_` of the
/// leading kind marker (`bb_test_`, `bb_live_`, `whsec_`, Botbiz's `bz_`), an ellipsis, and the last four
/// characters. Short or unrecognised values show only the ellipsis and the last four.
pub fn mask_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let last_four: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let prefix = ["bb_test_", "bb_live_", "whsec_", "bz_"]
        .into_iter()
        .find(|p| secret.starts_with(p) && secret.len() > p.len() + 8)
        .unwrap_or("");
    if chars.len() < 12 {
        return format!(
            "…{}",
            chars.last().map(|c| c.to_string()).unwrap_or_default()
        );
    }
    mask_parts(prefix, &last_four)
}

/// The mask of a secret known only by its kind prefix and last four characters (a key the
/// platform stored hashed), in the same form as [`mask_secret`].
pub fn mask_parts(prefix: &str, last_four: &str) -> String {
    format!("{prefix}…{last_four}")
}

#[cfg(test)]
mod tests {
    use super::{mask_parts, mask_secret};

    #[test]
    fn masks_known_prefixes() {
        assert_eq!(
            mask_secret("bb_test_0123456789abcdefghijABCDEFGHa1b2"),
            "bb_test_…a1b2"
        );
        assert_eq!(
            mask_secret("bb_live_0123456789abcdefghijZZZZ9f8e"),
            "bb_live_…9f8e"
        );
        assert_eq!(mask_secret("whsec_c2VjcmV0c2VjcmV0c2VjcmV0"), "whsec_…cmV0");
        assert_eq!(
            mask_secret("bz_0123456789abcdefghij0123456789abcdQr7z"),
            "bz_…Qr7z"
        );
    }

    #[test]
    fn a_stored_prefix_and_last_four_mask_as_the_secret_does() {
        let secret = "bb_test_0123456789abcdefghijABCDEFGHa1b2";
        assert_eq!(mask_parts("bb_test_", "a1b2"), mask_secret(secret));
    }

    #[test]
    fn short_values_reveal_almost_nothing() {
        assert_eq!(mask_secret("abc"), "…c");
        assert_eq!(mask_secret(""), "…");
    }
}
