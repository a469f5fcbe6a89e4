//! Try It against a real sandbox over loopback: the catalog from its own OpenAPI document,
//! validation before sending and the server's 422 after, scopes, history across a restart,
//! paging under rate limits, cURL import, and the generated snippets run by real
//! interpreters (curl, node, python3 with requests, php, java) with the results compared to
//! the console's own.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use botbat_api::{ErrorCode, Plan, Scope};
use botbat_console_core::keys::key_secret_id;
use botbat_console_core::tryit::{
    conformance, parse_catalog, parse_catalog_for_path, DocumentText, Patterns, TryFormPart, TryIt,
    TryOperation, TryPair, TryRequest, TrySendOptions, MANAGEMENT_CREDENTIAL,
};
use botbat_console_core::{
    Console, ConsoleCode, CreateKeyInput, Environment, SandboxState, SettingsInput, Theme,
};
use botbat_sandbox::{Limits, RunningSandbox, SandboxConfig};
use botbat_secrets::{MemoryStore, SecretId, SecretStore, Sensitive};
use serde_json::{json, Value};

struct Fixture {
    console: Console,
    tryit: TryIt,
    sandbox: Option<RunningSandbox>,
    key: String,
    secrets: Arc<dyn SecretStore>,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn sandbox(&self) -> &RunningSandbox {
        self.sandbox.as_ref().expect("sandbox running")
    }

    /// The console as it is after a restart: same data dir, same keychain, new process
    /// state. It quits as the app does, whose exit waits for Try It's history rows.
    async fn restart(&mut self) {
        self.tryit
            .settle()
            .await
            .expect("history written before quitting");
        self.console = console_for(self.dir.path(), self.secrets.clone(), self.sandbox());
        self.tryit = TryIt::new();
    }
}

fn console_for(dir: &Path, secrets: Arc<dyn SecretStore>, sandbox: &RunningSandbox) -> Console {
    let console = common::console_in(dir, secrets);
    console.set_sandbox_state(SandboxState {
        running: true,
        base_url: Some(sandbox.base_url.clone()),
        data_dir: None,
        error: None,
    });
    console
}

async fn fixture(plan: Plan) -> Fixture {
    fixture_with(plan, None).await
}

/// One request per second per key: any two requests in a row meet the limit, however
/// slowly the machine runs.
fn one_per_second() -> Option<Limits> {
    Some(Limits {
        per_key_per_second: 1,
        per_org_per_minute: 1_000,
    })
}

async fn fixture_with(plan: Plan, limits: Option<Limits>) -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let (sandbox, key) =
        common::sandbox_with_key(&dir.path().join("sandbox"), secrets.as_ref(), plan, limits).await;
    let console = console_for(dir.path(), secrets.clone(), &sandbox);
    Fixture {
        console,
        tryit: TryIt::new(),
        sandbox: Some(sandbox),
        key,
        secrets,
        dir,
    }
}

fn request(operation_id: &str, method: &str, path: &str) -> TryRequest {
    TryRequest {
        operation_id: Some(operation_id.into()),
        method: method.into(),
        path: path.into(),
        credential: MANAGEMENT_CREDENTIAL.into(),
        ..TryRequest::default()
    }
}

fn create_contact(body: &str) -> TryRequest {
    TryRequest {
        body: Some(body.into()),
        ..request("create_contact", "POST", "/v1/contacts")
    }
}

