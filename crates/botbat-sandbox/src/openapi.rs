//! The published OpenAPI document, and the access rules read from it.
//!
//! Handlers declare who may call them once, in `security(...)`. This module turns those
//! declarations into the [`RouteTable`] the access layer enforces and into the
//! `x-required-scope` field Try It shows, and adds the error responses every authenticated
//! endpoint can give, so the document is complete without repeating them on each handler.
//! A declaration it cannot read stops the sandbox from starting: an open door is never the
//! default.

use axum::http::Method;
use botbat_api::{
    ApiError, ErrorBody, ErrorCode, EventSubscription, EventType, FieldIssue, Scope, UsageOrder,
};
use serde_json::{json, Value};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::rules;
use crate::state::{Access, RouteTable};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "BotBat Platform API",
        version = "v1",
        description = "The BotBat v1 REST API as served by the sandbox. Authenticate with `Authorization: Bearer <key>`; each operation names the scope it needs in `security` and `x-required-scope`. Lists are cursor-paginated (`?cursor=`, `?limit=` 1 to 100, default 25). Errors are `{\"error\":{code,message,status,request_id,details}}`."
    ),
    modifiers(&BearerKey),
    components(schemas(ErrorBody, ApiError, ErrorCode, FieldIssue, Scope, EventType, EventSubscription, UsageOrder)),
    tags(
        (name = "Developer", description = "The API itself, the calling key and its limits"),
        (name = "API keys", description = "Create, rotate and revoke scoped keys"),
        (name = "Contacts", description = "People you message: CRUD, filters and fuzzy search"),
        (name = "Templates", description = "WhatsApp message templates and their approval"),
        (name = "Messages", description = "Send to a contact and follow delivery"),
        (name = "Campaigns", description = "One message to every contact of a segment, now or scheduled"),
        (name = "Conversations", description = "Threads opened by contacts writing in: assign and resolve"),
        (name = "Events", description = "Everything that happened, as delivered to webhooks"),
        (name = "Usage", description = "The metered request log"),
        (name = "Webhooks", description = "Endpoints that receive signed events"),
        (name = "Sandbox", description = "Sandbox-only test controls"),
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("bb_test_… / bb_live_…".to_string());
        components.add_security_scheme("bearer_key", SecurityScheme::Http(http));
    }
}

/// Every method an OpenAPI path item can hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads one operation's `security` as an access rule. There is no default: an operation
/// without `security` is an error rather than public, and a scope this build does not know
/// is an error rather than "any key", so a typo cannot open an endpoint.
///
/// - `security(())` (`[{}]`): public, no key.
/// - `security(("bearer_key" = []))`: any valid key.
/// - `security(("bearer_key" = ["contacts:read"]))`: a key with that one scope.
fn access_of(operation: &Value) -> Result<Access, String> {
    const HOW: &str = "declare `security(())` for a public endpoint, `security((\"bearer_key\" = []))` for any key, or `security((\"bearer_key\" = [\"<scope>\"]))`";
    let Some(security) = operation.get("security") else {
        return Err(format!("declares no `security`: {HOW}"));
    };
    let Some(requirements) = security.as_array() else {
        return Err(format!("has a `security` that is not a list: {HOW}"));
    };
    let Some(requirements) = requirements
        .iter()
        .map(Value::as_object)
        .collect::<Option<Vec<_>>>()
    else {
        return Err(format!(
            "has a `security` requirement that is not an object: {HOW}"
        ));
    };
    let named: Vec<_> = requirements.iter().filter(|r| !r.is_empty()).collect();
    if named.len() != requirements.len() && !named.is_empty() {
        return Err(format!(
            "mixes a public requirement with a key requirement (optional authentication): {HOW}"
        ));
    }
    let requirement = match named.as_slice() {
        [] => return Ok(Access::Public),
        [one] => one,
        _ => {
            return Err(format!(
                "lists alternative security requirements; the sandbox enforces exactly one: {HOW}"
            ))
        }
    };
    if let Some(other) = requirement.keys().find(|k| *k != "bearer_key") {
        return Err(format!(
            "uses the security scheme `{other}`; the only scheme is `bearer_key`: {HOW}"
        ));
    }
    let Some(scopes) = requirement.get("bearer_key").and_then(Value::as_array) else {
        return Err(format!(
            "gives `bearer_key` something other than a list of scopes: {HOW}"
        ));
    };
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str().unwrap_or("")).collect();
    match scopes.as_slice() {
        [] => Ok(Access::AnyKey),
        [scope] => Scope::parse(scope).map(Access::Scope).ok_or_else(|| {
            let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
            format!(
                "requires the unknown scope `{scope}`; the scopes are {}",
                known.join(", ")
            )
        }),
        _ => Err(format!(
            "requires {} scopes; an endpoint needs at most one: {HOW}",
            scopes.len()
        )),
    }
}

