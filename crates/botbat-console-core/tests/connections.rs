//! Connections to Botbiz and Botmaker, against their stand-ins over real HTTP on loopback,
//! with the list in a real file and the credential in the real keychain under
//! `scripts/with-keyring.sh` (memory otherwise): saved, tested the platform's way, explained
//! when refused or unreachable, and removed with their credential.

mod common;

use std::sync::Arc;

use botbat_console_core::connections::{
    ConnectionEdit, Connections, NewConnection, Platform, CONNECTIONS_FILE,
};
use botbat_console_core::{Code, ConsoleCode};
use botbat_sandbox::standins::{botbiz, botmaker};
use botbat_secrets::{AsyncSecrets, MemoryStore};

fn new(platform: Platform, label: &str, base_url: &str, credential: &str) -> NewConnection {
    NewConnection {
        platform,
        label: label.to_string(),
        base_url: Some(base_url.to_string()),
        credential: credential.to_string(),
    }
}

#[tokio::test]
async fn each_platform_is_tested_its_own_way_and_a_refusal_is_explained() {
    let data = tempfile::tempdir().expect("temp dir");
    let botbiz = botbiz::start(botbiz::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data.path().join("botbiz"),
        plan: botbiz::Plan::Free,
        key: None,
    })
    .await
    .expect("the Botbiz stand-in");
    let botmaker = botmaker::start(botmaker::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data.path().join("botmaker"),
        per_second: 5,
        token: None,
    })
    .await
    .expect("the Botmaker stand-in");
    let key = botbiz
        .generated_key
        .as_ref()
        .expect("key")
        .expose()
        .to_string();
    let token = botmaker
        .generated_key
        .as_ref()
        .expect("token")
        .expose()
        .to_string();

    let dir = tempfile::tempdir().expect("console dir");
    let secrets = common::keychain_or_memory("connections");
    let connections = Connections::new(dir.path(), AsyncSecrets::new(secrets.clone()))
        .with_transport(botbat_api::http_transport().expect("the shared transport"));
    let biz = connections
        .add(new(Platform::Botbiz, "Acme Botbiz", &botbiz.base_url, &key))
        .await
        .expect("added");
    let maker = connections
        .add(new(
            Platform::Botmaker,
            "Acme Botmaker",
            &botmaker.base_url,
            &token,
        ))
        .await
        .expect("added");
    // The list on disk holds no secret: only a masked form.
    let file = std::fs::read_to_string(dir.path().join(CONNECTIONS_FILE)).expect("the list");
    assert!(
        file.contains("Acme Botbiz") && file.contains(&maker.id),
        "{file}"
    );
    assert!(
        !file.contains(&key) && !file.contains(&token),
        "a secret reached the disk: {file}"
    );
    assert!(
        !file.contains(&key[..12]),
        "more than a masked start reached the disk"
    );

    for id in [&biz.id, &maker.id] {
        let check = connections.test(id).await.expect("tested");
        assert!(check.ok, "{}", check.explanation);
        assert_eq!(check.status, Some(200));
        assert!(check.latency_ms.is_some_and(|ms| ms > 0.0));
        assert!(
            check.explanation.starts_with("Connected to"),
            "{}",
            check.explanation
        );
    }

    // A wrong credential: each platform's 401, read from its own error format.
    let wrong_biz = connections
        .add(new(
            Platform::Botbiz,
            "Wrong key",
            &botbiz.base_url,
            "bz_wrongwrongwrong",
        ))
        .await
        .expect("added");
    let check = connections.test(&wrong_biz.id).await.expect("tested");
    assert!(!check.ok);
    assert_eq!(check.status, Some(401));
    assert!(
        check.explanation.contains("No valid API key provided"),
        "{}",
        check.explanation
    );
    assert!(
        check.explanation.contains("Botbiz's dashboard"),
        "{}",
        check.explanation
    );
    // The key fixed in place: the same connection (id, history, captures), the right key
    // now in the keychain, renamed; an empty credential keeps the kept one.
    let fixed = connections
        .edit(
            &wrong_biz.id,
            ConnectionEdit {
                label: "Fixed key".into(),
                base_url: Some(botbiz.base_url.clone()),
                credential: Some(key.clone()),
            },
        )
        .await
        .expect("edited");
    assert_eq!(fixed.id, wrong_biz.id);
    assert_eq!(fixed.label, "Fixed key");
    assert_ne!(fixed.masked_credential, wrong_biz.masked_credential);
    assert!(connections.test(&fixed.id).await.expect("tested").ok);
    let kept = connections
        .edit(
            &fixed.id,
            ConnectionEdit {
                label: "Fixed key".into(),
                base_url: Some(botbiz.base_url.clone()),
                credential: None,
            },
        )
        .await
        .expect("edited");
    assert_eq!(kept.masked_credential, fixed.masked_credential);
    assert!(connections.test(&fixed.id).await.expect("tested").ok);
    for (edit, field) in [
        (
            ConnectionEdit {
                label: "acme botbiz".into(),
                base_url: None,
                credential: None,
            },
            "label",
        ),
        (
            ConnectionEdit {
                label: "Fixed key".into(),
                base_url: Some("ftp://example.com".into()),
                credential: None,
            },
            "base_url",
        ),
        (
            ConnectionEdit {
                label: "Fixed key".into(),
                base_url: None,
                credential: Some("short".into()),
            },
            "credential",
        ),
    ] {
        let error = connections
            .edit(&fixed.id, edit)
            .await
            .expect_err("refused");
        assert_eq!(error.details[0].field, field, "{}", error.message);
    }
    assert_eq!(
        connections.get(&fixed.id).expect("kept"),
        kept,
        "a refusal changes nothing"
    );
    let error = connections
        .edit(
            "conn_nope",
            ConnectionEdit {
                label: "x".into(),
                base_url: None,
                credential: None,
            },
        )
        .await
        .expect_err("unknown");
    assert_eq!(error.code, Code::Platform(botbat_api::ErrorCode::NotFound));

    let wrong_maker = connections
        .add(new(
            Platform::Botmaker,
            "Wrong token",
            &botmaker.base_url,
            "not-the-token-at-all",
        ))
        .await
        .expect("added");
    let check = connections.test(&wrong_maker.id).await.expect("tested");
    assert_eq!(check.status, Some(401));
    assert!(
        check.explanation.contains("access token is not valid"),
        "{}",
        check.explanation
    );

    // An unreachable host: nothing listens there once the stand-in stops.
    let base = botmaker.base_url.clone();
    botmaker.shutdown().await;
    let check = connections.test(&maker.id).await.expect("tested");
    assert!(!check.ok);
    assert_eq!(check.status, None);
    assert!(
        check.explanation.contains("unreachable"),
        "{}",
        check.explanation
    );
    assert!(check.explanation.contains(&base), "{}", check.explanation);

    // Removed with its credential: a second removal finds nothing.
    connections.remove(&wrong_biz.id).await.expect("removed");
    let error = connections.remove(&wrong_biz.id).await.expect_err("gone");
    assert_eq!(error.code, Code::Platform(botbat_api::ErrorCode::NotFound));
    let listed: Vec<String> = connections
        .list()
        .expect("list")
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(listed, ["Acme Botbiz", "Acme Botmaker", "Wrong token"]);
    for connection in connections.list().expect("list") {
        connections.remove(&connection.id).await.expect("removed");
    }
    botbiz.shutdown().await;
}