async fn raw_document(base_url: &str) -> Value {
    reqwest::get(format!("{base_url}/openapi.json"))
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn the_catalog_has_every_operation_of_the_sandbox_with_its_scope() {
    let mut fx = fixture(Plan::Enterprise).await;
    let document = raw_document(&fx.sandbox().base_url).await;
    let catalog = fx.tryit.catalog(&fx.console, false).await.expect("catalog");
    let operations: Vec<_> = catalog
        .modules
        .iter()
        .flat_map(|m| m.operations.iter())
        .collect();
    let mut expected = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(raw) = item.get(method) else {
                continue;
            };
            expected += 1;
            let found = operations
                .iter()
                .find(|op| op.path == *path && op.method == method.to_ascii_uppercase())
                .unwrap_or_else(|| panic!("{method} {path} is missing from the catalog"));
            assert_eq!(found.id, raw["operationId"].as_str().expect("id"));
            assert_eq!(
                found.scope.as_deref(),
                raw.get("x-required-scope").and_then(Value::as_str),
                "{method} {path}"
            );
            assert_eq!(
                found.requires_key,
                raw.get("security").is_some(),
                "{method} {path}"
            );
            assert_eq!(
                found.module,
                raw["tags"][0].as_str().expect("tag"),
                "{method} {path}"
            );
            assert!(!found.summary.is_empty(), "{method} {path} has no summary");
        }
    }
    assert_eq!(operations.len(), expected);
    assert_eq!(catalog.operation_count as usize, expected);
    let modules: Vec<&str> = catalog.modules.iter().map(|m| m.name.as_str()).collect();
    for module in [
        "Contacts",
        "Messages",
        "Campaigns",
        "Conversations",
        "Templates",
        "Webhooks",
        "Developer",
        "API keys",
    ] {
        assert!(
            modules.contains(&module),
            "{module} missing from {modules:?}"
        );
    }
    let create = operations
        .iter()
        .find(|op| op.id == "create_contact")
        .expect("create_contact");
    assert_eq!(create.scope.as_deref(), Some("contacts:write"));
    let body = create.body.as_ref().expect("body");
    assert!(body.example.contains("Ada Lovelace"), "{}", body.example);
    assert!(body.fields.iter().any(|f| f.name == "name" && f.required));
    let import = operations
        .iter()
        .find(|op| op.id == "import_contacts")
        .expect("import");
    let form = import.body.as_ref().expect("form");
    assert!(form.content_type.starts_with("multipart/form-data"));
    assert!(form
        .fields
        .iter()
        .any(|f| f.name == "file" && f.kind == "file" && f.required));
    let list = operations
        .iter()
        .find(|op| op.id == "list_contacts")
        .expect("list");
    assert!(list.paginated);
    let limit = list
        .parameters
        .iter()
        .find(|p| p.name == "limit")
        .expect("limit");
    assert_eq!(
        (limit.kind.as_str(), limit.minimum, limit.maximum),
        ("integer", Some(1.0), Some(100.0))
    );
    let keys = operations
        .iter()
        .find(|op| op.id == "list_keys")
        .expect("list keys");
    let status = keys
        .parameters
        .iter()
        .find(|p| p.name == "status")
        .expect("status");
    assert!(
        status.enum_values.contains(&"revoked".to_string()),
        "{:?}",
        status.enum_values
    );

    // Cached per environment: after a restart the catalog comes from disk, and a refresh
    // that fails keeps the cached copy, marked stale with the reason.
    fx.restart().await;
    fx.sandbox.take().expect("sandbox").shutdown().await;
    let cached = fx.tryit.catalog(&fx.console, false).await.expect("cached");
    assert_eq!(cached.operation_count, catalog.operation_count);
    assert!(!cached.stale);
    let stale = fx
        .tryit
        .catalog(&fx.console, true)
        .await
        .expect("stale copy");
    assert!(stale.stale);
    assert!(
        stale
            .stale_reason
            .as_deref()
            .unwrap_or_default()
            .contains("openapi.json"),
        "{:?}",
        stale.stale_reason
    );
    assert!(fx.dir.path().join("data/sandbox/openapi.json").exists());
}

/// What a comparison may differ in: a `date-time` example is made from the clock.
/// The operation without its generated examples, which stamp `date-time` fields with the
/// time they were made and so differ between two parses.
fn without_example(operation: &TryOperation) -> TryOperation {
    let mut operation = operation.clone();
    if let Some(body) = operation.body.as_mut() {
        body.example.clear();
    }
    for response in &mut operation.responses {
        response.example = None;
    }
    operation
}

#[tokio::test]
async fn a_one_path_catalog_matches_every_operation_as_the_whole_one_does() {
    let fx = fixture(Plan::Enterprise).await;
    let document = raw_document(&fx.sandbox().base_url).await;
    let text = document.to_string();
    let read: DocumentText = serde_json::from_str(&text).expect("read");
    let whole = parse_catalog(Environment::Sandbox, &document, "u", "t").expect("whole");
    let mut matched = 0u32;
    for operation in whole.operations() {
        let path = operation
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "x_1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let one = parse_catalog_for_path(Environment::Sandbox, &read, "u", "t", &path)
            .expect("parse")
            .expect("the sandbox's document has no $ref into paths");
        assert!(
            one.view.operation_count < whole.view.operation_count / 4,
            "{path}: {} operations parsed",
            one.view.operation_count
        );
        let (expected, expected_params) = whole
            .match_path(&operation.method, &path)
            .expect("the whole catalog matches");
        let (found, found_params) = one
            .match_path(&operation.method, &path)
            .unwrap_or_else(|| panic!("{} {path} is missing", operation.method));
        assert_eq!(
            without_example(found),
            without_example(expected),
            "{} {path}",
            operation.method
        );
        assert_eq!(found_params, expected_params);
        matched += 1;
    }
    assert_eq!(matched, whole.view.operation_count);
}

#[tokio::test]
async fn every_documented_example_passes_the_console_side_validation() {
    let fx = fixture(Plan::Enterprise).await;
    let catalog = fx.tryit.catalog(&fx.console, false).await.expect("catalog");
    let mut checked = 0;
    for operation in catalog.modules.iter().flat_map(|m| m.operations.iter()) {
        let Some(body) = &operation.body else {
            continue;
        };
        if body.content_type != "application/json" {
            continue;
        }
        let request = TryRequest {
            body: Some(body.example.clone()),
            path_params: operation
                .parameters
                .iter()
                .filter(|p| p.location == "path")
                .map(|p| TryPair::new(p.name.clone(), "x_1"))
                .collect(),
            ..request(&operation.id, &operation.method, &operation.path)
        };
        let check = fx.tryit.check(&fx.console, &request).await.expect("check");
        assert!(
            check.issues.is_empty(),
            "{} {}: {:?}\n{}",
            operation.method,
            operation.path,
            check.issues,
            body.example
        );
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} JSON bodies");
}

