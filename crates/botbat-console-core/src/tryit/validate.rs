//! Checks a request against its operation's schemas before it is sent, one issue per field.
//!
//! The validator covers the JSON Schema keywords OpenAPI 3.1 documents use for request
//! shapes (types with `null`, `required`, `properties`, `additionalProperties`, `items`,
//! lengths, bounds, `multipleOf`, `pattern`, `enum`, `const`, `format: date-time` and
//! `email`, `allOf`/`anyOf`/`oneOf`) and names fields the way the platform's 422 `details`
//! do (`name`, `tags[0]`, `data.order_id`), so a console-side issue and the server's own
//! read the same. Integers are JSON Schema's: `3.0` is one, in a body and in a query
//! parameter alike. Email addresses are checked by the parser the platform uses. A test
//! runs it over every example in the sandbox's document, so a keyword the platform starts
//! using and this misreads shows up as a failing example, not as a user's false alarm.

use std::collections::HashMap;
use std::sync::Mutex;

use botbat_api::FieldIssue;
use regex::Regex;
use serde_json::Value;

use super::catalog::types_of;
use super::model::{
    TryConformance, TryOperation, TryParameter, TryRequest, TryResponse, TryResponseDoc,
};

/// Compiled `pattern`s, shared by every check of a catalog. Each is compiled the first time
/// a value is checked against it, not when the catalog is parsed: a catalog carries patterns
/// of every operation, and a check uses those of one.
#[derive(Debug, Default)]
pub struct Patterns(Mutex<HashMap<String, Option<Regex>>>);

