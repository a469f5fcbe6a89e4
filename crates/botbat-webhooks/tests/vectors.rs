//! Our signatures against implementations we did not write: the `standardwebhooks` and
//! `stripe` Python packages, and Python's own hmac for Meta and Botbiz.
//!
//! `vectors.json` is what `scripts/webhook-vectors.py` printed; the live tests run that
//! script again in the venv `scripts/setup.sh` creates, so a drifted file or a changed
//! library shows up, and they let the Python libraries verify headers we produced.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use botbat_webhooks::{sign, standard, stripe, verify, Candidate, Problem, Scheme, VerifyOptions};
use serde::Deserialize;
use serde_json::{json, Value};

const COMMITTED: &str = include_str!("vectors.json");

#[derive(Debug, Deserialize)]
struct Vector {
    scheme: Scheme,
    name: String,
    secrets: Vec<String>,
    id: String,
    timestamp: i64,
    body: String,
    headers: Vec<(String, String)>,
}

fn vectors(document: &Value) -> Vec<Vector> {
    serde_json::from_value(document["vectors"].clone()).expect("vectors have the expected shape")
}

fn candidates(secrets: &[String]) -> Vec<Candidate> {
    secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| Candidate::new(format!("secret {i}"), secret.as_str()))
        .collect()
}

/// Signs like the vector's generator did, verifies the generator's headers, and makes sure
/// the same headers fail with a changed body or an unrelated secret.
fn check(vector: &Vector) {
    let what = format!("{:?} vector {:?}", vector.scheme, vector.name);
    let body = vector.body.as_bytes();
    let secrets: Vec<&str> = vector.secrets.iter().map(String::as_str).collect();

    let ours = match (vector.scheme, secrets.as_slice()) {
        (scheme, [secret]) => sign(scheme, secret, body, vector.timestamp, &vector.id),
        (Scheme::Standard, _) => vec![
            ("webhook-id".to_string(), vector.id.clone()),
            (
                "webhook-timestamp".to_string(),
                vector.timestamp.to_string(),
            ),
            (
                "webhook-signature".to_string(),
                standard::sign(&secrets, &vector.id, vector.timestamp, body),
            ),
        ],
        (Scheme::Stripe, _) => vec![(
            "stripe-signature".to_string(),
            stripe::header_value(&secrets, vector.timestamp, body),
        )],
        (scheme, _) => panic!("{what}: no multi-secret signing for {scheme}"),
    };
    assert_eq!(ours, vector.headers, "{what}: our headers differ");

    let options = VerifyOptions::at(vector.timestamp);
    let verdict = verify(
        vector.scheme,
        &vector.headers,
        body,
        &candidates(&vector.secrets),
        &options,
    );
    assert!(verdict.valid, "{what}: {verdict:#?}");
    assert_eq!(verdict.matched.as_deref(), Some("secret 0"), "{what}");

    // Every secret of a rotation is accepted on its own.
    for (i, secret) in vector.secrets.iter().enumerate() {
        let alone = [Candidate::new("alone", secret.as_str())];
        let verdict = verify(vector.scheme, &vector.headers, body, &alone, &options);
        assert!(verdict.valid, "{what}: secret {i} alone: {verdict:#?}");
    }

    let tampered = [body, b"x"].concat();
    let verdict = verify(
        vector.scheme,
        &vector.headers,
        &tampered,
        &candidates(&vector.secrets),
        &options,
    );
    assert_eq!(verdict.problem, Some(Problem::NoMatch), "{what}: tampered");

    let unrelated = [Candidate::new(
        "unrelated",
        "whsec_dW5yZWxhdGVkIHNlY3JldCBrZXk=",
    )];
    let verdict = verify(vector.scheme, &vector.headers, body, &unrelated, &options);
    assert_eq!(
        verdict.problem,
        Some(Problem::NoMatch),
        "{what}: wrong secret"
    );
}