#[tokio::test]
async fn every_documented_response_shows_its_schema_and_an_example_that_conforms_to_it() {
    let fx = fixture(Plan::Enterprise).await;
    let catalog = fx.tryit.catalog(&fx.console, false).await.expect("catalog");
    // A real response to stand each example in for: the checks read its status and body.
    let received = fx
        .tryit
        .send(
            &fx.console,
            Environment::Sandbox,
            &request("me", "GET", "/v1/me"),
            TrySendOptions::default(),
        )
        .await
        .expect("sent");
    let patterns = Patterns::default();
    let mut checked = 0;
    for operation in catalog.modules.iter().flat_map(|m| m.operations.iter()) {
        assert!(
            !operation.responses.is_empty(),
            "{} documents no response",
            operation.id
        );
        for doc in &operation.responses {
            assert!(
                !doc.description.is_empty(),
                "{} {}",
                operation.id,
                doc.status
            );
            let (Some(schema), Some(example)) = (&doc.schema, &doc.example) else {
                continue;
            };
            assert!(
                !schema.to_string().contains("$ref"),
                "{} {}: the schema is resolved",
                operation.id,
                doc.status
            );
            let mut standing_in = received.clone();
            standing_in.status = doc.status.parse().expect("a numeric status");
            standing_in.body = example.to_string();
            standing_in.json = Some(example.clone());
            let outcome = conformance(operation, &standing_in, &patterns);
            assert_eq!(outcome.documented.as_deref(), Some(doc.status.as_str()));
            assert!(
                outcome.issues.is_empty(),
                "{} {}: {:?}\n{example}",
                operation.id,
                doc.status,
                outcome.issues
            );
            checked += 1;
        }
    }
    assert!(checked >= 300, "only {checked} documented bodies");
    let create = catalog
        .modules
        .iter()
        .flat_map(|m| m.operations.iter())
        .find(|op| op.id == "create_contact")
        .expect("create_contact");
    let created = create
        .responses
        .iter()
        .find(|r| r.status == "201")
        .expect("201");
    assert_eq!(created.content_type.as_deref(), Some("application/json"));
    let example = created.example.as_ref().expect("an example");
    for field in ["id", "name", "tags", "created_at", "email"] {
        assert!(example.get(field).is_some(), "{field} in {example}");
    }
}

#[tokio::test]
async fn a_response_is_checked_against_its_documented_schema_and_a_planted_mismatch_is_caught() {
    let fx = fixture(Plan::Enterprise).await;
    let env = Environment::Sandbox;
    let catalog = fx.tryit.catalog(&fx.console, false).await.expect("catalog");
    let operation = |id: &str| {
        catalog
            .modules
            .iter()
            .flat_map(|m| m.operations.iter())
            .find(|op| op.id == id)
            .cloned()
            .expect("operation")
    };
    let send = |request: TryRequest| {
        let fx = &fx;
        async move {
            fx.tryit
                .send(&fx.console, env, &request, TrySendOptions::default())
                .await
                .expect("sent")
        }
    };

    // What the sandbox answers matches what it documents.
    let created = send(create_contact(
        r#"{"name": "Ada Lovelace", "email": "ada@example.com", "tags": ["vip"]}"#,
    ))
    .await;
    assert_eq!(created.status, 201);
    let outcome = created.conformance.clone().expect("checked");
    assert_eq!(outcome.documented.as_deref(), Some("201"));
    assert!(outcome.checked);
    assert!(outcome.issues.is_empty(), "{:?}", outcome.issues);
    for (id, path) in [
        ("me", "/v1/me"),
        ("list_contacts", "/v1/contacts"),
        ("list_keys", "/v1/api_keys"),
        ("list_events", "/v1/events"),
        ("list_templates", "/v1/templates"),
        ("rate_limits", "/v1/rate_limits"),
    ] {
        let response = send(request(id, "GET", path)).await;
        let outcome = response.conformance.expect("checked");
        assert_eq!(
            (response.status, outcome.documented.as_deref()),
            (200, Some("200")),
            "{path}"
        );
        assert!(outcome.issues.is_empty(), "{path}: {:?}", outcome.issues);
    }
    let missing = send(TryRequest {
        path_params: vec![TryPair::new("id", "ct_missing")],
        ..request("get_contact", "GET", "/v1/contacts/{id}")
    })
    .await;
    let outcome = missing.conformance.expect("checked");
    assert_eq!(
        (missing.status, outcome.documented.as_deref()),
        (404, Some("404"))
    );
    assert!(outcome.issues.is_empty(), "{:?}", outcome.issues);

    // Planted mismatches in the real 201: each is named by its path, with what came.
    let create = operation("create_contact");
    let patterns = Patterns::default();
    let mut planted = created.clone();
    let mut json = created.json.clone().expect("json");
    json["id"] = json!(42);
    json["tags"] = json!(["vip", 7]);
    json.as_object_mut().expect("object").remove("name");
    planted.body = json.to_string();
    planted.json = Some(json);
    let issues = conformance(&create, &planted, &patterns).issues;
    let found: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.field.as_str(), i.issue.as_str()))
        .collect();
    assert!(
        found.contains(&("id", "must be a string (got an integer)")),
        "{found:?}"
    );
    assert!(
        found.contains(&("tags[1]", "must be a string (got an integer)")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(f, i)| *f == "name" && i.starts_with("is required")),
        "{found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");

    // A body that is not JSON, and a status the operation does not document.
    let mut html = created.clone();
    html.body = "<html>Bad gateway</html>".into();
    html.json = None;
    html.content_type = Some("text/html".into());
    let issues = conformance(&create, &html, &patterns).issues;
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].field, "body");
    assert!(issues[0].issue.contains("text/html"), "{issues:?}");
    let mut teapot = created.clone();
    teapot.status = 418;
    let outcome = conformance(&create, &teapot, &patterns);
    assert_eq!(outcome.documented, None);
    assert!(!outcome.checked);
}