impl Patterns {
    /// `None` when the pattern is not valid in this regex dialect: it is then not checked,
    /// and the server has the last word.
    fn matches(&self, pattern: &str, text: &str) -> Option<bool> {
        let regex = {
            let mut compiled = self.0.lock().unwrap_or_else(|p| p.into_inner());
            compiled
                .entry(pattern.to_string())
                .or_insert_with(|| Regex::new(pattern).ok())
                .clone()
        };
        regex.map(|r| r.is_match(text))
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn type_matches(t: &str, value: &Value) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => match value {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => true,
    }
}

fn type_name(t: &str) -> String {
    match t {
        "integer" => "a whole number".into(),
        "number" => "a number".into(),
        "boolean" => "true or false".into(),
        "null" => "null".into(),
        "array" => "an array".into(),
        "object" => "an object".into(),
        other => format!("a {other}"),
    }
}

fn join_field(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn with_hint(issue: String, schema: &Value) -> String {
    match schema.get("description").and_then(Value::as_str) {
        Some(hint) if !hint.trim().is_empty() => {
            format!("{issue} ({})", hint.trim().trim_end_matches('.'))
        }
        _ => issue,
    }
}

/// Validates `value` against `schema`, adding one issue per failing field under `field`
/// (`""` for the body itself, reported as `body`).
pub fn validate_value(
    schema: &Value,
    value: &Value,
    field: &str,
    patterns: &Patterns,
    issues: &mut Vec<FieldIssue>,
) {
    let name = if field.is_empty() { "body" } else { field };
    let push = |issues: &mut Vec<FieldIssue>, issue: String| {
        issues.push(FieldIssue::new(name, issue));
    };
    if !schema.is_object() {
        return;
    }
    let types = types_of(schema);
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
        let wanted: Vec<String> = types.iter().map(|t| type_name(t)).collect();
        push(
            issues,
            format!("must be {} (got {})", wanted.join(" or "), describe(value)),
        );
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().filter(|v| !v.is_null()).map(show).collect();
            push(issues, format!("must be one of: {}", list.join(", ")));
            return;
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            push(issues, format!("must be {}", show(constant)));
            return;
        }
    }
    for sub in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        validate_value(sub, value, field, patterns, issues);
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(variants) = schema.get(keyword).and_then(Value::as_array) {
            let fitting = variants
                .iter()
                .filter(|variant| {
                    let mut scratch = Vec::new();
                    validate_value(variant, value, field, patterns, &mut scratch);
                    scratch.is_empty()
                })
                .count();
            if fitting == 0 {
                // The closest variant's issues say most about what to fix.
                let best = variants
                    .iter()
                    .map(|variant| {
                        let mut scratch = Vec::new();
                        validate_value(variant, value, field, patterns, &mut scratch);
                        scratch
                    })
                    .min_by_key(Vec::len)
                    .unwrap_or_default();
                if best.is_empty() {
                    push(issues, "does not match any of the allowed forms".into());
                } else {
                    issues.extend(best);
                }
                return;
            }
            if keyword == "oneOf" && fitting > 1 && !value.is_null() {
                push(
                    issues,
                    "matches more than one of the allowed forms; make it more specific".into(),
                );
                return;
            }
        }
    }
    match value {
        Value::String(text) => {
            let length = text.chars().count() as u64;
            let min = schema.get("minLength").and_then(Value::as_u64);
            let max = schema.get("maxLength").and_then(Value::as_u64);
            match (min, max) {
                (Some(min), Some(max)) if length < min || length > max => {
                    push(issues, format!("must be {min} to {max} characters"));
                    return;
                }
                (Some(min), _) if length < min => {
                    push(
                        issues,
                        if min == 1 {
                            "must not be empty".to_string()
                        } else {
                            format!("must be at least {min} characters")
                        },
                    );
                    return;
                }
                (_, Some(max)) if length > max => {
                    push(issues, format!("must be at most {max} characters"));
                    return;
                }
                _ => {}
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                if patterns.matches(pattern, text) == Some(false) {
                    push(
                        issues,
                        with_hint(format!("must match the pattern {pattern}"), schema),
                    );
                    return;
                }
            }
            match schema.get("format").and_then(Value::as_str) {
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    push(
                        issues,
                        format!("must be an RFC 3339 date and time like 2026-01-31T09:30:00Z (got {text:?})"),
                    );
                }
                Some("email") => {
                    if let Some(issue) = botbat_api::contract::email_issue(text) {
                        push(issues, issue);
                    }
                }
                _ => {}
            }
        }
        Value::Number(number) => {
            let Some(x) = number.as_f64() else { return };
            // The bound as the document wrote it (`100`, not `100.0`).
            let bound = |key: &str| {
                schema
                    .get(key)
                    .and_then(|v| v.as_f64().map(|f| (f, show(v))))
            };
            if let Some((_, min)) = bound("minimum").filter(|(min, _)| x < *min) {
                push(issues, format!("must be at least {min}"));
            } else if let Some((_, max)) = bound("maximum").filter(|(max, _)| x > *max) {
                push(issues, format!("must be at most {max}"));
            } else if let Some((_, min)) = bound("exclusiveMinimum").filter(|(min, _)| x <= *min) {
                push(issues, format!("must be more than {min}"));
            } else if let Some((_, max)) = bound("exclusiveMaximum").filter(|(max, _)| x >= *max) {
                push(issues, format!("must be less than {max}"));
            } else if let Some((_, step)) = bound("multipleOf")
                .filter(|(step, _)| *step > 0.0 && ((x / step) - (x / step).round()).abs() > 1e-9)
            {
                push(issues, format!("must be a multiple of {step}"));
            }
        }
        Value::Array(items) => {
            let count = items.len() as u64;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                if count < min {
                    push(issues, format!("must have at least {min} items"));
                    return;
                }
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                if count > max {
                    push(issues, format!("must have at most {max} items"));
                    return;
                }
            }
            if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
                for (i, item) in items.iter().enumerate() {
                    if items[..i].contains(item) {
                        issues.push(FieldIssue::new(
                            format!("{name}[{i}]"),
                            "repeats an earlier item",
                        ));
                    }
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let item_field = format!("{name}[{i}]");
                    validate_value(item_schema, item, &item_field, patterns, issues);
                }
            }
        }
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for key in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(key) {
                        let property = properties.and_then(|p| p.get(key));
                        let issue = match property
                            .and_then(|p| p.get("description"))
                            .and_then(Value::as_str)
                        {
                            Some(hint) => {
                                format!("is required ({})", hint.trim().trim_end_matches('.'))
                            }
                            None => "is required".to_string(),
                        };
                        issues.push(FieldIssue::new(join_field(field, key), issue));
                    }
                }
            }
            for (key, item) in map {
                let child = join_field(field, key);
                if let Some(names) = schema.get("propertyNames") {
                    validate_value(names, &Value::String(key.clone()), &child, patterns, issues);
                }
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => validate_value(property, item, &child, patterns, issues),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            issues.push(FieldIssue::new(child, "is not a documented field"))
                        }
                        Some(extra @ Value::Object(_)) => {
                            validate_value(extra, item, &child, patterns, issues)
                        }
                        _ => {}
                    },
                }
            }
        }
        _ => {}
    }
}