#[test]
fn committed_vectors_verify_and_sign_identically() {
    let document: Value = serde_json::from_str(COMMITTED).expect("vectors.json is JSON");
    let vectors = vectors(&document);
    for scheme in [
        Scheme::Standard,
        Scheme::Stripe,
        Scheme::Meta,
        Scheme::Botbiz,
    ] {
        assert!(
            vectors.iter().any(|v| v.scheme == scheme),
            "vectors.json has no {scheme} vector"
        );
    }
    vectors.iter().for_each(check);
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's Python. Missing is a failure, not a skip: without it nothing here is checked
/// against another implementation.
fn python() -> PathBuf {
    let path = match std::env::var_os("BOTBAT_PYWEBHOOKS") {
        Some(path) => PathBuf::from(path),
        None => workspace_root().join("target/tools/pywebhooks/bin/python"),
    };
    assert!(
        path.exists(),
        "{} does not exist: run scripts/setup.sh to create the target/tools/pywebhooks venv \
         (standardwebhooks, stripe), or point BOTBAT_PYWEBHOOKS at a Python that has them",
        path.display()
    );
    path
}

fn run_script(args: &[&str], stdin: Option<&Value>) -> Value {
    let script = workspace_root().join("scripts/webhook-vectors.py");
    let mut child = Command::new(python())
        .arg(&script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    {
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(stdin) = stdin {
            input
                .write_all(stdin.to_string().as_bytes())
                .expect("python reads its input");
        }
    }
    let output = child.wait_with_output().expect("python finishes");
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

#[test]
fn live_vectors_match_the_committed_ones_and_verify() {
    let live = run_script(&[], None);
    let committed: Value = serde_json::from_str(COMMITTED).expect("vectors.json is JSON");
    assert_eq!(
        live["vectors"], committed["vectors"],
        "vectors.json is stale: regenerate it with \
         target/tools/pywebhooks/bin/python scripts/webhook-vectors.py > crates/botbat-webhooks/tests/vectors.json"
    );
    vectors(&live).iter().for_each(check);
}

struct Case {
    what: &'static str,
    scheme: Scheme,
    /// The secret Python verifies with.
    secret: &'static str,
    body: String,
    headers: Vec<(String, String)>,
    /// What Python must conclude; the cases that must fail show the reference really
    /// checks something.
    accepted: bool,
}

#[test]
fn python_libraries_accept_what_we_sign_and_agree_on_what_to_refuse() {
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_secs(),
    )
    .expect("seconds fit in i64");
    let a = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let b = "whsec_QTONqndeB6LrZOYzk9wjp6CY8sh5ju13IqO4nlswKT8=";
    let b_unpadded = "whsec_QTONqndeB6LrZOYzk9wjp6CY8sh5ju13IqO4nlswKT8";
    let event = r#"{"id":"evt_1","type":"message.delivered","data":{"to":"+5511999990000"}}"#;
    let unicode = "{\n  \"name\": \"Zoë Ñúñez 🤖\",\n  \"note\": \"a\\nb\"\n}\n";

    let standard_case =
        |what, secret, signed_with: &[&str], timestamp: i64, body: &str, sent: &str, accepted| {
            Case {
                what,
                scheme: Scheme::Standard,
                secret,
                body: sent.to_string(),
                headers: vec![
                    ("webhook-id".into(), "msg_live".into()),
                    ("webhook-timestamp".into(), timestamp.to_string()),
                    (
                        "webhook-signature".into(),
                        standard::sign(signed_with, "msg_live", timestamp, body.as_bytes()),
                    ),
                ],
                accepted,
            }
        };
    let stripe_case =
        |what, secret, signed_with: &[&str], timestamp: i64, body: &str, sent: &str, accepted| {
            Case {
                what,
                scheme: Scheme::Stripe,
                secret,
                body: sent.to_string(),
                headers: vec![(
                    "stripe-signature".into(),
                    stripe::header_value(signed_with, timestamp, body.as_bytes()),
                )],
                accepted,
            }
        };

    let cases = vec![
        standard_case("standard", a, &[a], now, event, event, true),
        standard_case("standard unicode", b, &[b], now, unicode, unicode, true),
        standard_case("standard empty body", a, &[a], now, "", "", true),
        standard_case("standard rotation", b, &[a, b], now, event, event, true),
        standard_case(
            "standard unpadded secret",
            b_unpadded,
            &[b_unpadded],
            now,
            event,
            event,
            true,
        ),
        standard_case(
            "standard slightly old",
            a,
            &[a],
            now - 200,
            event,
            event,
            true,
        ),
        standard_case(
            "standard tampered",
            a,
            &[a],
            now,
            event,
            &event.replace('1', "2"),
            false,
        ),
        standard_case("standard wrong secret", b, &[a], now, event, event, false),
        standard_case("standard expired", a, &[a], now - 900, event, event, false),
        standard_case("standard future", a, &[a], now + 900, event, event, false),
        stripe_case(
            "stripe",
            "whsec_live_7a",
            &["whsec_live_7a"],
            now,
            event,
            event,
            true,
        ),
        stripe_case(
            "stripe unicode",
            "whsec_u",
            &["whsec_u"],
            now,
            unicode,
            unicode,
            true,
        ),
        stripe_case(
            "stripe rolling",
            "whsec_new",
            &["whsec_old", "whsec_new"],
            now,
            event,
            event,
            true,
        ),
        stripe_case(
            "stripe future",
            "whsec_f",
            &["whsec_f"],
            now + 3600,
            event,
            event,
            true,
        ),
        stripe_case(
            "stripe tampered",
            "whsec_t",
            &["whsec_t"],
            now,
            event,
            "{}",
            false,
        ),
        stripe_case(
            "stripe expired",
            "whsec_e",
            &["whsec_e"],
            now - 900,
            event,
            event,
            false,
        ),
    ];

    let request = json!({
        "cases": cases.iter().map(|case| json!({
            "scheme": case.scheme,
            "secret": case.secret,
            "body": case.body,
            "headers": case.headers.iter().cloned().collect::<BTreeMap<String, String>>(),
        })).collect::<Vec<_>>(),
    });
    let results = run_script(&["verify"], Some(&request));
    let results = results["results"].as_array().expect("one result per case");
    assert_eq!(results.len(), cases.len());

    for (case, result) in cases.iter().zip(results) {
        assert_eq!(
            result["ok"].as_bool(),
            Some(case.accepted),
            "{}: Python said {result}",
            case.what
        );
        let ours = verify(
            case.scheme,
            &case.headers,
            case.body.as_bytes(),
            &[Candidate::new("python's", case.secret)],
            &VerifyOptions::at(now),
        );
        assert_eq!(
            ours.valid, case.accepted,
            "{}: we disagree with Python: {ours:#?}",
            case.what
        );
    }
}