#[tokio::test]
async fn a_missing_required_field_is_caught_before_sending_and_sending_anyway_shows_the_422() {
    let fx = fixture(Plan::Enterprise).await;
    let env = Environment::Sandbox;
    let bad = create_contact(r#"{"email": "ada@example.com", "phone": "0044 7700"}"#);
    let check = fx.tryit.check(&fx.console, &bad).await.expect("check");
    let fields: Vec<&str> = check.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields.len(), 2, "{:?}", check.issues);
    assert!(
        fields.contains(&"name") && fields.contains(&"phone"),
        "{fields:?}"
    );
    assert!(check.url.ends_with("/v1/contacts"), "{}", check.url);

    let refused = fx
        .tryit
        .send(&fx.console, env, &bad, TrySendOptions::default())
        .await
        .expect_err("not sent");
    assert_eq!(refused.code, ConsoleCode::InvalidInput);
    assert_eq!(refused.details.len(), 2);
    let history = fx
        .tryit
        .history_list(&fx.console, "")
        .await
        .expect("history");
    assert!(
        history.is_empty(),
        "nothing was sent, so nothing is in history"
    );

    let sent = fx
        .tryit
        .send(
            &fx.console,
            env,
            &bad,
            TrySendOptions {
                force: true,
                confirmed: false,
            },
        )
        .await
        .expect("sent anyway");
    assert_eq!(sent.status, 422);
    assert!(
        sent.meaning.starts_with("validation_error"),
        "{}",
        sent.meaning
    );
    let server_fields: Vec<&str> = sent
        .error_details
        .iter()
        .map(|i| i.field.as_str())
        .collect();
    assert!(server_fields.contains(&"name"), "{:?}", sent.error_details);
    assert!(sent
        .request_id
        .as_deref()
        .is_some_and(|r| r.starts_with("req_")));
    assert!(sent.rate_limit.is_some());
    assert!(sent.elapsed_ms > 0.0);

    // Query parameters are checked too, against their bounds.
    let list = TryRequest {
        query: vec![
            TryPair::new("limit", "101"),
            TryPair::new("created_from", "yesterday"),
        ],
        ..request("list_contacts", "GET", "/v1/contacts")
    };
    let check = fx.tryit.check(&fx.console, &list).await.expect("check");
    let fields: Vec<&str> = check.issues.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["query.limit", "query.created_from"],
        "{:?}",
        check.issues
    );

    let good = create_contact(r#"{"name": "Ada Lovelace", "phone": "+447700900123"}"#);
    let created = fx
        .tryit
        .send(&fx.console, env, &good, TrySendOptions::default())
        .await
        .expect("created");
    assert_eq!(created.status, 201);
    assert_eq!(created.json.as_ref().expect("json")["name"], "Ada Lovelace");
    assert_eq!(created.status_text, "Created");
}