/// A query or path value as typed, checked against its parameter's schema.
fn check_parameter(
    parameter: &TryParameter,
    raw: &str,
    field: &str,
    patterns: &Patterns,
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let value = match parameter.kind.as_str() {
        "integer" => match botbat_api::contract::parse_whole(raw) {
            Some(n) => Value::from(n),
            None => {
                issues.push(FieldIssue::new(
                    field,
                    format!("must be a whole number (got {raw:?})"),
                ));
                return issues;
            }
        },
        "number" => match raw.parse::<f64>().ok().filter(|n| n.is_finite()) {
            Some(n) => Value::from(n),
            None => {
                issues.push(FieldIssue::new(
                    field,
                    format!("must be a number (got {raw:?})"),
                ));
                return issues;
            }
        },
        "boolean" => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => {
                issues.push(FieldIssue::new(
                    field,
                    format!("must be true or false (got {raw:?})"),
                ));
                return issues;
            }
        },
        // Arrays travel as comma-separated text, exactly as typed (the platform does not
        // trim them); their items are checked one by one.
        "array" => Value::Array(
            raw.split(',')
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        _ => Value::String(raw.to_string()),
    };
    validate_value(&parameter.schema, &value, field, patterns, &mut issues);
    issues
}

/// The documented response a status answers to: its own, else its class (`4XX`), else
/// `default`.
fn documented_for(operation: &TryOperation, status: u16) -> Option<&TryResponseDoc> {
    let exact = status.to_string();
    let class = format!("{}XX", status / 100);
    let find = |key: &str| {
        operation
            .responses
            .iter()
            .find(|r| r.status.eq_ignore_ascii_case(key))
    };
    find(&exact)
        .or_else(|| find(&class))
        .or_else(|| find("default"))
}

/// The value a field name of [`validate_value`] (`data[0].id`) points at.
fn value_at<'a>(root: &'a Value, field: &str) -> Option<&'a Value> {
    if field == "body" {
        return Some(root);
    }
    let mut at = root;
    for part in field.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            at = at.get(key)?;
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            at = at.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(at)
}

/// Checks a received response against what `operation` documents for its status: a status
/// it does not document, a body that is not the documented JSON, and every place the body
/// differs from the schema, each saying what came.
pub fn conformance(
    operation: &TryOperation,
    response: &TryResponse,
    patterns: &Patterns,
) -> TryConformance {
    let Some(doc) = documented_for(operation, response.status) else {
        return TryConformance {
            documented: None,
            checked: false,
            issues: Vec::new(),
        };
    };
    let mut issues = Vec::new();
    let json_documented = doc
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.starts_with("application/json"));
    let body = response.body.trim();
    match (&doc.schema, &response.json) {
        (Some(schema), Some(value)) if json_documented => {
            let mut found = Vec::new();
            validate_value(schema, value, "", patterns, &mut found);
            issues.extend(found.into_iter().map(|issue| {
                if issue.issue.contains("(got") {
                    return issue;
                }
                match value_at(value, &issue.field) {
                    Some(got) if !matches!(got, Value::Object(_) | Value::Array(_)) => {
                        let text = format!("{} (got {got})", issue.issue);
                        FieldIssue::new(issue.field, text)
                    }
                    _ => issue,
                }
            }));
        }
        (Some(_), None) if json_documented => issues.push(FieldIssue::new(
            "body",
            if body.is_empty() {
                "must be JSON (got an empty body)".to_string()
            } else {
                format!(
                    "must be JSON (got {} that does not parse)",
                    response.content_type.as_deref().unwrap_or("a body")
                )
            },
        )),
        _ => {}
    }
    if doc.content_type.is_none() && !body.is_empty() {
        issues.push(FieldIssue::new(
            "body",
            format!("must be empty (got {} bytes)", response.size_bytes),
        ));
    }
    TryConformance {
        documented: Some(doc.status.clone()),
        checked: doc.schema.is_some(),
        issues,
    }
}

