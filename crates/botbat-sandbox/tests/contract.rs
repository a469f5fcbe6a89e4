//! The published document is the contract: over real HTTP, requests at the edges of what
//! the schema allows are accepted, requests just past them are refused, and every refusal
//! of a schema-valid request is one of the operation's published runtime rules.

mod common;

use common::{Reply, TestSandbox};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn document(sb: &TestSandbox) -> Value {
    sb.call(Method::GET, "/openapi.json", None, None).await.body
}

/// Whether every detail of `reply` is one of the rules `operation` publishes.
fn is_published_refusal(doc: &Value, path: &str, method: &str, reply: &Reply) -> bool {
    let rules = doc["paths"][path][method]["x-runtime-rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let details = reply.body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    !details.is_empty()
        && details.iter().all(|detail| {
            rules.iter().any(|rule| {
                rule["status"] == reply.status.as_u16()
                    && rule["field"] == detail["field"]
                    && detail["issue"]
                        .as_str()
                        .zip(rule["issue"].as_str())
                        .is_some_and(|(issue, start)| issue.starts_with(start))
            })
        })
}

fn fields(reply: &Reply) -> Vec<String> {
    reply.body["error"]["details"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn what_the_schema_allows_is_accepted() {
    let sb = TestSandbox::unlimited().await;
    let name = format!(" {}", "n".repeat(199));
    let contact = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": name, "email": "a@b", "phone": "+14155550123", "tags": [" a ", "\u{feff}"]}),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.text);
    assert_eq!(contact.body["name"], "n".repeat(199), "stored trimmed");

    let seeded = sb
        .post(
            "/sandbox/usage/seed",
            &sb.admin,
            json!({"days": 3.0, "requests": 10.0}),
        )
        .await;
    assert_eq!(seeded.status, StatusCode::CREATED, "{}", seeded.text);
    assert_eq!(seeded.body["days"], 3);

    let (id, _) = sb.create_key("rotated", &["usage:read"]).await;
    let rotated = sb
        .post(
            &format!("/api_keys/{id}/rotate"),
            &sb.admin,
            json!({"grace_period_seconds": 3600.0}),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.text);

    for query in [
        "/api_keys?limit=3.0",
        "/usage/requests?order=desc&limit=1",
        "/usage/summary?to=2000-01-01T00:00:00Z",
        "/usage/summary?from=2999-01-01T00:00:00Z",
        "/events?type=webhook.test",
        "/contacts/search?q=%20n",
    ] {
        let reply = sb.get(query, &sb.admin).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text);
    }
}

#[tokio::test]
async fn what_the_schema_forbids_is_refused() {
    let sb = TestSandbox::unlimited().await;
    let created = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "Ada", "phone": "+447700900123"}),
        )
        .await;
    let id = created.body["id"].as_str().expect("id").to_string();
    for (body, field) in [
        (json!({"phone": ""}), "phone"),
        (json!({"phone": " +447700900123"}), "phone"),
        (json!({"email": "a@b@c.com"}), "email"),
        (json!({"email": ""}), "email"),
        (json!({"name": format!(" {}", "n".repeat(200))}), "name"),
        (json!({"name": "\u{3000}\u{85}"}), "name"),
        (json!({"tags": [""]}), "tags[0]"),
        (json!({"tags": ["\u{a0}"]}), "tags[0]"),
    ] {
        let reply = sb
            .call(
                Method::PUT,
                &format!("/contacts/{id}"),
                Some(&sb.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.text
        );
        assert_eq!(fields(&reply), [field], "{body}");
    }
    let unchanged = sb.get(&format!("/contacts/{id}"), &sb.admin).await;
    assert_eq!(unchanged.body["phone"], "+447700900123", "nothing was lost");

    for (path, body, field) in [
        (
            "/templates",
            json!({"name": " order", "language": "en", "category": "utility", "body": "Hi"}),
            "name",
        ),
        (
            "/webhooks",
            json!({"url": " https://example.com/hook", "event_types": ["*"]}),
            "url",
        ),
        (
            "/webhooks",
            json!({"url": "https://example.com/hook", "event_types": ["message.sent "]}),
            "event_types[0]",
        ),
        (
            "/sandbox/usage/seed",
            json!({"days": 2.5, "requests": 10}),
            "days",
        ),
    ] {
        let reply = sb.post(path, &sb.admin, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.text
        );
        assert_eq!(fields(&reply), [field], "{body}");
    }

    let csv = b"name,phone\nGrace,+12025550147\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv).file_name("contacts.csv"),
        )
        .text("note", "not a part of the form");
    let extra = sb
        .http
        .post(format!("{}/contacts/import", sb.base()))
        .bearer_auth(&sb.admin)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(extra.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = extra.json().await.expect("json");
    assert_eq!(body["error"]["details"][0]["field"], "note");

    for (query, field) in [
        ("/api_keys?status=", "status"),
        ("/usage/requests?order=", "order"),
        ("/campaigns?status=paused", "status"),
        ("/api_keys?limit=%205", "limit"),
        ("/contacts?created_from=yesterday", "created_from"),
        ("/contacts/search", "q"),
        (
            "/webhooks/listen?types=message.sent,%20message.read",
            "types",
        ),
    ] {
        let reply = sb.get(query, &sb.admin).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            reply.text
        );
        assert_eq!(fields(&reply), [field], "{query}");
    }
}