#[tokio::test]
async fn a_key_without_the_endpoints_scope_is_flagged_before_sending() {
    let fx = fixture(Plan::Enterprise).await;
    let env = Environment::Sandbox;
    let issued = fx
        .console
        .create_api_key(
            env,
            CreateKeyInput {
                name: "Read-only CRM".into(),
                scopes: vec![Scope::ContactsRead],
            },
        )
        .await
        .expect("key");
    fx.console
        .keep_issued_secret(&issued.key.id)
        .await
        .expect("kept");
    let forgotten = fx
        .console
        .create_api_key(
            env,
            CreateKeyInput {
                name: "not kept".into(),
                scopes: vec![Scope::UsageRead],
            },
        )
        .await
        .expect("key");
    fx.console.discard_issued_secret(&forgotten.key.id);

    let credentials = fx
        .tryit
        .credentials(&fx.console)
        .await
        .expect("credentials");
    let ids: Vec<&str> = credentials
        .credentials
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        ids,
        vec![MANAGEMENT_CREDENTIAL, issued.key.id.as_str()],
        "only keys whose secret is kept"
    );
    let read_only = &credentials.credentials[1];
    assert_eq!(read_only.scopes, vec![Scope::ContactsRead]);
    assert_eq!(read_only.source, "keychain");
    assert!(read_only.masked.starts_with("bb_test_…"));
    assert!(credentials.credentials[0]
        .scopes
        .contains(&Scope::ContactsWrite));

    let mut create = create_contact(r#"{"name": "Grace Hopper"}"#);
    create.credential = issued.key.id.clone();
    let check = fx.tryit.check(&fx.console, &create).await.expect("check");
    assert_eq!(check.missing_scope.as_deref(), Some("contacts:write"));
    assert!(check.issues.is_empty());
    create.credential = MANAGEMENT_CREDENTIAL.into();
    let check = fx.tryit.check(&fx.console, &create).await.expect("check");
    assert_eq!(check.missing_scope, None);

    create.credential = issued.key.id.clone();
    let forbidden = fx
        .tryit
        .send(&fx.console, env, &create, TrySendOptions::default())
        .await
        .expect("sent");
    assert_eq!(forbidden.status, 403);
    assert!(
        forbidden.body.contains("contacts:write"),
        "{}",
        forbidden.body
    );
    assert!(
        forbidden.credential_label.contains("Read-only CRM"),
        "{}",
        forbidden.credential_label
    );
    let list = TryRequest {
        credential: issued.key.id.clone(),
        ..request("list_contacts", "GET", "/v1/contacts")
    };
    let ok = fx
        .tryit
        .send(&fx.console, env, &list, TrySendOptions::default())
        .await
        .expect("list");
    assert_eq!(ok.status, 200);

    // A key this machine does not hold is refused with a way forward.
    let stranger = TryRequest {
        credential: forgotten.key.id.clone(),
        ..list
    };
    let error = fx
        .tryit
        .send(&fx.console, env, &stranger, TrySendOptions::default())
        .await
        .expect_err("no secret");
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(error.message.contains("keychain"), "{}", error.message);
    let _ = fx.secrets.delete(&key_secret_id(env, &issued.key.id));
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn history_is_searchable_survives_a_restart_and_never_holds_a_secret() {
    let mut fx = fixture(Plan::Enterprise).await;
    let env = Environment::Sandbox;
    let created = fx
        .tryit
        .send(
            &fx.console,
            env,
            &TryRequest {
                body: Some(r#"{"name": "From Try It", "scopes": ["contacts:read"]}"#.into()),
                headers: vec![TryPair::new("X-Trace", "history-test")],
                ..request("create_key", "POST", "/v1/api_keys")
            },
            TrySendOptions::default(),
        )
        .await
        .expect("create key");
    assert_eq!(created.status, 201);
    let secret = created.json.as_ref().expect("json")["secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert!(
        created.body.contains(&secret),
        "the live response shows the secret once"
    );
    let list = request("list_contacts", "GET", "/v1/contacts");
    fx.tryit
        .send(&fx.console, env, &list, TrySendOptions::default())
        .await
        .expect("list");

    fx.restart().await;
    let all = fx
        .tryit
        .history_list(&fx.console, "")
        .await
        .expect("history");
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].method.as_str(), all[0].path.as_str(), all[0].status),
        ("GET", "/v1/contacts", 200)
    );
    assert_eq!(
        (all[1].method.as_str(), all[1].path.as_str(), all[1].status),
        ("POST", "/v1/api_keys", 201)
    );
    assert!(
        all[1].credential_label.contains("bb_test_…"),
        "{}",
        all[1].credential_label
    );
    let found = fx
        .tryit
        .history_list(&fx.console, "api_keys")
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    let by_body = fx
        .tryit
        .history_list(&fx.console, "From Try It")
        .await
        .expect("search body");
    assert_eq!(by_body.len(), 1);
    assert!(fx
        .tryit
        .history_list(&fx.console, "no such thing")
        .await
        .expect("search")
        .is_empty());
    let by_id = fx
        .tryit
        .history_list(&fx.console, created.request_id.as_deref().expect("id"))
        .await
        .expect("search id");
    assert_eq!(by_id.len(), 1);

    let entry = fx
        .tryit
        .history_entry(&fx.console, all[1].id)
        .await
        .expect("entry");
    assert!(
        !entry.response.body.contains(&secret),
        "history masks the secret"
    );
    assert!(
        entry.response.body.contains("bb_test_…"),
        "{}",
        entry.response.body
    );
    assert_eq!(entry.response.status, 201);
    assert!(entry.response.json.is_some());
    assert_eq!(
        entry.request.headers,
        vec![TryPair::new("X-Trace", "history-test")]
    );

    // Reopened, it can be sent again as it was.
    let again = fx
        .tryit
        .send(
            &fx.console,
            env,
            &fx.tryit
                .history_entry(&fx.console, all[0].id)
                .await
                .expect("entry")
                .request,
            TrySendOptions::default(),
        )
        .await
        .expect("resend");
    assert_eq!(again.status, 200);
    assert_eq!(
        fx.tryit
            .history_list(&fx.console, "")
            .await
            .expect("history")
            .len(),
        3
    );

    for file in files_under(&fx.dir.path().join("data")) {
        let bytes = std::fs::read(&file).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&secret),
            "{} holds the new key's secret",
            file.display()
        );
        assert!(
            !text.contains(&fx.key),
            "{} holds the management key",
            file.display()
        );
    }
    assert!(fx.dir.path().join("data/sandbox/history.sqlite").exists());
}

