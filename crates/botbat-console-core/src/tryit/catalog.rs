//! The catalog: the environment's own OpenAPI document turned into what the builder needs.
//!
//! Try It reads the document the environment publishes rather than a copy compiled into
//! the console, so a sandbox or production that gains an endpoint, a parameter or a scope
//! shows it without a console release. `$ref`s are resolved here once, so the validator and
//! the UI see self-contained schemas.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::marker::PhantomData;

use percent_encoding::percent_decode_str;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use super::model::{
    TryBodyDoc, TryBodyField, TryCatalog, TryModule, TryOperation, TryParameter, TryResponseDoc,
};
use super::validate::Patterns;
use crate::{CommandError, ConsoleCode, Environment};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const MAX_DEPTH: usize = 24;

/// Path parameters by name, as a concrete path filled them.
pub type PathParams = Vec<(String, String)>;

/// A parsed document: the view the UI gets and an index by operation id.
#[derive(Debug)]
pub struct Catalog {
    pub view: TryCatalog,
    /// Where each operation sits in `view.modules`, by id.
    index: HashMap<String, (usize, usize)>,
    /// The `pattern`s of the schemas, each compiled once.
    pub patterns: Patterns,
}

impl Catalog {
    pub fn operation(&self, id: &str) -> Option<&TryOperation> {
        let (module, operation) = *self.index.get(id)?;
        self.view.modules.get(module)?.operations.get(operation)
    }

    pub fn operations(&self) -> impl Iterator<Item = &TryOperation> {
        self.view.modules.iter().flat_map(|m| m.operations.iter())
    }

    /// The operation whose method and path template match a concrete path
    /// (`/v1/contacts/ct_1` matches `/v1/contacts/{id}`), with the path parameters. A
    /// literal segment beats a parameter, so `/v1/contacts/search` is not `{id}`.
    pub fn match_path(&self, method: &str, path: &str) -> Option<(&TryOperation, PathParams)> {
        let segments = segments_of(path);
        // The match so far, its parameters, and how many literal segments it matched.
        let mut best: Option<(&TryOperation, PathParams, usize)> = None;
        for operation in self.operations() {
            if !operation.method.eq_ignore_ascii_case(method) {
                continue;
            }
            if let Some((params, literal)) = match_template(&operation.path, &segments) {
                if best.as_ref().is_none_or(|(_, _, l)| literal > *l) {
                    best = Some((operation, params, literal));
                }
            }
        }
        best.map(|(operation, params, _)| (operation, params))
    }
}

/// A concrete path's segments, as [`match_template`] takes them.
fn segments_of(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').collect()
}

/// Whether a path template matches a concrete path's segments: its path parameters and how
/// many literal segments matched.
fn match_template(template: &str, segments: &[&str]) -> Option<(PathParams, usize)> {
    let template: Vec<&str> = template.split('/').collect();
    if template.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    let mut literal = 0;
    for (t, s) in template.iter().zip(segments) {
        if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            if s.is_empty() {
                return None;
            }
            params.push((
                name.to_string(),
                percent_decode_str(s).decode_utf8_lossy().into_owned(),
            ));
        } else if t == s {
            literal += 1;
        } else {
            return None;
        }
    }
    Some((params, literal))
}

fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Replaces every local `$ref` with the schema it names, recursively.
pub fn resolve(document: &Value, value: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return value.clone();
    }
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|pointer| document.pointer(pointer));
                if let Some(target) = target {
                    let mut resolved = resolve(document, target, depth + 1);
                    // Siblings of `$ref` (a description) refine the target.
                    if let Value::Object(resolved_map) = &mut resolved {
                        for (k, v) in map {
                            if k != "$ref" {
                                resolved_map.insert(k.clone(), resolve(document, v, depth + 1));
                            }
                        }
                    }
                    return resolved;
                }
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(document, v, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve(document, v, depth + 1))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The schema's types, `null` last: `["string", "null"]` for an optional string.
pub fn types_of(schema: &Value) -> Vec<String> {
    let mut types: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    if types.is_empty() {
        if schema.get("properties").is_some() {
            types.push("object".into());
        } else if schema.get("items").is_some() {
            types.push("array".into());
        } else if let Some(Value::Array(values)) = schema.get("enum") {
            if values.iter().all(Value::is_string) {
                types.push("string".into());
            }
        } else if let Some(Value::Array(variants)) =
            schema.get("oneOf").or_else(|| schema.get("anyOf"))
        {
            for variant in variants {
                for t in types_of(variant) {
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
            }
        }
    }
    types.sort_by_key(|t| t == "null");
    types
}

fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `string`, `string | null`, `array of string`, `object`.
fn kind_label(schema: &Value) -> String {
    let types = types_of(schema);
    if types.is_empty() {
        return "any".into();
    }
    types
        .iter()
        .map(|t| {
            if t == "array" {
                let inner = schema
                    .get("items")
                    .map(|items| {
                        types_of(items)
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "any".into())
                    })
                    .unwrap_or_else(|| "any".into());
                format!("array of {inner}")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn parameter(document: &Value, raw: &Value) -> Option<TryParameter> {
    let raw = resolve(document, raw, 0);
    let name = raw.get("name")?.as_str()?.to_string();
    let location = raw.get("in")?.as_str()?.to_string();
    let schema = raw.get("schema").cloned().unwrap_or_else(|| json!({}));
    let types = types_of(&schema);
    Some(TryParameter {
        required: raw
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(location == "path"),
        description: text(raw.get("description")),
        kind: types.first().cloned().unwrap_or_else(|| "string".into()),
        format: schema
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_string),
        enum_values: enum_values(&schema),
        default: schema.get("default").and_then(scalar_text),
        minimum: schema.get("minimum").and_then(Value::as_f64),
        maximum: schema.get("maximum").and_then(Value::as_f64),
        schema,
        name,
        location,
    })
}

/// Which properties of an object an example built from its schema holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fields {
    /// The required ones (all when none is): a request body to start from.
    Required,
    /// Every documented one: a response, to show what can come.
    Every,
}

/// A plausible value for a schema, for bodies the document gives no example of.
fn example_for(schema: &Value, name: &str, depth: usize, fields: Fields) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(example) = schema.get("example").or_else(|| schema.get("default")) {
        return example.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        return first.clone();
    }
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    // One form of several: the first that is not `null`.
    if let Some(form) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
        .and_then(|forms| forms.iter().find(|f| types_of(f) != ["null"]))
    {
        return example_for(form, name, depth + 1, fields);
    }
    // Every part at once: their fields together.
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match example_for(part, name, depth + 1, fields) {
                Value::Object(map) => merged.extend(map),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    let types = types_of(schema);
    match types.first().map(String::as_str) {
        Some("object") => {
            let mut out = Map::new();
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = schema.get("properties") {
                for (key, property) in properties {
                    if fields == Fields::Every
                        || required.is_empty()
                        || required.contains(&key.as_str())
                    {
                        out.insert(key.clone(), example_for(property, key, depth + 1, fields));
                    }
                }
            }
            Value::Object(out)
        }
        Some("array") => {
            let item = schema
                .get("items")
                .map(|items| example_for(items, name, depth + 1, fields))
                .unwrap_or(Value::Null);
            if item.is_null() {
                json!([])
            } else {
                json!([item])
            }
        }
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        Some("boolean") => json!(false),
        Some("string") => {
            let lower = name.to_ascii_lowercase();
            let text = match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => chrono::Utc::now().to_rfc3339(),
                Some("uri") => "https://example.com/webhooks/botbat".into(),
                _ if lower.contains("email") => "ada@example.com".into(),
                _ if lower.contains("phone") => "+14155550123".into(),
                _ if lower.contains("url") => "https://example.com/webhooks/botbat".into(),
                _ => format!("example {name}").trim().to_string(),
            };
            json!(text)
        }
        _ => Value::Null,
    }
}

/// A request or response's media type and its entry: JSON when offered, else the first.
fn media_of(raw: &Value) -> Option<(&String, &Value)> {
    let content = raw.get("content")?.as_object()?;
    content
        .iter()
        .find(|(ct, _)| ct.starts_with("application/json"))
        .or_else(|| content.iter().next())
}

fn body(document: &Value, raw: &Value) -> Option<TryBodyDoc> {
    let raw = resolve(document, raw, 0);
    let (content_type, media) = media_of(&raw)?;
    let schema = media.get("schema").cloned().unwrap_or_else(|| json!({}));
    let required_fields: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let multipart = content_type.starts_with("multipart/");
    let fields = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .map(|(name, property)| TryBodyField {
                    name: name.clone(),
                    kind: if multipart
                        && property.get("format").and_then(Value::as_str) == Some("binary")
                    {
                        "file".into()
                    } else {
                        kind_label(property)
                    },
                    required: required_fields.contains(&name.as_str()),
                    description: text(property.get("description")),
                    enum_values: enum_values(property),
                })
                .collect()
        })
        .unwrap_or_default();
    let example = if multipart {
        String::new()
    } else {
        let value = media
            .get("example")
            .cloned()
            .unwrap_or_else(|| example_for(&schema, "", 0, Fields::Required));
        serde_json::to_string_pretty(&value).unwrap_or_default()
    };
    Some(TryBodyDoc {
        content_type: content_type.clone(),
        required: raw
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        schema,
        example,
        fields,
    })
}

