//! The input rules of the v1 API, each written once.
//!
//! A field's published schema and the check the platform runs both come from the constant
//! here, so the OpenAPI document that Try It and integrators validate against says exactly
//! what the platform accepts: a request the schema allows is never refused for its shape,
//! and one it forbids is never accepted. The rules a schema cannot carry (a template that
//! must be approved, a time that must be in the future) are the sandbox's runtime rules,
//! listed on each operation instead.

use std::fmt;
use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use serde::de::{self, Deserializer, Visitor};
use utoipa::openapi::schema::ArrayItems;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{KnownFormat, Object, RefOr, Schema};

/// Every character Rust's `trim` removes (Unicode `White_Space`), as a regex class that
/// matches any other character. Written out because `\s` means different sets in the ECMA,
/// Python and Rust engines that read the document.
pub const NOT_BLANK: &str =
    r"[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

fn regex(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

static NOT_BLANK_RE: LazyLock<Option<Regex>> = LazyLock::new(|| regex(NOT_BLANK));

/// Whether `text` has a character other than white space (what `trim` keeps).
pub fn has_text(text: &str) -> bool {
    match NOT_BLANK_RE.as_ref() {
        Some(re) => re.is_match(text),
        None => !text.trim().is_empty(),
    }
}

/// A free-text field: a length in characters (Unicode code points, as JSON Schema counts
/// them, before any trimming) and, for names, at least one character that is not white
/// space. The platform stores such text trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub min: usize,
    pub max: usize,
    /// Whether text made only of white space is refused.
    pub not_blank: bool,
}

impl Text {
    pub const fn name(max: usize) -> Self {
        Self {
            min: 1,
            max,
            not_blank: true,
        }
    }

    pub const fn optional(max: usize) -> Self {
        Self {
            min: 0,
            max,
            not_blank: false,
        }
    }

    /// Why `value` breaks the rule, in the words of a 422's `details[].issue`.
    pub fn issue(&self, value: &str) -> Option<String> {
        let length = value.chars().count();
        if length < self.min || length > self.max {
            return Some(if self.min == 0 {
                format!("must be at most {} characters", self.max)
            } else {
                format!("must be {} to {} characters", self.min, self.max)
            });
        }
        if self.not_blank && !has_text(value) {
            return Some("must not be blank (only white space)".into());
        }
        None
    }

    fn builder(&self, nullable: bool, description: &str) -> ObjectBuilder {
        let mut builder = ObjectBuilder::new()
            .schema_type(string_type(nullable))
            .max_length(Some(self.max))
            .description(non_empty(description));
        if self.min > 0 {
            builder = builder.min_length(Some(self.min));
        }
        if self.not_blank {
            builder = builder.pattern(Some(NOT_BLANK));
        }
        builder
    }

    pub fn schema(&self, description: &str) -> Object {
        self.builder(false, description).build()
    }

    pub fn nullable_schema(&self, description: &str) -> Object {
        self.builder(true, description).build()
    }
}

/// A field that must match a regex. The document publishes the pattern; the platform
/// checks the same one with the same (Rust) engine.
#[derive(Debug)]
pub struct Pattern {
    pub pattern: &'static str,
    /// The 422 issue when it does not match.
    pub issue: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    pub const fn new(pattern: &'static str, issue: &'static str) -> Self {
        Self {
            pattern,
            issue,
            compiled: OnceLock::new(),
        }
    }

    pub fn matches(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| regex(self.pattern))
            .as_ref()
            .is_some_and(|re| re.is_match(value))
    }

    /// The issue for `value`, or `None` when it matches.
    pub fn issue(&self, value: &str) -> Option<String> {
        (!self.matches(value)).then(|| self.issue.to_string())
    }

    fn builder(&self, nullable: bool, description: &str) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(string_type(nullable))
            .pattern(Some(self.pattern))
            .description(non_empty(description))
    }

    pub fn schema(&self, description: &str) -> Object {
        self.builder(false, description).build()
    }

    pub fn nullable_schema(&self, description: &str) -> Object {
        self.builder(true, description).build()
    }
}

/// E.164: `+`, a country code that does not start with 0, 7 to 15 digits in all.
pub static PHONE: Pattern = Pattern::new(
    r"^\+[1-9][0-9]{6,14}$",
    "must be E.164: + then the country code and number, digits only, e.g. +14155550123",
);

/// A template name: lower case letters, digits and `_`.
pub static TEMPLATE_NAME: Pattern = Pattern::new(
    r"^[a-z0-9_]{1,100}$",
    "must be 1 to 100 lower case letters, digits or _ (e.g. order_shipped)",
);