async fn import_contacts(fx: &Fixture, count: usize) {
    let mut csv = String::from("name,email,tags\n");
    for i in 0..count {
        csv.push_str(&format!("Person {i},person{i}@example.com,paging\n"));
    }
    let import = TryRequest {
        form: vec![TryFormPart {
            name: "file".into(),
            filename: Some("people.csv".into()),
            content_type: Some("text/csv".into()),
            content: csv,
        }],
        ..request("import_contacts", "POST", "/v1/contacts/import")
    };
    let job = fx
        .tryit
        .send(
            &fx.console,
            Environment::Sandbox,
            &import,
            TrySendOptions::default(),
        )
        .await
        .expect("import");
    assert_eq!(job.status, 202, "{}", job.body);
    let id = job.json.as_ref().expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    for _ in 0..100 {
        let poll = TryRequest {
            path_params: vec![TryPair::new("id", id.clone())],
            ..request("get_job", "GET", "/v1/jobs/{id}")
        };
        let state = fx
            .tryit
            .send(
                &fx.console,
                Environment::Sandbox,
                &poll,
                TrySendOptions::default(),
            )
            .await
            .expect("poll");
        if state
            .json
            .as_ref()
            .is_some_and(|j| j["status"] == "completed")
        {
            assert_eq!(state.json.as_ref().expect("json")["imported"], json!(count));
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the import did not complete");
}

#[tokio::test]
async fn fetch_all_follows_every_page_waits_out_the_limit_and_can_be_cancelled() {
    let fx = fixture_with(Plan::Starter, one_per_second()).await;
    import_contacts(&fx, 60).await;
    let env = Environment::Sandbox;
    let list = TryRequest {
        query: vec![TryPair::new("limit", "10"), TryPair::new("tag", "paging")],
        ..request("list_contacts", "GET", "/v1/contacts")
    };
    let mut events = Vec::new();
    let all = fx
        .tryit
        .fetch_all(&fx.console, env, &list, "run-1", |p| events.push(p.clone()))
        .await
        .expect("fetch all");
    assert_eq!(
        (all.pages, all.items, all.total),
        (6, 60, Some(60)),
        "{all:?}"
    );
    assert!(!all.cancelled && !all.truncated && all.failure.is_none());
    let ids: std::collections::BTreeSet<&str> =
        all.data.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids.len(), 60, "every contact exactly once");
    assert!(
        all.waited_ms > 0.0,
        "pages at one per second wait for each window"
    );
    assert!(
        events.iter().any(|e| e.waiting_seconds.is_some()),
        "the wait is reported"
    );
    let pages: Vec<u32> = events
        .iter()
        .filter(|e| e.waiting_seconds.is_none())
        .map(|e| e.pages)
        .collect();
    assert_eq!(pages, (1..=6).collect::<Vec<_>>());

    // Cancel once the first page has landed and the run says it waits for the next window
    // (one request a second: the page used the window up): it stops at once.
    let tryit = Arc::new(TryIt::new());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let run = {
        let tryit = tryit.clone();
        let list = list.clone();
        let console = console_for(fx.dir.path(), fx.secrets.clone(), fx.sandbox());
        tokio::spawn(async move {
            tryit
                .fetch_all(&console, Environment::Sandbox, &list, "run-2", move |p| {
                    let _ = tx.send(p.clone());
                })
                .await
        })
    };
    // (It may first wait out the window the run above used up.)
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            let event = rx.recv().await.expect("progress");
            if event.pages == 1 && event.waiting_seconds.is_some() {
                break;
            }
        }
    })
    .await
    .expect("the run waits after its first page");
    assert!(tryit.cancel("run-2"));
    let cancelled = run.await.expect("task").expect("result");
    assert!(cancelled.cancelled);
    assert_eq!(cancelled.pages, 1, "{cancelled:?}");
    assert!(!tryit.cancel("run-2"), "a finished run is forgotten");
}