/// One documented response: its meaning, and its body's schema (resolved) with an example,
/// the document's own or one built from the schema.
fn response_doc(document: &Value, status: &str, raw: &Value) -> TryResponseDoc {
    let description = response_description(document, raw, 0);
    let resolved = resolve(document, raw, 0);
    let Some((content_type, media)) = media_of(&resolved) else {
        return TryResponseDoc {
            status: status.to_string(),
            description,
            content_type: None,
            schema: None,
            example: None,
        };
    };
    let schema = media.get("schema").cloned();
    let example = media
        .get("example")
        .or_else(|| {
            media
                .get("examples")
                .and_then(Value::as_object)
                .and_then(|examples| examples.values().find_map(|e| e.get("value")))
        })
        .cloned()
        .or_else(|| {
            schema
                .as_ref()
                .map(|schema| example_for(schema, "", 0, Fields::Every))
        });
    TryResponseDoc {
        status: status.to_string(),
        description,
        content_type: Some(content_type.clone()),
        schema,
        example,
    }
}

/// A response's description, following `$ref`s as [`resolve`] does (a sibling
/// `description` refines the target's) without copying the response's schemas.
fn response_description(document: &Value, response: &Value, depth: usize) -> String {
    if let Some(description) = response.get("description") {
        return text(Some(description));
    }
    let target = response
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| document.pointer(pointer));
    match target {
        Some(target) if depth < MAX_DEPTH => response_description(document, target, depth + 1),
        _ => String::new(),
    }
}

fn scope_of(operation: &Value) -> (bool, Option<String>) {
    if let Some(scope) = operation.get("x-required-scope").and_then(Value::as_str) {
        return (true, Some(scope.to_string()));
    }
    match operation.get("security").and_then(Value::as_array) {
        None => (false, None),
        Some(requirements) if requirements.is_empty() => (false, None),
        Some(requirements) => {
            let scope = requirements
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|r| r.values())
                .filter_map(Value::as_array)
                .flatten()
                .filter_map(Value::as_str)
                .next()
                .map(str::to_string);
            (true, scope)
        }
    }
}

fn method_rank(method: &str) -> usize {
    METHODS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or(METHODS.len())
}

fn not_a_document(source_url: &str, error: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ConsoleCode::UnexpectedResponse,
        format!("{source_url} is not an OpenAPI document: {error}."),
    )
}

