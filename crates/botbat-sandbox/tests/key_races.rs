//! Rotation and revocation under concurrency, over real HTTP: one rotation of a key wins,
//! and a rotation racing a revocation never leaves a live key descended from a revoked one.

mod common;

use common::TestSandbox;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn key(sb: &TestSandbox, id: &str) -> Value {
    let reply = sb.get(&format!("/api_keys/{id}"), &sb.admin).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body
}

/// Keys rotated from `id`, read from the list (the database), not from a response.
async fn replacements_of(sb: &TestSandbox, id: &str) -> Vec<Value> {
    let reply = sb.get("/api_keys?limit=100", &sb.admin).await;
    reply.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|k| k["rotated_from"] == json!(id))
        .cloned()
        .collect()
}

#[tokio::test]
async fn eight_concurrent_rotations_make_exactly_one_replacement() {
    let sb = TestSandbox::unlimited().await;
    let (id, _) = sb.create_key("crm", &["contacts:read"]).await;
    let path = format!("/api_keys/{id}/rotate");
    let replies =
        join_all((0..8).map(|_| sb.post(&path, &sb.admin, json!({"grace_period_seconds": 3600}))))
            .await;
    let created: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    let conflicts: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!(
        created.len(),
        1,
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(conflicts.len(), 7);
    for conflict in &conflicts {
        assert_eq!(conflict.code(), "conflict");
        assert!(
            conflict.message().contains("rotate"),
            "{}",
            conflict.message()
        );
    }

    let winner = &created[0].body["new_key"];
    let replacements = replacements_of(&sb, &id).await;
    assert_eq!(replacements.len(), 1, "one replacement in the database");
    assert_eq!(replacements[0]["id"], winner["id"]);
    assert_eq!(key(&sb, &id).await["replaced_by"], winner["id"]);
    let secret = winner["secret"].as_str().expect("secret");
    assert_eq!(sb.get("/me", secret).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_rotation_racing_a_revocation_leaves_no_active_orphan() {
    // The invariant, whichever commits first: the revocation always succeeds and the old key
    // stops working at once; a replacement exists only if the rotation succeeded, then it is
    // the old key's `replaced_by` and the one live key of the pair; if the rotation got 409,
    // no key was created from the revoked one. Both the database (the API's reads) and the
    // in-memory key index (authentication) must agree. All the races run at once, so that
    // they contend for the database and interleave.
    const RACES: usize = 30;
    let sb = TestSandbox::unlimited().await;
    let mut keys = Vec::new();
    for race in 0..RACES {
        keys.push(
            sb.create_key(&format!("race {race}"), &["usage:read"])
                .await,
        );
    }
    let outcomes = join_all(keys.iter().map(|(id, _)| {
        let rotate_path = format!("/api_keys/{id}/rotate");
        let revoke_path = format!("/api_keys/{id}");
        let sb = &sb;
        async move {
            tokio::join!(
                sb.post(
                    &rotate_path,
                    &sb.admin,
                    json!({"grace_period_seconds": 86400})
                ),
                sb.call(Method::DELETE, &revoke_path, Some(&sb.admin), None),
            )
        }
    }))
    .await;
    let (mut rotation_won, mut revocation_won) = (0, 0);
    for ((id, old_secret), (rotated, revoked)) in keys.iter().zip(outcomes) {
        assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
        let old = key(&sb, id).await;
        assert_eq!(old["status"], "revoked");
        assert_eq!(
            sb.get("/me", old_secret).await.status,
            StatusCode::UNAUTHORIZED,
            "the revoked key {id} still authenticates"
        );
        let replacements = replacements_of(&sb, id).await;
        match rotated.status {
            StatusCode::CREATED => {
                rotation_won += 1;
                let new_id = &rotated.body["new_key"]["id"];
                assert_eq!(replacements.len(), 1);
                assert_eq!(&replacements[0]["id"], new_id);
                assert_eq!(replacements[0]["status"], "active");
                assert_eq!(&old["replaced_by"], new_id);
                let secret = rotated.body["new_key"]["secret"].as_str().expect("secret");
                assert_eq!(sb.get("/me", secret).await.status, StatusCode::OK);
            }
            StatusCode::CONFLICT => {
                revocation_won += 1;
                assert!(
                    rotated.message().contains("revoked"),
                    "{}",
                    rotated.message()
                );
                assert!(
                    replacements.is_empty(),
                    "the revoked key {id} was given a replacement"
                );
                assert_eq!(old["replaced_by"], Value::Null);
            }
            other => panic!("rotation answered {other}: {}", rotated.text),
        }
    }
    assert_eq!(rotation_won + revocation_won, RACES);
}

#[tokio::test]
async fn a_second_revocation_is_409_and_an_unknown_key_404() {
    let sb = TestSandbox::unlimited().await;
    let (id, _) = sb.create_key("once", &["usage:read"]).await;
    let path = format!("/api_keys/{id}");
    let replies =
        join_all((0..4).map(|_| sb.call(Method::DELETE, &path, Some(&sb.admin), None))).await;
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::NO_CONTENT)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        3,
        "{statuses:?}"
    );
    let missing = sb
        .call(
            Method::DELETE,
            "/api_keys/key_missing",
            Some(&sb.admin),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing = sb
        .post(
            "/api_keys/key_missing/rotate",
            &sb.admin,
            json!({"grace_period_seconds": 0}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