#[tokio::test]
async fn a_429_carries_retry_after_for_the_countdown() {
    let fx = fixture_with(Plan::Starter, one_per_second()).await;
    let env = Environment::Sandbox;
    let me = request("me", "GET", "/v1/me");
    let mut limited = None;
    // Requests in a row meet a limit of one a second, unless each lands in a new window.
    for _ in 0..10 {
        let response = fx
            .tryit
            .send(&fx.console, env, &me, TrySendOptions::default())
            .await
            .expect("send");
        if response.status == 429 {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("the limit is reached");
    assert!(
        limited.retry_after.is_some_and(|s| s >= 1),
        "{:?}",
        limited.headers
    );
    assert_eq!(limited.rate_limit.as_ref().map(|r| r.remaining), Some(0));
    assert!(
        limited.meaning.contains("Retry-After"),
        "{}",
        limited.meaning
    );
}

#[tokio::test]
async fn production_writes_need_confirmation_and_a_stale_environment_is_refused() {
    let fx = fixture(Plan::Enterprise).await;
    let live_dir = tempfile::tempdir().expect("dir");
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), live_dir.path());
    config.live = true;
    config.plan = Plan::Enterprise;
    let live = botbat_sandbox::start(config).await.expect("live stand-in");
    let live_key = live.generated_admin_key.clone().expect("key");
    fx.console
        .save_settings(SettingsInput {
            sandbox_base_url_override: None,
            production_base_url: live.base_url.clone(),
            theme: Theme::System,
            utc_times: false,
        })
        .expect("settings");
    fx.console
        .set_management_key(Environment::Production, live_key.expose().clone())
        .await
        .expect("key");
    fx.console
        .set_environment(Environment::Production)
        .expect("switch");

    let create = create_contact(r#"{"name": "Live customer"}"#);
    let stale = fx
        .tryit
        .send(
            &fx.console,
            Environment::Sandbox,
            &create,
            TrySendOptions::default(),
        )
        .await
        .expect_err("built for the sandbox");
    assert_eq!(stale.code, ConsoleCode::EnvironmentChanged);
    let unconfirmed = fx
        .tryit
        .send(
            &fx.console,
            Environment::Production,
            &create,
            TrySendOptions::default(),
        )
        .await
        .expect_err("needs confirmation");
    assert_eq!(unconfirmed.code, ConsoleCode::ConfirmationRequired);
    assert!(
        unconfirmed.message.contains("Production"),
        "{}",
        unconfirmed.message
    );
    let read = fx
        .tryit
        .send(
            &fx.console,
            Environment::Production,
            &request("list_contacts", "GET", "/v1/contacts"),
            TrySendOptions::default(),
        )
        .await
        .expect("GET needs no confirmation");
    assert_eq!(read.status, 200);
    let confirmed = fx
        .tryit
        .send(
            &fx.console,
            Environment::Production,
            &create,
            TrySendOptions {
                force: false,
                confirmed: true,
            },
        )
        .await
        .expect("confirmed");
    assert_eq!(confirmed.status, 201);
    assert!(
        confirmed.url.starts_with(&live.base_url),
        "{}",
        confirmed.url
    );
    // Each environment has its own history.
    assert_eq!(
        fx.tryit
            .history_list(&fx.console, "")
            .await
            .expect("history")
            .len(),
        2
    );
    fx.console
        .set_environment(Environment::Sandbox)
        .expect("back");
    assert!(fx
        .tryit
        .history_list(&fx.console, "")
        .await
        .expect("history")
        .is_empty());
    let sandbox_catalog = fx.tryit.catalog(&fx.console, false).await.expect("catalog");
    assert!(sandbox_catalog.modules.iter().any(|m| m.name == "Sandbox"));
    live.shutdown().await;
}

#[tokio::test]
async fn curl_import_then_export_gives_the_same_request() {
    let fx = fixture(Plan::Enterprise).await;
    fx.tryit.catalog(&fx.console, false).await.expect("catalog");
    let requests = vec![
        TryRequest {
            headers: vec![TryPair::new("Idempotency-Key", "it's-1")],
            ..create_contact("{\n  \"name\": \"O'Brien & Co\",\n  \"tags\": [\"a b\", \"ü\"]\n}")
        },
        TryRequest {
            query: vec![
                TryPair::new("limit", "5"),
                TryPair::new("tag", "vip & co"),
                TryPair::new("created_from", "2026-01-01T00:00:00Z"),
            ],
            ..request("list_contacts", "GET", "/v1/contacts")
        },
        TryRequest {
            path_params: vec![TryPair::new("id", "ct_abc")],
            body: Some(r#"{"segment": null}"#.into()),
            ..request("update_contact", "PUT", "/v1/contacts/{id}")
        },
        TryRequest {
            path_params: vec![TryPair::new("id", "ct_abc")],
            ..request("delete_contact", "DELETE", "/v1/contacts/{id}")
        },
        TryRequest {
            form: vec![TryFormPart {
                name: "file".into(),
                filename: Some("contacts.csv".into()),
                content_type: Some("text/csv".into()),
                content: String::new(),
            }],
            ..request("import_contacts", "POST", "/v1/contacts/import")
        },
    ];
    for original in requests {
        for inline in [false, true] {
            let snippets = fx
                .tryit
                .snippets(&fx.console, &original, inline)
                .await
                .expect("snippets");
            let curl = &snippets
                .iter()
                .find(|s| s.language == "curl")
                .expect("curl")
                .code;
            let parsed = fx
                .tryit
                .parse_curl(&fx.console, curl, MANAGEMENT_CREDENTIAL)
                .await
                .expect("parse");
            assert_eq!(parsed.request, original, "{curl}");
            assert_eq!(parsed.operation_id, original.operation_id);
            // An inlined key is left out (the builder's credential is used), and says so.
            assert_eq!(
                parsed.warnings.len(),
                usize::from(inline),
                "{:?}\n{curl}",
                parsed.warnings
            );
            if !original.form.is_empty() {
                assert_eq!(parsed.files_to_choose, vec!["contacts.csv".to_string()]);
            }
        }
    }
    // A command from elsewhere: the documented host, a literal key, bundled flags.
    let pasted = "curl -sS -X POST https://api.botbat.com/v1/contacts \\\n  -H 'Authorization: Bearer bb_live_0123456789abcdef0123' \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"name\":\"Ada\"}'";
    let parsed = fx
        .tryit
        .parse_curl(&fx.console, pasted, MANAGEMENT_CREDENTIAL)
        .await
        .expect("parse");
    assert_eq!(parsed.operation_id.as_deref(), Some("create_contact"));
    assert_eq!(parsed.request.body.as_deref(), Some("{\"name\":\"Ada\"}"));
    assert!(parsed.request.headers.is_empty());
    assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
    assert!(!serde_json::to_string(&parsed)
        .expect("json")
        .contains("0123456789abcdef"));
    let error = fx
        .tryit
        .parse_curl(&fx.console, "wget https://x", MANAGEMENT_CREDENTIAL)
        .await
        .expect_err("not curl");
    assert_eq!(error.code, ConsoleCode::InvalidInput);
}

// --- Snippets executed ---------------------------------------------------------------

#[tokio::test]
async fn snippets_run_against_the_sandbox_and_answer_like_the_console() {
    let fx = fixture(Plan::Enterprise).await;
    let env = Environment::Sandbox;
    let work = tempfile::tempdir().expect("work dir");
    let csv = "name,phone,tags\nAda Lovelace,+447700900123,snippets\nGrace Hopper,+14155550123,snippets\n";
    std::fs::write(work.path().join("contacts.csv"), csv).expect("csv");
    let cases = vec![
        (
            "create",
            // No phone or email, so the same request can create a contact every time.
            create_contact("{\n  \"name\": \"Snippet Person\",\n  \"segment\": \"trial\",\n  \"tags\": [\"snippets\", \"it's\"]\n}"),
        ),
        (
            "list",
            TryRequest {
                query: vec![TryPair::new("limit", "2"), TryPair::new("tag", "snippets")],
                ..request("list_contacts", "GET", "/v1/contacts")
            },
        ),
        (
            "import",
            TryRequest {
                form: vec![TryFormPart {
                    name: "file".into(),
                    filename: Some("contacts.csv".into()),
                    content_type: Some("text/csv".into()),
                    content: csv.into(),
                }],
                ..request("import_contacts", "POST", "/v1/contacts/import")
            },
        ),
    ];
    for (name, request) in cases {
        let console = fx
            .tryit
            .send(&fx.console, env, &request, TrySendOptions::default())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let console_json = console.json.clone().expect("json");
        assert!(
            (200..300).contains(&console.status),
            "{name}: {} {}",
            console.status,
            console.body
        );
        let snippets = fx
            .tryit
            .snippets(&fx.console, &request, false)
            .await
            .expect("snippets");
        assert_eq!(
            snippets
                .iter()
                .map(|s| s.language.as_str())
                .collect::<Vec<_>>(),
            vec!["curl", "javascript", "python", "php", "java"]
        );
        for snippet in &snippets {
            assert!(
                !snippet.code.contains(&fx.key),
                "{name}/{}: the key is inlined",
                snippet.language
            );
            eprintln!("running the {name} snippet in {}", snippet.label);
            let (status, body) = common::snippets::run(
                &snippet.language,
                &snippet.code,
                work.path(),
                ("BOTBAT_API_KEY", &fx.key),
            )
            .await;
            assert_eq!(
                status, console.status,
                "{name}/{}: {body}\n{}",
                snippet.language, snippet.code
            );
            if let Err(difference) = common::snippets::same_shape(&console_json, &body) {
                panic!(
                    "{name}/{}: the shape differs from the console's: {difference}\n{body}",
                    snippet.language
                );
            }
        }
        // Inlined on request, the key works without the environment variable.
        let inlined = fx
            .tryit
            .snippets(&fx.console, &request, true)
            .await
            .expect("snippets");
        let curl = inlined.iter().find(|s| s.language == "curl").expect("curl");
        assert!(curl.code.contains(&fx.key));
        let (status, _) = common::snippets::run(
            "curl",
            &curl.code,
            work.path(),
            ("BOTBAT_API_KEY", "not-the-key"),
        )
        .await;
        assert_eq!(status, console.status, "{name}: inlined curl");
    }
    // The list snippets saw the imported contacts and the created ones alike.
    let page = fx
        .tryit
        .send(
            &fx.console,
            env,
            &TryRequest {
                query: vec![TryPair::new("tag", "snippets")],
                ..request("list_contacts", "GET", "/v1/contacts")
            },
            TrySendOptions::default(),
        )
        .await
        .expect("list");
    assert!(page.total.unwrap_or(0) >= 7, "{:?}", page.total);
}

#[tokio::test]
async fn a_cached_key_is_read_again_when_forgotten_or_refused() {
    let fx = fixture(Plan::Enterprise).await;
    let env = Environment::Sandbox;
    let me = request("me", "GET", "/v1/me");
    let id = SecretId::new("sandbox", "management-key");
    let ok = fx
        .tryit
        .send(&fx.console, env, &me, TrySendOptions::default())
        .await
        .expect("send");
    assert_eq!(ok.status, 200);

    // Replaced in Settings, which then tells Try It to forget.
    let wrong = botbat_sandbox::ids::api_key_secret();
    fx.console
        .set_management_key(env, wrong)
        .await
        .expect("replace");
    fx.tryit.forget_secrets();
    let refused = fx
        .tryit
        .send(&fx.console, env, &me, TrySendOptions::default())
        .await
        .expect("send");
    assert_eq!(refused.status, 401, "the replaced key is used");

    // A 401 drops the cached copy, so the key put back is picked up by the next request.
    fx.secrets
        .set(&id, &Sensitive::new(fx.key.clone()))
        .expect("restore");
    let again = fx
        .tryit
        .send(&fx.console, env, &me, TrySendOptions::default())
        .await
        .expect("send");
    assert_eq!(again.status, 200);
}