/// A language code such as `en` or `en_US`.
pub static LANGUAGE: Pattern = Pattern::new(
    r"^[a-z]{2,3}(_[A-Z]{2})?$",
    "must be a language code such as en or en_US",
);

/// Characters RFC 3986 allows in a path, query or fragment besides `/` and `?`.
macro_rules! pchar {
    () => {
        r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
    };
}

/// A port from 0 to 65535.
macro_rules! port {
    () => {
        r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?"
    };
}

/// A webhook endpoint: https to a host name (its last label starting with a letter, so
/// it is never read as an IPv4 address) or to a literal IP, or plain http to this machine
/// (sandbox only). Every URL it matches is an RFC 3986 URI and parses as a WHATWG URL.
pub static WEBHOOK_URL: Pattern = Pattern::new(
    concat!(
        r"^(?:https://(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?",
        r"|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])",
        r"|\[::1\])|http://(?:localhost|127\.0\.0\.1|\[::1\]))",
        port!(),
        r"(?:/(?:",
        pchar!(),
        r"|/)*)?(?:\?(?:",
        pchar!(),
        r"|[/?])*)?(?:#(?:",
        pchar!(),
        r"|[/?])*)?$"
    ),
    "must be an absolute https URL such as https://example.com/webhooks (plain http only to localhost, 127.0.0.1 or [::1], in the sandbox)",
);

/// The longest webhook URL.
pub const WEBHOOK_URL_MAX: usize = 2048;

/// The longest email address (RFC 5321's path limit less the brackets).
pub const EMAIL_MAX: usize = 254;

/// Why `email` is not an address the platform accepts: RFC 5321/5322 as the maintained
/// `email_address` crate reads them (the same reading as JSON Schema's `format: email` in
/// the validators that use it), without a display name.
pub fn email_issue(email: &str) -> Option<String> {
    let options = email_address::Options::default().without_display_text();
    if email.chars().count() > EMAIL_MAX {
        return Some(format!("must be at most {EMAIL_MAX} characters"));
    }
    match email_address::EmailAddress::parse_with_options(email, options) {
        Ok(_) => None,
        Err(error) => Some(format!(
            "must be an email address like ada@example.com ({error})"
        )),
    }
}

pub fn email_schema(nullable: bool, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(nullable))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(EMAIL_MAX))
        .description(non_empty(description))
        .build()
}

fn string_type(nullable: bool) -> SchemaType {
    if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    }
}

fn non_empty(description: &str) -> Option<String> {
    (!description.is_empty()).then(|| description.to_string())
}

/// An array schema over `items`, optionally nullable, with item-count bounds.
pub fn array_schema(
    items: impl Into<RefOr<Schema>>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    nullable: bool,
    description: &str,
) -> Schema {
    let mut builder = ArrayBuilder::new()
        .items(ArrayItems::RefOrSchema(Box::new(items.into())))
        .min_items(min_items)
        .max_items(max_items)
        .description(non_empty(description));
    if nullable {
        builder = builder.schema_type(SchemaType::from_iter([Type::Array, Type::Null]));
    }
    Schema::Array(builder.build())
}

/// A whole number written as JSON text: `3` or `3.0` (JSON Schema counts both as integers),
/// never `3.5`, `+3`, ` 3` or `3e0`. For query parameters, which arrive as text.
pub fn parse_whole(raw: &str) -> Option<i64> {
    let digits = match raw.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => {
            whole
        }
        Some(_) => return None,
        None => raw,
    };
    let unsigned = digits.strip_prefix('-').unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `#[serde(with = …)]` modules for integer fields: they take any JSON number with no
/// fractional part, as JSON Schema's `integer` does (`3600.0` is 3600), and refuse the rest.
pub mod whole {
    use super::*;

    struct WholeVisitor;

