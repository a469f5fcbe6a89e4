//! Other byte forms of a received JSON body, to explain the most common signature mismatch
//! there is: a sender (or a framework, proxy or test harness in between) signs one
//! serialization of the payload and transmits another, or a receiver parses the body and
//! verifies a re-encoding of it. A changed body is undetectable in general; these forms
//! are the changes that happen by accident.
//!
//! Objects are kept in document order with their own tree type rather than
//! `serde_json::Value`, whose key order depends on whether some crate in the build enables
//! serde_json's `preserve_order` feature.

use std::fmt;
use std::io;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// A re-serialization of the received body that a signature was found to match.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum BodyForm {
    /// No whitespace, keys in received order: `JSON.stringify`, `serde_json::to_vec`.
    Compact,
    /// Two-space indentation, keys in received order: `JSON.stringify(v, null, 2)`.
    Pretty,
    /// No whitespace, keys sorted.
    CompactSortedKeys,
    /// Two-space indentation, keys sorted.
    PrettySortedKeys,
    /// `", "` and `": "` separators and `\u` escapes for non-ASCII: Python's `json.dumps`.
    PythonDumps,
    /// Python's `json.dumps(…, sort_keys=True)`.
    PythonDumpsSortedKeys,
    /// The body without leading or trailing whitespace (a newline dropped on the way).
    Trimmed,
    /// The body with a trailing newline (one added on the way, by a file or a shell).
    TrailingNewline,
}

impl BodyForm {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            BodyForm::Compact => "the same JSON written compactly (no whitespace, same key order)",
            BodyForm::Pretty => "the same JSON pretty-printed (two-space indent, same key order)",
            BodyForm::CompactSortedKeys => "the same JSON written compactly with its keys sorted",
            BodyForm::PrettySortedKeys => "the same JSON pretty-printed with its keys sorted",
            BodyForm::PythonDumps => "the same JSON as Python's json.dumps writes it",
            BodyForm::PythonDumpsSortedKeys => {
                "the same JSON as Python's json.dumps(sort_keys=True) writes it"
            }
            BodyForm::Trimmed => "the body without its leading and trailing whitespace",
            BodyForm::TrailingNewline => "the body with a trailing newline added",
        }
    }
}

/// The other forms of `body` worth trying, each differing from `body` and from the forms
/// before it. Bodies that are not JSON only get the whitespace forms.
pub(crate) fn alternatives(body: &[u8]) -> Vec<(BodyForm, Vec<u8>)> {
    let mut forms: Vec<(BodyForm, Vec<u8>)> = Vec::new();
    let mut add = |form: BodyForm, bytes: Option<Vec<u8>>| {
        if let Some(bytes) = bytes {
            if bytes != body && forms.iter().all(|(_, seen)| *seen != bytes) {
                forms.push((form, bytes));
            }
        }
    };

    // The smallest change first: it is the most specific explanation when several match.
    add(BodyForm::Trimmed, Some(body.trim_ascii().to_vec()));
    add(BodyForm::TrailingNewline, Some([body, b"\n"].concat()));
    if let Ok(tree) = serde_json::from_slice::<Json>(body) {
        let sorted = tree.sorted();
        add(BodyForm::Compact, write(&tree, CompactFormatter));
        add(BodyForm::Pretty, write(&tree, PrettyFormatter::new()));
        add(
            BodyForm::CompactSortedKeys,
            write(&sorted, CompactFormatter),
        );
        add(
            BodyForm::PrettySortedKeys,
            write(&sorted, PrettyFormatter::new()),
        );
        add(BodyForm::PythonDumps, write(&tree, PythonFormatter));
        add(
            BodyForm::PythonDumpsSortedKeys,
            write(&sorted, PythonFormatter),
        );
    }
    forms
}

fn write<F: Formatter>(tree: &Json, formatter: F) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    tree.serialize(&mut serializer).ok()?;
    Some(out)
}

/// A JSON document with objects in document order and duplicate keys kept.
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn sorted(&self) -> Json {
        match self {
            Json::Array(items) => Json::Array(items.iter().map(Json::sorted).collect()),
            Json::Object(entries) => {
                let mut entries: Vec<(String, Json)> = entries
                    .iter()
                    .map(|(key, value)| (key.clone(), value.sorted()))
                    .collect();
                entries.sort_by(|(a, _), (b, _)| a.cmp(b));
                Json::Object(entries)
            }
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(*b),
            Json::Number(n) => Json::Number(n.clone()),
            Json::String(s) => Json::String(s.clone()),
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Number(n) => n.serialize(serializer),
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

/// Python's `json.dumps` defaults: `", "` between items, `": "` after keys, and
/// `ensure_ascii`, which writes every character outside printable ASCII as `\uXXXX`.
struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if c == '\u{7f}' || !c.is_ascii() {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            } else {
                let mut buf = [0u8; 4];
                writer.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str, wanted: BodyForm) -> Option<String> {
        alternatives(body.as_bytes())
            .into_iter()
            .find(|(form, _)| *form == wanted)
            .map(|(_, bytes)| String::from_utf8(bytes).expect("JSON is UTF-8"))
    }

    #[test]
    fn keeps_document_order_and_sorts_only_when_asked() {
        let body = r#"{ "b": 1, "a": [true, null, 2.5] }"#;
        assert_eq!(
            form(body, BodyForm::Compact).as_deref(),
            Some(r#"{"b":1,"a":[true,null,2.5]}"#)
        );
        assert_eq!(
            form(body, BodyForm::CompactSortedKeys).as_deref(),
            Some(r#"{"a":[true,null,2.5],"b":1}"#)
        );
        assert_eq!(
            form(body, BodyForm::PythonDumps).as_deref(),
            Some(r#"{"b": 1, "a": [true, null, 2.5]}"#)
        );
    }

    #[test]
    fn python_form_escapes_non_ascii_like_ensure_ascii() {
        assert_eq!(
            form(r#"{"name":"Zoë 🤖","x":"\u007f"}"#, BodyForm::PythonDumps).as_deref(),
            Some(r#"{"name": "Zo\u00eb \ud83e\udd16", "x": "\u007f"}"#)
        );
    }

    #[test]
    fn leaves_out_forms_identical_to_the_body() {
        let body = r#"{"a":1}"#;
        let forms: Vec<BodyForm> = alternatives(body.as_bytes())
            .into_iter()
            .map(|(form, _)| form)
            .collect();
        assert!(!forms.contains(&BodyForm::Compact));
        assert!(!forms.contains(&BodyForm::CompactSortedKeys));
        assert!(!forms.contains(&BodyForm::Trimmed));
        assert!(forms.contains(&BodyForm::Pretty));
        assert!(forms.contains(&BodyForm::TrailingNewline));
    }

    #[test]
    fn non_json_bodies_only_get_whitespace_forms() {
        let forms: Vec<BodyForm> = alternatives(b" name=zoe&x=1\n")
            .into_iter()
            .map(|(form, _)| form)
            .collect();
        assert_eq!(forms, vec![BodyForm::Trimmed, BodyForm::TrailingNewline]);
    }
}
