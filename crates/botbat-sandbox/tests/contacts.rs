//! Contacts over real HTTP: validation, duplicates reported not merged, filters, paging,
//! fuzzy search, updates that clear fields, deletion, and scopes.

mod common;

use botbat_api::Plan;
use common::TestSandbox;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(sb: &TestSandbox, body: Value) -> Value {
    let reply = sb.post("/contacts", &sb.admin, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

#[tokio::test]
async fn contacts_are_validated_and_duplicates_are_reported_not_merged() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let ada = create(
        &sb,
        json!({"name": " Ada Lovelace ", "email": "Ada@Example.com", "phone": "+447700900123", "tags": ["vip", "vip", "beta"]}),
    )
    .await;
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(
        ada["email"], "ada@example.com",
        "emails are compared case-insensitively"
    );
    assert_eq!(ada["tags"], json!(["vip", "beta"]));
    assert!(ada["id"].as_str().is_some_and(|id| id.starts_with("ct_")));

    let bad = sb
        .post(
            "/contacts",
            &sb.admin,
            json!({"name": "", "email": "not-an-email", "phone": "07700 900123", "tags": [""]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "email", "phone", "tags[0]"]);
    assert!(bad.text.contains("E.164"));

    for (body, field) in [
        (
            json!({"name": "Ada again", "phone": "+447700900123"}),
            "phone",
        ),
        (
            json!({"name": "Ada again", "email": "ADA@example.com"}),
            "email",
        ),
    ] {
        let dup = sb.post("/contacts", &sb.admin, body).await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.text);
        assert_eq!(dup.body["error"]["details"][0]["field"], field);
        assert!(dup.message().contains(ada["id"].as_str().expect("id")));
    }
    let list = sb.get("/contacts", &sb.admin).await;
    assert_eq!(list.body["total"], 1, "nothing was merged or created");
}

#[tokio::test]
async fn contacts_filter_page_update_and_delete() {
    let sb = TestSandbox::unlimited().await;
    for i in 0..30 {
        let segment = if i % 3 == 0 { "vip" } else { "standard" };
        let tags = if i % 2 == 0 {
            json!(["newsletter"])
        } else {
            json!([])
        };
        create(
            &sb,
            json!({"name": format!("Contact {i}"), "phone": format!("+1415555{i:04}"), "segment": segment, "tags": tags}),
        )
        .await;
    }
    let vip = sb.get("/contacts?segment=vip&limit=100", &sb.admin).await;
    assert_eq!(vip.body["total"], 10);
    let tagged = sb
        .get("/contacts?tag=newsletter&limit=100", &sb.admin)
        .await;
    assert_eq!(tagged.body["total"], 15);
    let both = sb
        .get("/contacts?tag=newsletter&segment=vip", &sb.admin)
        .await;
    assert_eq!(both.body["total"], 5);
    let future = sb
        .get("/contacts?created_from=2999-01-01T00:00:00Z", &sb.admin)
        .await;
    assert_eq!(future.body["total"], 0);
    let backwards = sb
        .get(
            "/contacts?created_from=2030-01-01T00:00:00Z&created_to=2020-01-01T00:00:00Z",
            &sb.admin,
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);

    let first = sb.get("/contacts?limit=20", &sb.admin).await;
    let cursor = first.body["cursor"].as_str().expect("a second page");
    let second = sb
        .get(&format!("/contacts?limit=20&cursor={cursor}"), &sb.admin)
        .await;
    assert_eq!(second.body["data"].as_array().expect("data").len(), 10);
    assert!(second.body["cursor"].is_null());

    let id = first.body["data"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let updated = sb
        .call(
            Method::PUT,
            &format!("/contacts/{id}"),
            Some(&sb.admin),
            Some(json!({"segment": null, "tags": ["churn-risk"], "email": "c@example.com"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert!(updated.body["segment"].is_null(), "null clears");
    assert_eq!(updated.body["tags"], json!(["churn-risk"]));
    assert_eq!(
        updated.body["phone"], first.body["data"][0]["phone"],
        "omitted keeps"
    );
    let taken = sb
        .call(
            Method::PUT,
            &format!(
                "/contacts/{}",
                first.body["data"][1]["id"].as_str().expect("id")
            ),
            Some(&sb.admin),
            Some(json!({"email": "c@example.com"})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);

    let deleted = sb
        .call(
            Method::DELETE,
            &format!("/contacts/{id}"),
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = sb.get(&format!("/contacts/{id}"), &sb.admin).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "not_found");
}

#[tokio::test]
async fn search_forgives_typos_parts_and_phone_formats() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    create(&sb, json!({"name": "Ada Lovelace", "email": "ada@analytical.example", "phone": "+447700900123"})).await;
    create(
        &sb,
        json!({"name": "Grace Hopper", "email": "grace@navy.example", "phone": "+12025550147"}),
    )
    .await;
    create(
        &sb,
        json!({"name": "Alan Turing", "email": "alan@bletchley.example"}),
    )
    .await;
    let names = |reply: &common::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    for (q, expect) in [
        ("lovelace", "Ada Lovelace"),
        ("lovelase", "Ada Lovelace"),
        ("grase hopper", "Grace Hopper"),
        ("navy", "Grace Hopper"),
        ("5550147", "Grace Hopper"),
        ("07700%20900123", "Ada Lovelace"),
        ("%2B44%207700%20900123", "Ada Lovelace"),
        ("bletchly", "Alan Turing"),
    ] {
        let reply = sb.get(&format!("/contacts/search?q={q}"), &sb.admin).await;
        assert_eq!(reply.status, StatusCode::OK, "{q}: {}", reply.text);
        assert_eq!(
            names(&reply).first().map(String::as_str),
            Some(expect),
            "q={q}"
        );
    }
    let nothing = sb.get("/contacts/search?q=zzzz", &sb.admin).await;
    assert_eq!(nothing.body["total"], 0);
    let empty = sb.get("/contacts/search?q=%20", &sb.admin).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn contact_routes_need_their_scopes() {
    let sb = TestSandbox::start(Plan::Enterprise).await;
    let (_, reader) = sb.create_key("reader", &["contacts:read"]).await;
    assert_eq!(sb.get("/contacts", &reader).await.status, StatusCode::OK);
    assert_eq!(
        sb.get("/contacts/search?q=a", &reader).await.status,
        StatusCode::OK
    );
    let write = sb.post("/contacts", &reader, json!({"name": "x"})).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    assert!(write.message().contains("contacts:write"));
}

#[tokio::test]
async fn concurrent_creates_of_one_phone_make_one_contact_and_409s_naming_it() {
    let sb = TestSandbox::unlimited().await;
    let attempts = (0..6).map(|i| {
        sb.post(
            "/contacts",
            &sb.admin,
            json!({"name": format!("Racer {i}"), "phone": "+447700900777"}),
        )
    });
    let replies = futures::future::join_all(attempts).await;
    let created: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert_eq!(created.len(), 1, "exactly one create wins");
    let winner = created[0].body["id"].as_str().expect("id");
    for reply in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
        assert_eq!(reply.body["error"]["details"][0]["field"], "phone");
        assert!(reply.message().contains(winner), "{}", reply.text);
    }
    let list = sb.get("/contacts", &sb.admin).await;
    assert_eq!(list.body["total"], 1);
}

#[tokio::test]
async fn a_filtered_list_totals_the_rows_its_pages_return() {
    let sb = TestSandbox::unlimited().await;
    for i in 0..7 {
        let segment = if i % 3 == 0 { "other" } else { "vip" };
        create(
            &sb,
            json!({"name": format!("Person {i}"), "email": format!("p{i}@example.com"), "segment": segment, "tags": ["t"]}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut path = "/contacts?segment=vip&tag=t&limit=2".to_string();
    loop {
        let page = sb.get(&path, &sb.admin).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert_eq!(page.body["total"], 4, "{}", page.text);
        for contact in page.body["data"].as_array().expect("data") {
            assert_eq!(contact["segment"], "vip");
            seen.push(contact["id"].as_str().expect("id").to_string());
        }
        match page.body["cursor"].as_str() {
            Some(cursor) => path = format!("/contacts?segment=vip&tag=t&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
    seen.dedup();
    assert_eq!(seen.len(), 4, "no contact twice");
}
