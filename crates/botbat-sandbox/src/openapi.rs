//! The published OpenAPI document, and the access rules read from it.
//!
//! Handlers declare their scope once, in `security(("bearer_key" = ["scope"]))`. This module
//! turns those declarations into the [`RouteTable`] the access layer enforces and into the
//! `x-required-scope` field Try It shows, and adds the error responses every authenticated
//! endpoint can give, so the document is complete without repeating them on each handler.

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

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn access_of(operation: &Value) -> Access {
    let Some(requirements) = operation.get("security").and_then(Value::as_array) else {
        return Access::Public;
    };
    let scopes: Vec<Scope> = requirements
        .iter()
        .filter_map(|r| r.get("bearer_key"))
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(Scope::parse)
        .collect();
    match scopes.first() {
        Some(scope) => Access::Scope(*scope),
        None if requirements.is_empty() => Access::Public,
        None => Access::AnyKey,
    }
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Completes the generated document and derives the access rules from it.
pub fn finish(doc: utoipa::openapi::OpenApi, server_url: &str, live: bool) -> (String, RouteTable) {
    let mut value = serde_json::to_value(&doc).unwrap_or(Value::Null);
    let mut table = RouteTable::default();
    value["servers"] = json!([{"url": server_url, "description": "This sandbox"}]);
    add_forms(&mut value);
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                let Some(operation) = item.get_mut(method) else {
                    continue;
                };
                let access = access_of(operation);
                if let Ok(m) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) {
                    table.insert(m, path.clone(), access);
                }
                add_errors(operation, access, path.contains('{'), live);
                rules::publish(operation);
            }
        }
    }
    let json = serde_json::to_string_pretty(&value).unwrap_or_default();
    (json, table)
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