/// Every problem with `request` for `operation`, before anything is sent.
pub fn check_request(
    operation: &TryOperation,
    request: &TryRequest,
    patterns: &Patterns,
) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let value_of = |pairs: &[super::model::TryPair], name: &str| -> Option<String> {
        pairs
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.clone())
            .filter(|v| !v.is_empty())
    };
    for parameter in &operation.parameters {
        let (pairs, prefix) = match parameter.location.as_str() {
            "path" => (&request.path_params, "path"),
            "query" => (&request.query, "query"),
            "header" => (&request.headers, "header"),
            _ => continue,
        };
        let field = format!("{prefix}.{}", parameter.name);
        match value_of(pairs, &parameter.name) {
            None if parameter.required => issues.push(FieldIssue::new(&field, "is required")),
            None => {}
            Some(raw) => issues.extend(check_parameter(parameter, &raw, &field, patterns)),
        }
    }
    let Some(body) = &operation.body else {
        return issues;
    };
    if body.content_type.starts_with("multipart/") {
        for part in &body.fields {
            let given = request.form.iter().find(|p| p.name == part.name);
            match given {
                None if part.required => issues.push(FieldIssue::new(
                    &part.name,
                    if part.kind == "file" {
                        "choose a file".to_string()
                    } else {
                        "is required".to_string()
                    },
                )),
                Some(p) if part.kind == "file" && p.filename.is_none() => {
                    issues.push(FieldIssue::new(&part.name, "must be a file"))
                }
                _ => {}
            }
        }
        return issues;
    }
    let text = request.body.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        if body.required {
            issues.push(FieldIssue::new(
                "body",
                "is required: this endpoint takes a JSON body",
            ));
        }
        return issues;
    }
    match serde_json::from_str::<Value>(text) {
        Err(error) => issues.push(FieldIssue::new(
            "body",
            format!(
                "is not valid JSON: {} at line {}, column {}",
                json_error_text(&error),
                error.line(),
                error.column()
            ),
        )),
        Ok(value) => validate_value(&body.schema, &value, "", patterns, &mut issues),
    }
    issues
}

