//! Every `botbat` command as a process against a real sandbox on loopback (or a `--live`
//! stand-in for Production): `--json` output parsed as JSON, and each exit code.

mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use botbat_api::Plan;
use botbat_console_core::tryit::History;
use botbat_console_core::Environment;
use common::*;
use serde_json::Value;

#[test]
fn help_documents_exit_codes_and_completions_generate() {
    let profile = Profile::new(None);
    let help = profile.run(&["--help"]);
    help.expect_code(0);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    assert!(help.stdout.contains("4  refused by a safety rule"));
    for command in [
        "listen", "trigger", "logs", "request", "keys", "webhooks", "usage", "status", "env",
    ] {
        profile.run(&[command, "--help"]).expect_code(0);
    }
    let bash = profile.run(&["completion", "bash"]);
    bash.expect_code(0);
    assert!(
        bash.stdout.contains("_botbat()"),
        "a bash completion function"
    );
    for shell in ["zsh", "fish"] {
        assert!(!profile
            .run(&["completion", shell])
            .expect_code(0)
            .stdout
            .is_empty());
    }
    profile.run(&["keys", "frobnicate"]).expect_code(2);
    profile.run(&["--env", "staging", "status"]).expect_code(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_explains_success_401_unreachable_and_refuses_a_key_of_the_other_environment() {
    let platform = Platform::start(Plan::Starter, false).await;
    let profile = Profile::new(Some(&platform.key));
    let status = profile.run(&["status", "--json", "--base-url", &platform.base_url]);
    status.expect_code(0);
    let json = status.json();
    assert_eq!(json["environment"], "sandbox");
    assert_eq!(json["plan"], "starter");
    assert_eq!(json["limits"]["per_key"]["limit"], 5);
    assert!(json["latency_ms"].as_f64().is_some());
    let masked = json["key"]["masked"].as_str().expect("masked");
    assert!(masked.starts_with("bb_test_…") && !status.stdout.contains(&platform.key));
    assert_eq!(json["credential"], "env");

    let human = profile.run(&["status", "--base-url", &platform.base_url]);
    human.expect_code(0);
    assert!(human.stdout.contains("starter") && human.stdout.contains(masked));

    let stranger = Profile::new(Some(&test_key(false)));
    let refused = stranger.run(&["status", "--base-url", &platform.base_url]);
    refused.expect_code(1);
    assert!(refused.stderr.contains("HTTP 401"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("BOTBAT_API_KEY"),
        "advice: {}",
        refused.stderr
    );

    let down = profile.run(&["status", "--json", "--base-url", "http://127.0.0.1:9/v1"]);
    down.expect_code(3);
    let error: Value = serde_json::from_str(down.stderr.trim()).expect("JSON error on stderr");
    assert_eq!(error["error"]["code"], "unreachable");

    let crossed = profile.run(&[
        "--env",
        "production",
        "status",
        "--base-url",
        "http://127.0.0.1:9/v1",
    ]);
    crossed.expect_code(2);
    assert!(crossed.stderr.contains("Sandbox key"), "{}", crossed.stderr);
}

#[test]
fn env_shows_and_switches_the_window_s_preference() {
    let profile = Profile::new(None);
    let shown = profile.run(&["env", "--json"]);
    shown.expect_code(0);
    assert_eq!(shown.json()["active"], "sandbox");
    profile.run(&["env", "use", "production"]).expect_code(0);
    let file: Value = serde_json::from_slice(
        &std::fs::read(profile.path().join("preferences.json")).expect("preferences file"),
    )
    .expect("json");
    assert_eq!(
        file["preferences"]["active_environment"], "production",
        "the window's store format: {file}"
    );
    let after = profile.run(&["env", "--json"]);
    assert_eq!(after.json()["active"], "production");
    let one_off = profile.run(&["--env", "sandbox", "env", "--json"]);
    assert_eq!(
        one_off.json()["active"],
        "production",
        "--env never persists"
    );
}

fn key_secret(run: &Run) -> (String, String) {
    let json = run.json();
    (
        json["key"]["id"].as_str().expect("id").to_string(),
        json["secret"].as_str().expect("secret").to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_rotate_then_revoke_and_no_secret_is_left_in_any_file() {
    let platform = Platform::start(Plan::Starter, false).await;
    let profile = Profile::new(Some(&platform.key));
    let base = platform.base_url.as_str();
    let canary = test_key(false);
    std::fs::write(profile.path().join("canary.txt"), &canary).expect("canary");
    assert_eq!(
        files_containing(profile.path(), &canary).len(),
        1,
        "the scan finds a planted secret"
    );
    std::fs::remove_file(profile.path().join("canary.txt")).expect("remove");

    let created = profile.run(&[
        "keys",
        "create",
        "--json",
        "--base-url",
        base,
        "--name",
        "CRM sync",
        "--scope",
        "contacts:read",
        "--scope",
        "contacts:write",
    ]);
    created.expect_code(0);
    let (id, first_secret) = key_secret(&created);
    assert!(first_secret.starts_with("bb_test_"));
    assert_eq!(created.json()["kept_in_keychain"], false);

    let human = profile.run(&[
        "keys",
        "create",
        "--base-url",
        base,
        "--name",
        "other",
        "--scope",
        "usage:read",
    ]);
    human.expect_code(0);
    assert!(
        human.stdout.contains("Secret (shown once): bb_test_"),
        "{}",
        human.stdout
    );
    assert!(human.stderr.contains("Not stored anywhere"));

    let rotated = profile.run(&[
        "keys",
        "rotate",
        &id,
        "--grace",
        "1h",
        "--json",
        "--base-url",
        base,
    ]);
    rotated.expect_code(0);
    let (new_id, second_secret) = key_secret(&rotated);
    assert_ne!(new_id, id);
    assert_eq!(rotated.json()["old_key"]["id"], id);
    assert_eq!(rotated.json()["old_key"]["status"], "expiring");

    let list = profile.run(&["keys", "list", "--json", "--base-url", base]);
    list.expect_code(0);
    let keys = list.json();
    assert!(keys
        .as_array()
        .expect("rows")
        .iter()
        .any(|r| r["key"]["id"] == new_id));

    let unconfirmed = profile.run(&["keys", "revoke", &new_id, "--base-url", base]);
    unconfirmed.expect_code(2);
    let mut typed = profile.command(&["keys", "revoke", &new_id, "--json", "--base-url", base]);
    typed
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = typed.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"wrong name\n")
        .expect("write");
    assert_eq!(
        child.wait_with_output().expect("output").status.code(),
        Some(2)
    );
    let mut typed = profile.command(&["keys", "revoke", &new_id, "--json", "--base-url", base]);
    typed
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = typed.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"CRM sync\n")
        .expect("write");
    let output = child.wait_with_output().expect("output");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let revoked: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(revoked["status"], "revoked");
    profile
        .run(&["keys", "revoke", &id, "--yes", "--base-url", base])
        .expect_code(0);

    for secret in [&first_secret, &second_secret, &platform.key] {
        assert!(
            files_containing(profile.path(), secret).is_empty(),
            "a secret was written under the profile"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn production_refuses_writes_without_confirm_production() {
    // Enterprise limits: a dozen commands in a row on one key would otherwise meet Starter's
    // 5 requests a second, and a single `request` shows a 429 as the platform's answer.
    let mut live = Platform::start(Plan::Enterprise, true).await;
    let profile = Profile::new(Some(&live.key));
    let base = live.base_url.clone();
    let prod = |args: &[&str]| {
        let mut all = vec!["--env", "production", "--base-url", base.as_str()];
        all.extend_from_slice(args);
        profile.run(&all)
    };
    prod(&["status", "--json"]).expect_code(0);
    let refused = prod(&["keys", "create", "--name", "ops", "--scope", "usage:read"]);
    refused.expect_code(4);
    assert!(
        refused.stderr.contains("--confirm production"),
        "{}",
        refused.stderr
    );
    let listed = prod(&["keys", "list", "--json"]);
    assert_eq!(
        listed.json().as_array().expect("rows").len(),
        1,
        "nothing was created"
    );

    let created = prod(&[
        "keys",
        "create",
        "--name",
        "ops",
        "--scope",
        "usage:read",
        "--json",
        "--confirm",
        "production",
    ]);
    created.expect_code(0);
    let (id, secret) = key_secret(&created);
    assert!(secret.starts_with("bb_live_"));
    prod(&["keys", "rotate", &id, "--grace", "0"]).expect_code(4);
    prod(&["keys", "revoke", &id, "--yes"]).expect_code(4);
    prod(&["keys", "revoke", &id, "--yes", "--confirm", "production"]).expect_code(0);
    prod(&[
        "webhooks",
        "create",
        "--url",
        "https://example.com/hook",
        "--events",
        "*",
    ])
    .expect_code(4);
    prod(&[
        "request",
        "POST",
        "/v1/contacts",
        "-d",
        r#"{"name":"A","phone":"+447700900123"}"#,
    ])
    .expect_code(4);
    prod(&["request", "GET", "/v1/contacts", "--json"]).expect_code(0);
    prod(&["trigger", "message.delivered"]).expect_code(4);

    let sandbox_profile = Profile::new(Some(&test_key(false)));
    let mismatch = sandbox_profile.run(&[
        "keys",
        "create",
        "--name",
        "x",
        "--scope",
        "usage:read",
        "--confirm",
        "production",
        "--base-url",
        "http://127.0.0.1:9/v1",
    ]);
    mismatch.expect_code(4);

    // A bb_live_ key never leaves this machine over plain HTTP: refused before sending.
    let cleartext = profile.run(&[
        "--env",
        "production",
        "--base-url",
        "http://192.0.2.1/v1",
        "request",
        "GET",
        "/v1/contacts",
    ]);
    cleartext.expect_code(4);
    assert!(
        cleartext.stderr.contains("https://"),
        "{}",
        cleartext.stderr
    );
    assert!(files_containing(profile.path(), &secret).is_empty());
    live.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_and_trigger_follow_an_event_to_its_first_delivery() {
    let platform = Platform::start(Plan::Starter, false).await;
    let receiver = Receiver::start().await;
    let profile = Profile::new(Some(&platform.key));
    let base = platform.base_url.as_str();
    let hook_url = format!("{}/hooks", receiver.url);
    let created = profile.run(&[
        "webhooks",
        "create",
        "--url",
        &hook_url,
        "--events",
        "message.delivered",
        "--json",
        "--base-url",
        base,
    ]);
    created.expect_code(0);
    let hook = created.json();
    let hook_id = hook["webhook"]["id"].as_str().expect("id").to_string();
    assert!(hook["secret"]
        .as_str()
        .expect("secret")
        .starts_with("whsec_"));

    let listed = profile.run(&["webhooks", "list", "--json", "--base-url", base]);
    listed.expect_code(0);
    assert_eq!(listed.json()[0]["webhook"]["id"], hook_id);
    let table = profile.run(&["webhooks", "list", "--base-url", base]);
    assert!(table.stdout.contains(&hook_id) && table.stdout.contains("enabled"));

    let fired = profile.run(&[
        "trigger",
        "message.delivered",
        "--set",
        "data.n=5",
        "--set",
        "data.note=hi",
        "--json",
        "--base-url",
        base,
    ]);
    fired.expect_code(0);
    let report = fired.json();
    let event_id = report["event"]["id"].as_str().expect("event").to_string();
    assert_eq!(report["event"]["data"]["n"], 5);
    assert_eq!(report["deliveries"][0]["webhook_id"], hook_id);
    assert_eq!(
        report["deliveries"][0]["first_attempt"]["response_status"],
        200
    );
    assert!(receiver.event_ids().contains(&event_id));

    let failing = profile.run(&[
        "trigger",
        "message.delivered",
        "--fail-first",
        "--json",
        "--base-url",
        base,
    ]);
    failing.expect_code(0);
    let first = &failing.json()["deliveries"][0]["first_attempt"];
    assert!(
        first["response_status"].is_null() && first["error"].is_string(),
        "{first}"
    );

    let deliveries = profile.run(&[
        "webhooks",
        "deliveries",
        &hook_id,
        "--json",
        "--base-url",
        base,
    ]);
    deliveries.expect_code(0);
    let page = deliveries.json();
    let delivery_id = page["data"][0]["id"]
        .as_str()
        .expect("delivery")
        .to_string();
    let resent = profile.run(&[
        "webhooks",
        "resend",
        &hook_id,
        &delivery_id,
        "--json",
        "--base-url",
        base,
    ]);
    resent.expect_code(0);
    assert_eq!(resent.json()["id"], delivery_id);
    profile
        .run(&[
            "webhooks",
            "resend-failed",
            &hook_id,
            "--since",
            "1h",
            "--json",
            "--base-url",
            base,
        ])
        .expect_code(0);
    let rotated = profile.run(&[
        "webhooks",
        "rotate-secret",
        &hook_id,
        "--overlap",
        "1h",
        "--json",
        "--base-url",
        base,
    ]);
    rotated.expect_code(0);
    assert!(rotated.json()["previous_secret_expires_at"].is_string());
    profile
        .run(&[
            "webhooks",
            "deliveries",
            &hook_id,
            "--status",
            "sideways",
            "--base-url",
            base,
        ])
        .expect_code(2);
    let unknown = profile.run(&["trigger", "message.deliverd", "--base-url", base]);
    unknown.expect_code(2);
    assert!(
        unknown.stderr.contains("message.delivered"),
        "a suggestion: {}",
        unknown.stderr
    );
    profile
        .run(&[
            "webhooks",
            "deliveries",
            "we_doesnotexist",
            "--base-url",
            base,
        ])
        .expect_code(1);
}

#[tokio::test(flavor = "multi_thread")]
async fn request_validates_sends_pretty_prints_and_records_history() {
    // Enterprise limits: six requests in a row on one key would otherwise meet Starter's 5
    // a second, and a single `request` shows a 429 as the platform's answer.
    let platform = Platform::start(Plan::Enterprise, false).await;
    let profile = Profile::new(Some(&platform.key));
    let base = platform.base_url.as_str();
    let created = profile.run(&[
        "request",
        "POST",
        "/v1/contacts",
        "-d",
        r#"{"name":"Ann","phone":"+447700900123"}"#,
        "--json",
        "--base-url",
        base,
    ]);
    created.expect_code(0);
    let contact: Value = created.json();
    let id = contact["id"].as_str().expect("contact id").to_string();
    let fetched = profile.run(&[
        "request",
        "GET",
        &format!("/v1/contacts/{id}"),
        "-i",
        "--base-url",
        base,
    ]);
    fetched.expect_code(0);
    assert!(fetched.stdout.starts_with("HTTP 200"), "{}", fetched.stdout);
    assert!(fetched
        .stdout
        .to_ascii_lowercase()
        .contains("x-request-id:"));
    assert!(fetched.stdout.contains("\"name\": \"Ann\""), "pretty JSON");

    let invalid = profile.run(&[
        "request",
        "POST",
        "/v1/contacts",
        "-d",
        r#"{"phone":"not a phone"}"#,
        "--base-url",
        base,
    ]);
    invalid.expect_code(2);
    assert!(
        invalid.stderr.contains("name") && invalid.stderr.contains("phone"),
        "names each field: {}",
        invalid.stderr
    );
    let missing = profile.run(&[
        "request",
        "GET",
        "/v1/contacts/ct_nothere",
        "--json",
        "--base-url",
        base,
    ]);
    missing.expect_code(1);
    let dry = profile.run(&[
        "request",
        "GET",
        "/v1/contacts",
        "-q",
        "limit=5",
        "--dry-run",
        "--base-url",
        base,
    ]);
    dry.expect_code(0);
    assert!(dry.stdout.contains("curl") && dry.stdout.contains("limit=5"));
    assert!(dry.stdout.contains("BOTBAT_API_KEY") && !dry.stdout.contains(&platform.key));
    profile
        .run(&[
            "request",
            "GET",
            "/v1/contacts",
            "-H",
            "Authorization: Bearer x",
            "--base-url",
            base,
        ])
        .expect_code(2);
    // Try It's history holds what was sent, newest first, though no run closed it.
    let history = History::open(
        &profile.path().join("sandbox/history.sqlite"),
        Environment::Sandbox.as_str(),
    )
    .await
    .expect("Try It's history");
    let recorded: Vec<(String, String, u16)> = history
        .list("", 50)
        .await
        .expect("rows")
        .into_iter()
        .map(|item| (item.method, item.path, item.status))
        .collect();
    let expected = [
        ("GET", "/v1/contacts/{id}", 404),
        ("GET", "/v1/contacts/{id}", 200),
        ("POST", "/v1/contacts", 201),
    ]
    .map(|(method, path, status)| (method.to_string(), path.to_string(), status));
    assert_eq!(recorded, expected);
    assert!(files_containing(profile.path(), &platform.key).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn request_all_follows_250_contacts_at_starter_limits_without_a_429() {
    let platform = Platform::start(Plan::Starter, false).await;
    let mut csv = String::from("name,phone\n");
    for n in 0..250 {
        csv.push_str(&format!("Contact {n},+4477009{n:05}\n"));
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(csv)
            .file_name("contacts.csv")
            .mime_str("text/csv")
            .expect("mime"),
    );
    let job: Value = platform
        .http
        .post(format!("{}/contacts/import", platform.base_url))
        .bearer_auth(&platform.key)
        .multipart(form)
        .send()
        .await
        .expect("import")
        .json()
        .await
        .expect("job");
    let job_id = job["id"].as_str().expect("job id").to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, _, state) = platform
            .call(reqwest::Method::GET, &format!("/jobs/{job_id}"), None)
            .await;
        if state["imported"] == 250 {
            break;
        }
        assert!(Instant::now() < deadline, "import did not finish: {state}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // The CLI gets a key of its own, so the test's calls above (on the admin key) cannot
    // have spent its per-second window before it starts: any 429 would be the CLI's.
    let (status, _, cli_key) = platform
        .call(
            reqwest::Method::POST,
            "/api_keys",
            Some(serde_json::json!({"name": "contacts reader", "scopes": ["contacts:read"]})),
        )
        .await;
    assert_eq!(status, 201, "{cli_key}");
    let cli_key_id = cli_key["id"].as_str().expect("key id").to_string();
    let cli_secret = cli_key["secret"].as_str().expect("secret").to_string();
    let started = chrono::Utc::now();
    let profile = Profile::new(Some(&cli_secret));
    let all = profile.run(&[
        "request",
        "GET",
        "/v1/contacts",
        "-q",
        "limit=25",
        "--all",
        "--json",
        "--base-url",
        &platform.base_url,
    ]);
    all.expect_code(0);
    let items = all.json();
    assert_eq!(items.as_array().expect("array").len(), 250);
    let (status, _, limited) = platform
        .call(
            reqwest::Method::GET,
            &format!(
                "/usage/requests?rate_limited=true&key_id={cli_key_id}&from={}",
                started.to_rfc3339().replace('+', "%2B")
            ),
            None,
        )
        .await;
    assert_eq!(status, 200, "the request log: {limited}");
    assert_eq!(limited["total"], 0, "no 429 earned: {limited}");
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_tail_shows_another_client_s_request_within_2_seconds() {
    let platform = Platform::start(Plan::Starter, false).await;
    let profile = Profile::new(Some(&platform.key));
    let mut tail = profile.spawn(&["logs", "tail", "--json", "--base-url", &platform.base_url]);
    let (_, headers, _) = platform.call(reqwest::Method::GET, "/contacts", None).await;
    let warm_up = headers["x-request-id"].to_str().expect("id").to_string();
    tail.json_line(Duration::from_secs(60), |l| {
        l["request_id"] == warm_up.as_str()
    });

    let (_, headers, _) = platform
        .call(reqwest::Method::GET, "/contacts?limit=3", None)
        .await;
    let seen_at = Instant::now();
    let request_id = headers["x-request-id"].to_str().expect("id").to_string();
    let line = tail.json_line(Duration::from_secs(2), |l| {
        l["request_id"] == request_id.as_str()
    });
    assert!(seen_at.elapsed() <= Duration::from_secs(2));
    assert_eq!(line["route"], "/v1/contacts");
    assert_eq!(line["status"], 200);
    assert!(line["key_id"].as_str().expect("key").starts_with("key_"));
    assert!(
        tail.seen.iter().all(|l| !l.contains("/v1/usage/requests")),
        "the tail's own polls are not shown"
    );
    assert_eq!(tail.stop(), Some(0));

    let limited = profile.run(&[
        "logs",
        "tail",
        "--no-follow",
        "--status",
        "6xx",
        "--base-url",
        &platform.base_url,
    ]);
    limited.expect_code(2);
    let once = profile.run(&[
        "logs",
        "tail",
        "--no-follow",
        "--since",
        "15m",
        "--route",
        "/v1/contacts*",
        "--base-url",
        &platform.base_url,
    ]);
    once.expect_code(0);
    assert!(once.stdout.contains(&request_id), "{}", once.stdout);
    let other_routes = profile.run(&[
        "logs",
        "tail",
        "--no-follow",
        "--since",
        "15m",
        "--route",
        "/v1/api_keys*",
        "--base-url",
        &platform.base_url,
    ]);
    other_routes.expect_code(0);
    assert!(!other_routes.stdout.contains(&request_id));
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_syncs_with_progress_and_exports_charts() {
    let platform = Platform::start(Plan::Starter, false).await;
    let profile = Profile::new(Some(&platform.key));
    let base = platform.base_url.as_str();
    for _ in 0..3 {
        platform.call(reqwest::Method::GET, "/contacts", None).await;
    }
    let synced = profile.run(&["usage", "sync", "--json", "--base-url", base]);
    synced.expect_code(0);
    assert!(synced.json()["rows"].as_u64().expect("rows") >= 3);
    for (format, magic) in [
        ("csv", &b"bucket"[..]),
        ("svg", &b"<svg"[..]),
        ("png", &b"\x89PNG"[..]),
    ] {
        let file = profile.path().join(format!("chart.{format}"));
        let path = file.to_str().expect("path");
        let exported = profile.run(&[
            "usage",
            "export",
            "--chart",
            "volume",
            "--range",
            "24h",
            "--format",
            format,
            "-o",
            path,
            "--json",
            "--base-url",
            base,
        ]);
        exported.expect_code(0);
        let bytes = std::fs::read(&file).expect("written");
        assert!(
            bytes.windows(magic.len()).any(|w| w == magic),
            "{format} export looks like {format}"
        );
    }
    // Days in the zone asked for (UTC+01:00 all year); a zone that does not exist is refused.
    let file = profile.path().join("lagos.csv");
    let path = file.to_str().expect("path");
    let in_zone = |tz: &str| {
        profile.run(&[
            "usage",
            "export",
            "--chart",
            "volume",
            "--format",
            "csv",
            "--tz",
            tz,
            "-o",
            path,
            "--base-url",
            base,
        ])
    };
    in_zone("Africa/Lagos").expect_code(0);
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(
        text.contains("+01:00\""),
        "local times with their offset: {text}"
    );
    in_zone("Europe/Atlantis").expect_code(2);
    profile
        .run(&[
            "usage",
            "export",
            "--chart",
            "pie",
            "--format",
            "svg",
            "-o",
            "x",
            "--base-url",
            base,
        ])
        .expect_code(2);
}