/// Parses a document into the catalog.
pub fn parse(
    environment: Environment,
    document: &Value,
    source_url: &str,
    fetched_at: &str,
) -> Result<Catalog, CommandError> {
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| not_a_document(source_url, "it has no `paths`"))?;
    let mut modules: Vec<TryModule> = document
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some(TryModule {
                        name: t.get("name")?.as_str()?.to_string(),
                        description: text(t.get("description")),
                        operations: Vec::new(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    for (path, item) in paths {
        let shared: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(raw) = item.get(method) else {
                continue;
            };
            let mut parameters: Vec<TryParameter> = shared
                .iter()
                .chain(
                    raw.get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten(),
                )
                .filter_map(|p| parameter(document, p))
                .collect();
            // Path parameters first, in the order they appear in the path.
            parameters.sort_by_key(|p| match p.location.as_str() {
                "path" => (0, path.find(&format!("{{{}}}", p.name)).unwrap_or(0)),
                "query" => (1, 0),
                _ => (2, 0),
            });
            let body = raw.get("requestBody").and_then(|b| body(document, b));
            let (requires_key, scope) = scope_of(raw);
            let module = raw
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|t| t.first())
                .and_then(Value::as_str)
                .unwrap_or("Other")
                .to_string();
            let mut responses: Vec<TryResponseDoc> = raw
                .get("responses")
                .and_then(Value::as_object)
                .map(|r| {
                    r.iter()
                        .map(|(status, response)| response_doc(document, status, response))
                        .collect()
                })
                .unwrap_or_default();
            responses.sort_by(|a, b| a.status.cmp(&b.status));
            let id = raw
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} {path}", method.to_ascii_uppercase()));
            let operation = TryOperation {
                paginated: method == "get"
                    && parameters
                        .iter()
                        .any(|p| p.name == "cursor" && p.location == "query"),
                websocket: responses.iter().any(|r| r.status == "101"),
                id,
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                summary: text(raw.get("summary")),
                description: text(raw.get("description")),
                requires_key,
                scope,
                parameters,
                body,
                responses,
                module: module.clone(),
            };
            match modules.iter_mut().find(|m| m.name == module) {
                Some(m) => m.operations.push(operation),
                None => modules.push(TryModule {
                    name: module,
                    description: String::new(),
                    operations: vec![operation],
                }),
            }
        }
    }
    modules.retain(|m| !m.operations.is_empty());
    for module in &mut modules {
        module.operations.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then(method_rank(&a.method).cmp(&method_rank(&b.method)))
        });
    }
    // An id used twice names the operation that comes last in the document.
    let mut index: HashMap<String, (usize, usize)> = HashMap::new();
    for (m, module) in modules.iter().enumerate() {
        for (o, operation) in module.operations.iter().enumerate() {
            let later = |&(pm, po): &(usize, usize)| {
                let other = &modules[pm].operations[po];
                (operation.path.as_str(), method_rank(&operation.method))
                    > (other.path.as_str(), method_rank(&other.method))
            };
            if index.get(&operation.id).is_none_or(later) {
                index.insert(operation.id.clone(), (m, o));
            }
        }
    }
    let info = document.get("info");
    Ok(Catalog {
        view: TryCatalog {
            environment,
            connection_id: None,
            source_url: source_url.to_string(),
            fetched_at: fetched_at.to_string(),
            stale: false,
            stale_reason: None,
            title: text(info.and_then(|i| i.get("title"))),
            version: text(info.and_then(|i| i.get("version"))),
            operation_count: index.len() as u32,
            modules,
        },
        index,
        patterns: Patterns::default(),
    })
}

/// An OpenAPI document read in one pass without being built: each path item, and every
/// other top-level member, kept as its text.
#[derive(Debug, Default)]
pub struct DocumentText<'a> {
    paths: Option<BTreeMap<String, &'a RawValue>>,
    members: BTreeMap<String, &'a RawValue>,
}

impl<'de: 'a, 'a> Deserialize<'de> for DocumentText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(PhantomData<&'a ()>);

        impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
            type Value = DocumentText<'a>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an OpenAPI document")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut document = DocumentText::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "paths" {
                        document.paths = Some(map.next_value()?);
                    } else {
                        document.members.insert(key, map.next_value()?);
                    }
                }
                Ok(document)
            }
        }

        deserializer.deserialize_map(Members(PhantomData))
    }
}