pub(crate) fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Completes the generated document and derives the access rules from it. Fails, naming
/// each handler and what is wrong with it, when any operation's rule cannot be read.
pub fn finish(
    doc: utoipa::openapi::OpenApi,
    server_url: &str,
    live: bool,
) -> anyhow::Result<(String, RouteTable)> {
    let mut value = serde_json::to_value(&doc)?;
    let mut table = RouteTable::default();
    let mut problems = Vec::new();
    value["servers"] = json!([{"url": server_url, "description": "This sandbox"}]);
    add_forms(&mut value);
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                let Some(operation) = item.get_mut(method) else {
                    continue;
                };
                let handler = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("(no operationId)")
                    .to_string();
                let upper = method.to_ascii_uppercase();
                let access = match access_of(operation) {
                    Ok(access) => access,
                    Err(problem) => {
                        problems.push(format!("handler `{handler}` ({upper} {path}) {problem}"));
                        continue;
                    }
                };
                let method = Method::from_bytes(upper.as_bytes())?;
                table.insert(method, path.clone(), access, handler);
                add_errors(operation, access, path.contains('{'), live);
                rules::publish(operation);
            }
        }
    }
    if !problems.is_empty() {
        anyhow::bail!(
            "the sandbox will not start: {} endpoint(s) have no valid access rule:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    crate::idempotency::document(&mut value, &table);
    let json = serde_json::to_string_pretty(&value)?;
    Ok((json, table))
}

/// The combinations of fields a request schema allows, which the derived schemas cannot
/// state: a message is a template or text, and an update does not switch to both.
fn add_forms(document: &mut Value) {
    let forms = [
        ("SendMessageRequest", "oneOf", botbat_api::message_forms()),
        (
            "CreateCampaignRequest",
            "oneOf",
            botbat_api::message_forms(),
        ),
        (
            "UpdateCampaignRequest",
            "anyOf",
            botbat_api::campaign_update_forms(),
        ),
    ];
    for (name, keyword, variants) in forms {
        if let Some(schema) = document
            .pointer_mut(&format!("/components/schemas/{name}"))
            .and_then(Value::as_object_mut)
        {
            schema.insert(keyword.to_string(), variants);
        }
    }
}

fn add_errors(operation: &mut Value, access: Access, has_path_params: bool, live: bool) {
    let takes_input = operation.get("requestBody").is_some()
        || operation
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty());
    let has_body = operation.get("requestBody").is_some();
    if let Access::Scope(scope) = access {
        operation["x-required-scope"] = json!(scope.as_str());
    }
    let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description));
    };
    if takes_input {
        add(
            "400",
            "invalid_request: malformed JSON, wrong content type, or a cursor of another list",
        );
        add(
            "422",
            "validation_error: the fields and query parameters in `details` are invalid",
        );
    }
    if has_body {
        add("413", "payload_too_large: the body exceeds 1 MiB");
    }
    if access != Access::Public {
        add(
            "401",
            "unauthorized: the key is missing, malformed, unknown, revoked or expired",
        );
        add("429", "rate_limited: wait `Retry-After` seconds");
        add("500", "internal_error: retry with exponential backoff");
        if !live {
            for status in ["502", "503", "504"] {
                add(
                    status,
                    "internal_error: only while a fault armed with POST /v1/sandbox/faults lasts",
                );
            }
        }
    }
    if let Access::Scope(scope) = access {
        add(
            "403",
            &format!("forbidden: the key lacks the `{}` scope", scope.as_str()),
        );
    }
    if has_path_params {
        add("404", "not_found: no such resource");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(security: Value) -> Result<Access, String> {
        access_of(&json!({ "security": security }))
    }

    #[test]
    fn security_reads_as_exactly_one_rule_or_an_error() {
        assert_eq!(access(json!([{}])), Ok(Access::Public));
        assert_eq!(access(json!([])), Ok(Access::Public));
        assert_eq!(access(json!([{"bearer_key": []}])), Ok(Access::AnyKey));
        assert_eq!(
            access(json!([{"bearer_key": ["sandbox:manage"]}])),
            Ok(Access::Scope(Scope::SandboxManage))
        );
        assert!(access_of(&json!({})).is_err_and(|e| e.contains("declares no `security`")));
        assert!(access(json!([{"bearer_key": ["usage:raed"]}]))
            .is_err_and(|e| e.contains("unknown scope `usage:raed`")));
        assert!(access(json!([{"bearer_key": ["usage:read", "keys:manage"]}])).is_err());
        assert!(access(json!([{}, {"bearer_key": []}])).is_err());
        assert!(access(json!([{"bearer_key": []}, {"bearer_key": ["usage:read"]}])).is_err());
        assert!(access(json!([{"api_key": []}])).is_err_and(|e| e.contains("`api_key`")));
        assert!(access(json!([{"bearer_key": "usage:read"}])).is_err());
        assert!(access(json!({"bearer_key": []})).is_err());
        assert!(access(json!(["bearer_key"])).is_err());
    }
}