#[tokio::test]
async fn every_typed_list_filter_names_its_field_when_its_value_is_unknown() {
    let sb = TestSandbox::unlimited().await;
    let webhook = sb
        .post(
            "/webhooks",
            &sb.admin,
            json!({"url": "http://localhost:3000/hook", "event_types": ["message.delivered"]}),
        )
        .await;
    assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.text);
    let id = webhook.body["id"].as_str().expect("id");
    for (query, field) in [
        ("/templates?status=archived".to_string(), "status"),
        ("/conversations?status=snoozed".to_string(), "status"),
        ("/events?type=contact.exploded".to_string(), "type"),
        ("/campaigns?created_to=soon".to_string(), "created_to"),
        (format!("/webhooks/{id}/deliveries?status=lost"), "status"),
        (
            format!("/webhooks/{id}/deliveries?event_type=x.y"),
            "event_type",
        ),
    ] {
        let reply = sb.get(&query, &sb.admin).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            reply.text
        );
        assert_eq!(reply.body["error"]["code"], "validation_error", "{query}");
        assert_eq!(fields(&reply), [field], "{query}");
    }
}

#[tokio::test]
async fn a_schema_valid_request_is_refused_only_by_a_published_rule() {
    let sb = TestSandbox::unlimited().await;
    let doc = document(&sb).await;
    let send = &doc["paths"]["/v1/messages/send"]["post"];
    assert!(
        send["description"]
            .as_str()
            .is_some_and(|d| d.contains("`template_id` must name an approved template")),
        "{send}"
    );
    assert_eq!(
        doc["components"]["schemas"]["SendMessageRequest"]["oneOf"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(
        doc["components"]["schemas"]["CreateContactRequest"]["properties"]["name"]["pattern"],
        botbat_api::contract::NOT_BLANK
    );

    let contact = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "No phone", "email": "np@example.com"}),
        )
        .await;
    let no_phone = contact.body["id"].as_str().expect("id");
    let template = sb
        .post(
            "/templates",
            &sb.admin,
            json!({"name": "draft_one", "language": "en", "category": "utility", "body": "Hi {{1}}"}),
        )
        .await;
    let draft = template.body["id"].as_str().expect("id");
    let campaign = sb
        .post(
            "/campaigns",
            &sb.admin,
            json!({"name": "Sms", "segment": "vip", "channel": "sms", "body": "Hello"}),
        )
        .await;
    let sms_campaign = campaign.body["id"].as_str().expect("id");

    let cases: Vec<(&str, &str, Method, String, Option<Value>)> = vec![
        (
            "/v1/messages/send",
            "post",
            Method::POST,
            "/messages/send".into(),
            Some(json!({"contact_id": no_phone, "channel": "whatsapp", "template_id": draft})),
        ),
        (
            "/v1/messages/send",
            "post",
            Method::POST,
            "/messages/send".into(),
            Some(json!({"contact_id": "ct_missing", "channel": "sms", "body": "Hi"})),
        ),
        (
            "/v1/campaigns/{id}/send",
            "post",
            Method::POST,
            format!("/campaigns/{sms_campaign}/send"),
            Some(json!({"send_at": "2000-01-01T00:00:00Z"})),
        ),
        (
            "/v1/campaigns/{id}",
            "put",
            Method::PUT,
            format!("/campaigns/{sms_campaign}"),
            Some(json!({"template_id": draft})),
        ),
        (
            "/v1/campaigns/{id}",
            "put",
            Method::PUT,
            format!("/campaigns/{sms_campaign}"),
            Some(json!({"body": "x".repeat(1601)})),
        ),
        (
            "/v1/templates",
            "post",
            Method::POST,
            "/templates".into(),
            Some(
                json!({"name": "gap", "language": "en", "category": "utility", "body": "Hi {{2}}"}),
            ),
        ),
        (
            "/v1/contacts",
            "get",
            Method::GET,
            "/contacts?cursor=bm9wZTox".into(),
            None,
        ),
        (
            "/v1/usage/requests",
            "get",
            Method::GET,
            "/usage/requests?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z".into(),
            None,
        ),
    ];
    for (path, method, verb, url, body) in cases {
        let reply = sb.call(verb, &url, Some(&sb.admin), body).await;
        assert!(
            reply.status.is_client_error(),
            "{method} {url}: {}",
            reply.text
        );
        assert!(
            is_published_refusal(&doc, path, method, &reply),
            "{method} {url} answered a refusal its operation does not publish: {}",
            reply.text
        );
    }
}