#[tokio::test]
async fn bad_input_says_what_to_fix_and_a_broken_list_is_not_overwritten() {
    let dir = tempfile::tempdir().expect("console dir");
    let connections = Connections::new(dir.path(), AsyncSecrets::new(Arc::new(MemoryStore::new())));
    for (input, field, expected) in [
        (
            new(Platform::Botbiz, " ", "", "bz_0123456789"),
            "label",
            "1 to 60 characters",
        ),
        (
            new(
                Platform::Botbiz,
                "A",
                "http://api.botbiz.io/v1",
                "bz_0123456789",
            ),
            "base_url",
            "https://",
        ),
        (
            new(Platform::Botbiz, "A", "botbiz", "bz_0123456789"),
            "base_url",
            "https://api.botbiz.io/v1",
        ),
        (
            new(Platform::Botmaker, "A", "", "short"),
            "credential",
            "Generate Credentials",
        ),
        (
            new(Platform::Botbiz, "A", "", "has spaces in it"),
            "credential",
            "without spaces",
        ),
    ] {
        let error = connections.add(input).await.expect_err("refused");
        assert_eq!(error.code, Code::Console(ConsoleCode::InvalidInput));
        assert_eq!(error.details[0].field, field);
        assert!(
            error.details[0].issue.contains(expected),
            "{}",
            error.details[0].issue
        );
    }
    // An empty base URL is the platform's production one.
    let made = connections
        .add(NewConnection {
            platform: Platform::Botmaker,
            label: "Prod".to_string(),
            base_url: None,
            credential: "a-token-of-some-length".to_string(),
        })
        .await
        .expect("added");
    assert_eq!(made.base_url, "https://api.botmaker.com/v2.0");
    assert_eq!(
        made.masked_credential.matches('…').count(),
        1,
        "{}",
        made.masked_credential
    );
    let error = connections
        .add(new(Platform::Botbiz, "prod", "", "bz_0123456789"))
        .await
        .expect_err("the same name twice");
    assert!(
        error.details[0].issue.contains("already called"),
        "{}",
        error.details[0].issue
    );

    std::fs::write(dir.path().join(CONNECTIONS_FILE), b"{not json").expect("planted");
    let error = connections.list().expect_err("a broken list is an error");
    assert_eq!(error.code, Code::Console(ConsoleCode::LocalStorage));
    assert!(
        error.message.contains(CONNECTIONS_FILE),
        "{}",
        error.message
    );
    connections
        .add(new(Platform::Botbiz, "B", "", "bz_0123456789"))
        .await
        .expect_err("nothing is added over a list that cannot be read");
    assert_eq!(
        std::fs::read(dir.path().join(CONNECTIONS_FILE)).expect("kept"),
        b"{not json"
    );
}