    impl Visitor<'_> for WholeVisitor {
        type Value = i128;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
            Ok(i128::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
            Ok(i128::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
            // Beyond 2^63 a float is out of every field's range anyway.
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.2e18 {
                Ok(v as i128)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
    }

    fn number<'de, D: Deserializer<'de>, T: TryFrom<i128>>(deserializer: D) -> Result<T, D::Error> {
        let value = deserializer.deserialize_any(WholeVisitor)?;
        T::try_from(value).map_err(|_| {
            de::Error::invalid_value(
                de::Unexpected::Other(&value.to_string()),
                &"a whole number in range",
            )
        })
    }

    macro_rules! whole_module {
        ($($t:ident),*) => {$(
            pub mod $t {
                use serde::{Deserializer, Serialize, Serializer};

                pub fn serialize<S: Serializer>(value: &$t, serializer: S) -> Result<S::Ok, S::Error> {
                    value.serialize(serializer)
                }

                pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
                    super::number(deserializer)
                }
            }
        )*};
    }

    whole_module!(u16, u32, u64, i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_blank_is_exactly_what_trim_keeps() {
        let re = Regex::new(NOT_BLANK).expect("NOT_BLANK compiles");
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(
                re.is_match(&text),
                !text.trim().is_empty(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn text_counts_characters_before_trimming() {
        let name = Text::name(5);
        assert_eq!(name.issue("abcde"), None);
        assert_eq!(name.issue(" abcd"), None);
        assert!(
            name.issue(" abcde").is_some(),
            "6 characters with the space"
        );
        assert!(name.issue("").is_some());
        assert!(name.issue(" \u{3000}\u{85}").is_some());
        assert_eq!(name.issue("\u{feff}"), None, "U+FEFF is not white space");
        assert_eq!(Text::optional(3).issue(""), None);
        assert_eq!(Text::optional(3).issue("   "), None);
    }

    #[test]
    fn patterns_match_the_whole_value() {
        assert!(PHONE.matches("+14155550123"));
        for bad in [
            "",
            " +14155550123",
            "+14155550123 ",
            "+14155550123\n",
            "+0415555",
            "+1415",
        ] {
            assert!(!PHONE.matches(bad), "{bad:?}");
        }
        assert!(TEMPLATE_NAME.matches("order_shipped"));
        assert!(!TEMPLATE_NAME.matches("Order"));
        assert!(LANGUAGE.matches("en_US") && LANGUAGE.matches("fil"));
        assert!(!LANGUAGE.matches("en-US"));
    }

    #[test]
    fn webhook_urls_the_pattern_allows_all_parse() {
        for good in [
            "https://example.com/botbat/webhooks",
            "https://a.b-c.example:8443/x?y=1&z=%20#frag",
            "https://x",
            "https://10.0.0.1/hook",
            "https://[::1]:9000/",
            "http://localhost:4000/webhooks",
            "http://127.0.0.1/x",
            "https://example.com:65535",
        ] {
            assert!(WEBHOOK_URL.matches(good), "{good}");
            assert!(url::Url::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "http://example.com/x",
            "ftp://example.com",
            "https://",
            "https://1.2.3.999",
            "https://example.com:65536",
            "https://example.com/a b",
            "https://example.com/%zz",
            "https://user@example.com",
            " https://example.com",
            "https://example.com/\u{e9}",
            "https://-a.com",
            "https://a.123",
        ] {
            assert!(!WEBHOOK_URL.matches(bad), "{bad}");
        }
    }

    #[test]
    fn emails_follow_the_maintained_parser() {
        for good in [
            "ada@example.com",
            "a@b",
            "\"a b\"@example.com",
            "a+tag@x.io",
        ] {
            assert_eq!(email_issue(good), None, "{good}");
        }
        for bad in [
            "a@b@c.com",
            "not-an-email",
            "a@",
            "@b.com",
            "a..b@x.com",
            " ada@example.com",
            "Ada <ada@example.com>",
            "",
        ] {
            assert!(email_issue(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn whole_numbers_as_text() {
        assert_eq!(parse_whole("25"), Some(25));
        assert_eq!(parse_whole("3.0"), Some(3));
        assert_eq!(parse_whole("-2.00"), Some(-2));
        for bad in [
            "3.5", "+3", " 3", "3.", ".0", "", "-", "3e0", "ten", "1_000",
        ] {
            assert_eq!(parse_whole(bad), None, "{bad:?}");
        }
    }

    #[derive(serde::Deserialize, Debug)]
    struct Days {
        #[serde(with = "whole::u32")]
        days: u32,
    }

    #[test]
    fn whole_number_fields_take_integral_floats() {
        let parse = |text: &str| serde_json::from_str::<Days>(text).map(|d| d.days);
        assert_eq!(parse(r#"{"days": 3}"#).ok(), Some(3));
        assert_eq!(parse(r#"{"days": 3.0}"#).ok(), Some(3));
        for bad in [
            r#"{"days": 3.5}"#,
            r#"{"days": -1}"#,
            r#"{"days": 1e20}"#,
            r#"{"days": "3"}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