/// serde_json's message without its trailing position (given separately).
fn json_error_text(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn issues(schema: Value, value: Value) -> Vec<(String, String)> {
        let patterns = Patterns::default();
        let mut out = Vec::new();
        validate_value(&schema, &value, "", &patterns, &mut out);
        out.into_iter().map(|i| (i.field, i.issue)).collect()
    }

    fn contact() -> Value {
        json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "phone": {"type": ["string", "null"], "pattern": "^\\+[1-9][0-9]{6,14}$", "description": "E.164."},
            "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "minLength": 1}},
            "channel": {"type": "string", "enum": ["whatsapp", "sms"]},
            "limit": {"type": "integer", "minimum": 1, "maximum": 100},
            "data": {"type": ["object", "null"], "properties": {"at": {"type": "string", "format": "date-time"}}}
        }})
    }

    #[test]
    fn one_issue_per_field_named_like_the_platform() {
        let found = issues(
            contact(),
            json!({"phone": "0044", "tags": ["a", ""], "channel": "fax", "limit": 101, "data": {"at": "yesterday"}}),
        );
        let mut found = found;
        found.sort();
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            vec!["channel", "data.at", "limit", "name", "phone", "tags[1]"],
            "{found:?}"
        );
        assert!(found[3].1.starts_with("is required"));
        assert!(found[0].1.contains("whatsapp, sms"));
        assert!(found[4].1.contains("E.164"), "{found:?}");
        assert_eq!(found[2].1, "must be at most 100");
    }

    #[test]
    fn types_nulls_and_integers() {
        assert!(issues(
            contact(),
            json!({"name": "Ada", "phone": null, "limit": 5.0})
        )
        .is_empty());
        let mut found = issues(contact(), json!({"name": 5, "limit": 2.5}));
        found.sort();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[1],
            (
                "name".to_string(),
                "must be a string (got an integer)".to_string()
            )
        );
        assert_eq!(issues(contact(), json!([1]))[0].0, "body");
    }

    fn parameter(kind: &str, schema: Value) -> TryParameter {
        TryParameter {
            name: "p".into(),
            location: "query".into(),
            required: false,
            description: String::new(),
            kind: kind.into(),
            format: None,
            enum_values: Vec::new(),
            default: None,
            minimum: None,
            maximum: None,
            schema,
        }
    }

    #[test]
    fn query_values_are_read_as_the_platform_reads_them() {
        let patterns = Patterns::default();
        let limit = parameter(
            "integer",
            json!({"type": "integer", "minimum": 1, "maximum": 100}),
        );
        for ok in ["25", "3.0"] {
            assert!(
                check_parameter(&limit, ok, "query.limit", &patterns).is_empty(),
                "{ok}"
            );
        }
        for bad in [" 25", "2.5", "+3", "0", "101"] {
            assert_eq!(
                check_parameter(&limit, bad, "query.limit", &patterns).len(),
                1,
                "{bad}"
            );
        }
        let flag = parameter("boolean", json!({"type": "boolean"}));
        assert!(check_parameter(&flag, "true", "query.f", &patterns).is_empty());
        assert_eq!(
            check_parameter(&flag, " true", "query.f", &patterns).len(),
            1
        );
        let types = parameter(
            "array",
            json!({"type": "array", "items": {"type": "string", "enum": ["a.b", "c.d"]}}),
        );
        assert!(check_parameter(&types, "a.b,c.d", "query.types", &patterns).is_empty());
        let spaced = check_parameter(&types, "a.b, c.d", "query.types", &patterns);
        assert_eq!(spaced.len(), 1, "{spaced:?}");
        assert_eq!(spaced[0].field, "query.types[1]");
    }

    #[test]
    fn item_lengths_emails_multiples_and_not_blank() {
        let schema = json!({"type": "object", "properties": {
            "tags": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 3,
                "pattern": botbat_api::contract::NOT_BLANK}},
            "email": {"type": ["string", "null"], "format": "email"},
            "step": {"type": "integer", "multipleOf": 5}
        }});
        assert!(issues(
            schema.clone(),
            json!({"tags": ["a", " b "], "email": "a@b.co", "step": 10.0})
        )
        .is_empty());
        let mut found = issues(
            schema,
            json!({"tags": ["", "  ", "abcd"], "email": "a@b@c.com", "step": 7}),
        );
        found.sort();
        let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["email", "step", "tags[0]", "tags[1]", "tags[2]"],
            "{found:?}"
        );
    }

    #[test]
    fn any_of_reports_the_closest_variant() {
        let schema = json!({"oneOf": [
            {"type": "object", "required": ["body"], "properties": {"body": {"type": "string"}}},
            {"type": "object", "required": ["template_id"], "properties": {"template_id": {"type": "string"}}}
        ]});
        assert!(issues(schema.clone(), json!({"body": "hi"})).is_empty());
        let found = issues(schema, json!({"body": 1}));
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
