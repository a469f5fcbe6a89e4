//! A value that must never reach a log, an error message or a serialized payload by accident.

use std::fmt;

/// Wraps a secret. `Debug` and `Display` print `<redacted>`; the value is only reachable
/// through [`Sensitive::expose`], which makes every use of the raw secret easy to find.
/// It deliberately implements neither `Serialize` nor `Deserialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The raw secret. Call it only where the secret is actually sent or stored.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_print_the_value() {
        let secret = Sensitive::new("bb_test_abcdefghijklmnopqrstuvwxyz012345".to_string());
        let printed = format!("{secret:?} {secret} {:?}", Some(&secret));
        assert!(!printed.contains("abcdef"), "leaked: {printed}");
        assert!(printed.contains("<redacted>"));
        assert_eq!(secret.expose(), "bb_test_abcdefghijklmnopqrstuvwxyz012345");
    }
}