/// The catalog of the path items whose template matches the concrete `path`: the other
/// items stay unparsed, and what is kept is parsed as [`parse`] parses it, so a request is
/// matched and validated exactly as by the whole catalog. For a process that sends one
/// request, to which parsing the whole document costs more than the request. `None` when
/// a `$ref` points into `paths`, where it could name a skipped item.
pub fn parse_for_path(
    environment: Environment,
    document: &DocumentText<'_>,
    source_url: &str,
    fetched_at: &str,
    path: &str,
) -> Result<Option<Catalog>, CommandError> {
    let items = document.paths.iter().flat_map(|paths| paths.values());
    if document
        .members
        .values()
        .chain(items)
        .any(|raw| raw.get().contains("#/paths/"))
    {
        return Ok(None);
    }
    let invalid = |e: serde_json::Error| not_a_document(source_url, e);
    let mut kept = Map::new();
    for (key, raw) in &document.members {
        kept.insert(
            key.clone(),
            serde_json::from_str(raw.get()).map_err(invalid)?,
        );
    }
    if let Some(paths) = &document.paths {
        let segments = segments_of(path);
        let mut matching = Map::new();
        for (template, item) in paths {
            if match_template(template, &segments).is_some() {
                matching.insert(
                    template.clone(),
                    serde_json::from_str(item.get()).map_err(invalid)?,
                );
            }
        }
        kept.insert("paths".into(), Value::Object(matching));
    }
    parse(environment, &Value::Object(kept), source_url, fetched_at).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "v1"},
            "tags": [{"name": "Contacts", "description": "People"}],
            "paths": {
                "/v1/contacts/{id}": {"get": {"operationId": "get_contact", "tags": ["Contacts"],
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "security": [{"bearer_key": ["contacts:read"]}], "responses": {"200": {"description": "ok"}}}},
                "/v1/contacts/search": {"get": {"operationId": "search_contacts", "tags": ["Contacts"],
                    "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}],
                    "x-required-scope": "contacts:read", "responses": {"200": {"description": "ok"}}}},
                "/v1/contacts": {"post": {"operationId": "create_contact", "tags": ["Contacts"],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/C"}}}},
                    "responses": {"201": {"description": "created"}}}}
            },
            "components": {"schemas": {"C": {"type": "object", "required": ["name", "channel"],
                "properties": {"name": {"type": "string"}, "channel": {"$ref": "#/components/schemas/Ch"}, "email": {"type": ["string", "null"]}}},
                "Ch": {"type": "string", "enum": ["whatsapp", "sms"]}}}
        })
    }

    #[test]
    fn refs_are_resolved_and_examples_built_from_the_schema() {
        let catalog = parse(Environment::Sandbox, &doc(), "u", "t").expect("parse");
        let create = catalog.operation("create_contact").expect("op");
        let body = create.body.as_ref().expect("body");
        assert_eq!(
            body.schema["properties"]["channel"]["enum"],
            json!(["whatsapp", "sms"])
        );
        let example: Value = serde_json::from_str(&body.example).expect("json");
        assert_eq!(
            example,
            json!({"name": "example name", "channel": "whatsapp"})
        );
        assert!(!create.requires_key);
        let fields: Vec<(&str, &str, bool)> = body
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.kind.as_str(), f.required))
            .collect();
        assert!(fields.contains(&("email", "string | null", false)));
        assert!(fields.contains(&("channel", "string", true)));
    }

    #[test]
    fn literal_segments_beat_parameters_when_matching_paths() {
        let catalog = parse(Environment::Sandbox, &doc(), "u", "t").expect("parse");
        let (op, params) = catalog
            .match_path("GET", "/v1/contacts/search")
            .expect("match");
        assert_eq!(op.id, "search_contacts");
        assert!(params.is_empty());
        let (op, params) = catalog
            .match_path("get", "/v1/contacts/ct_1%2F2")
            .expect("match");
        assert_eq!(op.id, "get_contact");
        assert_eq!(params, vec![("id".to_string(), "ct_1/2".to_string())]);
        let (_, params) = catalog
            .match_path("GET", "/v1/contacts/a%26b%3Dc+d%20%C3%A9")
            .expect("match");
        assert_eq!(params, vec![("id".to_string(), "a&b=c+d é".to_string())]);
        assert!(catalog.match_path("DELETE", "/v1/contacts/x").is_none());
        assert_eq!(op.scope.as_deref(), Some("contacts:read"));
    }

    #[test]
    fn a_path_catalog_parses_only_the_items_that_match_and_as_the_whole_one_does() {
        let document = doc();
        let text = document.to_string();
        let read: DocumentText = serde_json::from_str(&text).expect("read");
        let whole = parse(Environment::Sandbox, &document, "u", "t").expect("parse");
        for (method, path) in [
            ("GET", "/v1/contacts/search"),
            ("GET", "/v1/contacts/ct_1"),
            ("POST", "/v1/contacts"),
        ] {
            let one = parse_for_path(Environment::Sandbox, &read, "u", "t", path)
                .expect("parse")
                .expect("no $ref into paths");
            assert_eq!(
                one.match_path(method, path),
                whole.match_path(method, path),
                "{method} {path}"
            );
        }
        let contacts = parse_for_path(Environment::Sandbox, &read, "u", "t", "/v1/contacts")
            .expect("parse")
            .expect("no $ref into paths");
        assert_eq!(contacts.view.operation_count, 1);
        assert!(contacts.operation("get_contact").is_none());
        assert_eq!(
            contacts.operation("create_contact"),
            whole.operation("create_contact")
        );

        // A `$ref` into `paths` could name a skipped item: only the whole catalog answers.
        let mut referring = document;
        referring["components"]["schemas"]["Alias"] =
            json!({"$ref": "#/paths/~1v1~1contacts/post/requestBody"});
        let referring = referring.to_string();
        let read: DocumentText = serde_json::from_str(&referring).expect("read");
        assert!(
            parse_for_path(Environment::Sandbox, &read, "u", "t", "/v1/contacts")
                .expect("parse")
                .is_none()
        );
        assert!(serde_json::from_str::<DocumentText>(r#"{"paths": 1}"#).is_err());
    }
}
