//! What the inspector tells a developer about each way a webhook request can fail to
//! verify, scheme by scheme.

use botbat_webhooks::{
    botbiz, detect_scheme, meta, sign, standard, stripe, verify, BodyForm, Candidate, Direction,
    Problem, Scheme, Verdict, VerifyOptions,
};

const NOW: i64 = 1_714_564_800;
const CURRENT: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PREVIOUS: &str = "whsec_QTONqndeB6LrZOYzk9wjp6CY8sh5ju13IqO4nlswKT8=";
const PRODUCTION: &str = "whsec_cHJvZHVjdGlvbiBzZWNyZXQgMzIgYnl0ZXMgbG9uZyE=";
const BODY: &str = r#"{"id":"evt_1","type":"message.delivered","data":{"message_id":"msg_42","channel":"whatsapp"}}"#;
const PRETTY_BODY: &str = "{\n  \"id\": \"evt_1\",\n  \"type\": \"message.delivered\",\n  \"data\": {\n    \"message_id\": \"msg_42\",\n    \"channel\": \"whatsapp\"\n  }\n}";

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn rotation() -> Vec<Candidate> {
    vec![
        Candidate::new("current", CURRENT),
        Candidate::new("previous", PREVIOUS),
    ]
}

fn environments() -> Vec<Candidate> {
    vec![
        Candidate::new("current", CURRENT).in_environment("sandbox"),
        Candidate::new("production", PRODUCTION).in_environment("production"),
    ]
}

fn sandbox() -> VerifyOptions {
    VerifyOptions::at(NOW).expecting_environment("sandbox")
}

fn check(scheme: Scheme, headers: &[(String, String)], body: &str) -> Verdict {
    verify(
        scheme,
        headers,
        body.as_bytes(),
        &rotation(),
        &VerifyOptions::at(NOW),
    )
}

fn assert_valid(verdict: &Verdict, label: &str) {
    assert!(verdict.valid, "expected valid, got {verdict:#?}");
    assert_eq!(verdict.matched.as_deref(), Some(label), "{verdict:#?}");
    assert_eq!(verdict.problem, None);
}

fn assert_problem(verdict: &Verdict, problem: Problem) {
    assert!(!verdict.valid, "expected a problem, got {verdict:#?}");
    assert_eq!(verdict.problem, Some(problem), "{verdict:#?}");
}

fn assert_detail(verdict: &Verdict, fragment: &str) {
    assert!(
        verdict.detail.contains(fragment),
        "detail {:?} does not say {fragment:?}",
        verdict.detail
    );
}

fn standard_headers(secrets: &[&str], timestamp: i64, body: &str) -> Vec<(String, String)> {
    let signature = standard::sign(secrets, "msg_1", timestamp, body.as_bytes());
    h(&[
        ("webhook-id", "msg_1"),
        ("webhook-timestamp", &timestamp.to_string()),
        ("webhook-signature", &signature),
    ])
}

fn stripe_headers(secrets: &[&str], timestamp: i64, body: &str) -> Vec<(String, String)> {
    h(&[(
        "Stripe-Signature",
        &stripe::header_value(secrets, timestamp, body.as_bytes()),
    )])
}

fn missing(header: &str) -> Problem {
    Problem::MissingHeader {
        header: header.to_string(),
    }
}

fn malformed_reason(verdict: &Verdict) -> String {
    match &verdict.problem {
        Some(Problem::MalformedHeader { reason, .. }) => reason.clone(),
        other => panic!("expected a malformed header, got {other:?}"),
    }
}

fn reserialized(candidate: &str, form: BodyForm) -> Problem {
    Problem::ReserializedBody {
        candidate: candidate.to_string(),
        form,
    }
}

fn other_environment() -> Problem {
    Problem::OtherEnvironment {
        candidate: "production".to_string(),
        environment: "production".to_string(),
    }
}

// --- Standard Webhooks ----------------------------------------------------------------------

#[test]
fn standard_valid_names_the_matching_secret() {
    let verdict = check(
        Scheme::Standard,
        &standard_headers(&[CURRENT], NOW, BODY),
        BODY,
    );
    assert_valid(&verdict, "current");
    assert_eq!(verdict.skew_seconds, Some(0));
    assert_detail(&verdict, "\"current\" secret");
}

#[test]
fn standard_rotation_overlap_accepts_the_previous_secret() {
    let verdict = check(
        Scheme::Standard,
        &standard_headers(&[PREVIOUS], NOW, BODY),
        BODY,
    );
    assert_valid(&verdict, "previous");
}

#[test]
fn standard_several_signatures_are_valid_if_any_matches() {
    let unknown = "whsec_dW5rbm93biBzZWNyZXQgdGhhdCBub2JvZHkgaGFz";
    let verdict = check(
        Scheme::Standard,
        &standard_headers(&[unknown, PREVIOUS], NOW, BODY),
        BODY,
    );
    assert_valid(&verdict, "previous");

    let both = check(
        Scheme::Standard,
        &standard_headers(&[PREVIOUS, CURRENT], NOW, BODY),
        BODY,
    );
    assert_valid(&both, "current");
}

#[test]
fn standard_skips_unreadable_entries_when_another_signature_matches() {
    let good = standard::signature(CURRENT, "msg_1", NOW, BODY.as_bytes());
    let headers = h(&[
        ("webhook-id", "msg_1"),
        ("webhook-timestamp", &NOW.to_string()),
        ("webhook-signature", &format!("v1,%%% v1a,abcd {good}")),
    ]);
    assert_valid(&check(Scheme::Standard, &headers, BODY), "current");
}

#[test]
fn standard_tampered_body_matches_nothing() {
    let headers = standard_headers(&[CURRENT], NOW, BODY);
    let verdict = check(
        Scheme::Standard,
        &headers,
        &BODY.replace("msg_42", "msg_43"),
    );
    assert_problem(&verdict, Problem::NoMatch);
    assert_eq!(verdict.matched, None);
    assert_detail(&verdict, "body changed since signing");
    assert_detail(&verdict, "does not match any of the 2 configured secrets");
}

#[test]
fn standard_wrong_secret_matches_nothing() {
    let headers = standard_headers(&[PRODUCTION], NOW, BODY);
    assert_problem(&check(Scheme::Standard, &headers, BODY), Problem::NoMatch);
}

#[test]
fn standard_expired_timestamp_reports_how_far_and_that_the_signature_matches() {
    let headers = standard_headers(&[PREVIOUS], NOW - 420, BODY);
    let verdict = check(Scheme::Standard, &headers, BODY);
    assert_problem(
        &verdict,
        Problem::TimestampOutsideTolerance {
            direction: Direction::Past,
            offset_seconds: 420,
            beyond_seconds: 120,
            tolerance_seconds: 300,
        },
    );
    assert_eq!(verdict.matched.as_deref(), Some("previous"));
    assert_eq!(verdict.skew_seconds, Some(420));
    assert_detail(&verdict, "signature itself matches");
    assert_detail(
        &verdict,
        "420 s in the past, 120 s beyond the 300 s tolerance",
    );
}

#[test]
fn standard_future_timestamp_reports_how_far() {
    let headers = standard_headers(&[CURRENT], NOW + 1000, BODY);
    let verdict = check(Scheme::Standard, &headers, BODY);
    assert_problem(
        &verdict,
        Problem::TimestampOutsideTolerance {
            direction: Direction::Future,
            offset_seconds: 1000,
            beyond_seconds: 700,
            tolerance_seconds: 300,
        },
    );
    assert_eq!(verdict.skew_seconds, Some(-1000));
    assert_detail(&verdict, "1000 s in the future, 700 s beyond");
}

#[test]
fn standard_tolerance_is_inclusive_and_configurable() {
    for skew in [-300, 300] {
        let headers = standard_headers(&[CURRENT], NOW - skew, BODY);
        assert_valid(&check(Scheme::Standard, &headers, BODY), "current");
    }
    let headers = standard_headers(&[CURRENT], NOW - 301, BODY);
    let verdict = verify(
        Scheme::Standard,
        &headers,
        BODY.as_bytes(),
        &rotation(),
        &VerifyOptions::at(NOW).tolerance(60),
    );
    assert_problem(
        &verdict,
        Problem::TimestampOutsideTolerance {
            direction: Direction::Past,
            offset_seconds: 301,
            beyond_seconds: 241,
            tolerance_seconds: 60,
        },
    );
}

#[test]
fn standard_mismatch_with_a_stale_timestamp_reports_the_mismatch_and_mentions_the_time() {
    let headers = standard_headers(&[CURRENT], NOW - 900, BODY);
    let verdict = check(Scheme::Standard, &headers, "{}");
    assert_problem(&verdict, Problem::NoMatch);
    assert_detail(&verdict, "also 900 s in the past");
}

#[test]
fn standard_secret_of_the_other_environment_is_named() {
    let headers = standard_headers(&[PRODUCTION], NOW, BODY);
    let verdict = verify(
        Scheme::Standard,
        &headers,
        BODY.as_bytes(),
        &environments(),
        &sandbox(),
    );
    assert_problem(&verdict, other_environment());
    assert_eq!(verdict.matched.as_deref(), Some("production"));
    assert_detail(&verdict, "a secret from the other environment matches");

    let anywhere = verify(
        Scheme::Standard,
        &headers,
        BODY.as_bytes(),
        &environments(),
        &VerifyOptions::at(NOW),
    );
    assert_valid(&anywhere, "production");
}

#[test]
fn standard_signature_over_a_reserialized_body_is_recognized() {
    // Signed compact, received pretty: a proxy or a framework re-encoded the JSON.
    let headers = standard_headers(&[CURRENT], NOW, BODY);
    let verdict = check(Scheme::Standard, &headers, PRETTY_BODY);
    assert_problem(&verdict, reserialized("current", BodyForm::Compact));
    assert_eq!(verdict.matched.as_deref(), Some("current"));
    assert_detail(
        &verdict,
        "re-serialized body (whitespace/key order changed)",
    );

    // Signed over Python's json.dumps of the payload, the raw JSON sent.
    let python = r#"{"id": "evt_1", "type": "message.delivered", "data": {"message_id": "msg_42", "channel": "whatsapp"}}"#;
    let headers = standard_headers(&[PREVIOUS], NOW, python);
    assert_problem(
        &check(Scheme::Standard, &headers, BODY),
        reserialized("previous", BodyForm::PythonDumps),
    );

    // Signed with sorted keys.
    let sorted = r#"{"data":{"channel":"whatsapp","message_id":"msg_42"},"id":"evt_1","type":"message.delivered"}"#;
    let headers = standard_headers(&[CURRENT], NOW, sorted);
    assert_problem(
        &check(Scheme::Standard, &headers, PRETTY_BODY),
        reserialized("current", BodyForm::CompactSortedKeys),
    );

    // Signed without the trailing newline the body arrived with.
    let headers = standard_headers(&[CURRENT], NOW, BODY);
    assert_problem(
        &check(Scheme::Standard, &headers, &format!("{BODY}\n")),
        reserialized("current", BodyForm::Trimmed),
    );
}

#[test]
fn standard_missing_headers_are_named() {
    let full = standard_headers(&[CURRENT], NOW, BODY);
    for name in ["webhook-signature", "webhook-id", "webhook-timestamp"] {
        let headers: Vec<(String, String)> =
            full.iter().filter(|(n, _)| n != name).cloned().collect();
        let verdict = check(Scheme::Standard, &headers, BODY);
        assert_problem(&verdict, missing(name));
        assert_detail(&verdict, &format!("The {name} header is missing"));
    }
}

#[test]
fn standard_malformed_headers_say_what_is_wrong() {
    let with = |timestamp: &str, signature: &str| {
        check(
            Scheme::Standard,
            &h(&[
                ("webhook-id", "msg_1"),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", signature),
            ]),
            BODY,
        )
    };
    let good = standard::signature(CURRENT, "msg_1", NOW, BODY.as_bytes());

    let reason = malformed_reason(&with("yesterday", &good));
    assert!(reason.contains("whole number of Unix seconds"), "{reason}");
    let reason = malformed_reason(&with("1714564800", "v1"));
    assert!(reason.contains("not of the form v1,<base64>"), "{reason}");
    let reason = malformed_reason(&with("1714564800", "v1,not*base64"));
    assert!(reason.contains("not valid base64"), "{reason}");
    let reason = malformed_reason(&with("1714564800", "v1,AAAA"));
    assert!(reason.contains("decodes to 3 bytes"), "{reason}");
    let reason = malformed_reason(&with("1714564800", "v1a,c2lnbmF0dXJl"));
    assert!(reason.contains("only v1a signatures"), "{reason}");
    let verdict = with("1714564800", "");
    assert_problem(
        &verdict,
        Problem::MalformedHeader {
            header: "webhook-signature".to_string(),
            reason: "it is empty".to_string(),
        },
    );
    assert_detail(
        &verdict,
        "The webhook-signature header is malformed: it is empty.",
    );
}

#[test]
fn standard_without_a_secret_says_so() {
    let headers = standard_headers(&[CURRENT], NOW, BODY);
    let none = verify(
        Scheme::Standard,
        &headers,
        BODY.as_bytes(),
        &[],
        &VerifyOptions::at(NOW),
    );
    assert_problem(&none, Problem::NoSecret);
    let empty = verify(
        Scheme::Standard,
        &headers,
        BODY.as_bytes(),
        &[Candidate::new("current", "")],
        &VerifyOptions::at(NOW),
    );
    assert_problem(&empty, Problem::NoSecret);

    // Only production's secret is known and it does not match: nothing to check sandbox with.
    let only_production = [Candidate::new("production", PRODUCTION).in_environment("production")];
    let verdict = verify(
        Scheme::Standard,
        &headers,
        BODY.as_bytes(),
        &only_production,
        &sandbox(),
    );
    assert_problem(&verdict, Problem::NoSecret);
    assert_detail(&verdict, "configured for sandbox");
}

#[test]
fn standard_header_names_are_case_insensitive_and_svix_prefixed_ones_count() {
    let signature = standard::sign(&[CURRENT], "msg_1", NOW, BODY.as_bytes());
    let mixed = h(&[
        ("Webhook-Id", "msg_1"),
        ("WEBHOOK-TIMESTAMP", &NOW.to_string()),
        ("Webhook-Signature", &signature),
    ]);
    assert_valid(&check(Scheme::Standard, &mixed, BODY), "current");

    let svix = h(&[
        ("svix-id", "msg_1"),
        ("svix-timestamp", &NOW.to_string()),
        ("svix-signature", &signature),
    ]);
    assert_valid(&check(Scheme::Standard, &svix, BODY), "current");
    assert_eq!(detect_scheme(&svix), Some(Scheme::Standard));
}

#[test]
fn standard_unpadded_secret_is_the_same_key() {
    let unpadded = PREVIOUS.trim_end_matches('=');
    assert_eq!(
        standard::secret_key(unpadded),
        standard::secret_key(PREVIOUS)
    );
    assert_eq!(standard::secret_key(PREVIOUS).len(), 32);
}

// --- Stripe-style ---------------------------------------------------------------------------

const STRIPE_CURRENT: &str = "whsec_test_5f0a1b2c3d4e5f60718293a4b5c6d7e8";
const STRIPE_PREVIOUS: &str = "whsec_old_3c9e";

fn stripe_candidates() -> Vec<Candidate> {
    vec![
        Candidate::new("current", STRIPE_CURRENT),
        Candidate::new("previous", STRIPE_PREVIOUS),
    ]
}

fn check_stripe(headers: &[(String, String)], body: &str) -> Verdict {
    verify(
        Scheme::Stripe,
        headers,
        body.as_bytes(),
        &stripe_candidates(),
        &VerifyOptions::at(NOW),
    )
}

#[test]
fn stripe_valid_and_rolling_secrets() {
    assert_valid(
        &check_stripe(&stripe_headers(&[STRIPE_CURRENT], NOW, BODY), BODY),
        "current",
    );
    let rolled = stripe_headers(&["whsec_unknown", STRIPE_PREVIOUS], NOW, BODY);
    assert!(rolled[0].1.matches("v1=").count() == 2);
    assert_valid(&check_stripe(&rolled, BODY), "previous");
}

#[test]
fn stripe_tampered_body_and_wrong_secret() {
    let headers = stripe_headers(&[STRIPE_CURRENT], NOW, BODY);
    let verdict = check_stripe(&headers, &BODY.replace("whatsapp", "sms"));
    assert_problem(&verdict, Problem::NoMatch);
    assert_detail(&verdict, "body changed since signing");
    assert_problem(
        &check_stripe(&stripe_headers(&["whsec_other"], NOW, BODY), BODY),
        Problem::NoMatch,
    );
}

#[test]
fn stripe_expired_timestamp_is_refused_but_a_future_one_is_accepted_like_stripe_does() {
    let old = check_stripe(&stripe_headers(&[STRIPE_CURRENT], NOW - 3600, BODY), BODY);
    assert_problem(
        &old,
        Problem::TimestampOutsideTolerance {
            direction: Direction::Past,
            offset_seconds: 3600,
            beyond_seconds: 3300,
            tolerance_seconds: 300,
        },
    );
    assert_eq!(old.matched.as_deref(), Some("current"));
    assert_detail(&old, "signature itself matches");

    let ahead = check_stripe(&stripe_headers(&[STRIPE_CURRENT], NOW + 3600, BODY), BODY);
    assert_valid(&ahead, "current");
    assert_eq!(ahead.skew_seconds, Some(-3600));
}

#[test]
fn stripe_header_name_is_configurable() {
    let value = stripe::header_value(&[STRIPE_CURRENT], NOW, BODY.as_bytes());
    let headers = h(&[("X-Acme-Signature", &value)]);
    assert_problem(&check_stripe(&headers, BODY), missing("stripe-signature"));
    let verdict = verify(
        Scheme::Stripe,
        &headers,
        BODY.as_bytes(),
        &stripe_candidates(),
        &VerifyOptions::at(NOW).signature_header("x-acme-signature"),
    );
    assert_valid(&verdict, "current");
}

#[test]
fn stripe_malformed_headers_say_what_is_wrong() {
    let sig = stripe::signature(STRIPE_CURRENT, NOW, BODY.as_bytes());
    let with = |value: &str| check_stripe(&h(&[("stripe-signature", value)]), BODY);
    let reason = malformed_reason(&with(&format!("v1={sig}")));
    assert!(reason.contains("no t=<timestamp>"), "{reason}");
    let reason = malformed_reason(&with(&format!("t=soon,v1={sig}")));
    assert!(
        reason.contains("t= element is not a whole number"),
        "{reason}"
    );
    let reason = malformed_reason(&with(&format!("t={NOW},v0={sig}")));
    assert!(reason.contains("no v1=<signature>"), "{reason}");
    let reason = malformed_reason(&with(&format!("t={NOW},v1=xyz")));
    assert!(reason.contains("not hexadecimal"), "{reason}");
    let reason = malformed_reason(&with(&format!("t={NOW},v1={}", &sig[..40])));
    assert!(reason.contains("40 hex digits"), "{reason}");
    assert_problem(&check_stripe(&[], BODY), missing("stripe-signature"));
}

#[test]
fn stripe_other_environment_and_reserialized_body() {
    let candidates = [
        Candidate::new("current", STRIPE_CURRENT).in_environment("sandbox"),
        Candidate::new("production", "whsec_live_abc").in_environment("production"),
    ];
    let headers = stripe_headers(&["whsec_live_abc"], NOW, BODY);
    let verdict = verify(
        Scheme::Stripe,
        &headers,
        BODY.as_bytes(),
        &candidates,
        &sandbox(),
    );
    assert_problem(&verdict, other_environment());

    let headers = stripe_headers(&[STRIPE_CURRENT], NOW, PRETTY_BODY);
    assert_problem(
        &check_stripe(&headers, BODY),
        reserialized("current", BodyForm::Pretty),
    );
}

// --- Botbiz ---------------------------------------------------------------------------------

const BOTBIZ_SECRET: &str = "bz_whsec_9f8e7d6c5b4a";

fn check_botbiz(headers: &[(String, String)], body: &str) -> Verdict {
    verify(
        Scheme::Botbiz,
        headers,
        body.as_bytes(),
        &[
            Candidate::new("current", BOTBIZ_SECRET),
            Candidate::new("previous", "bz_whsec_old"),
        ],
        &VerifyOptions::at(NOW),
    )
}

#[test]
fn botbiz_valid_with_or_without_a_sha256_prefix() {
    let sig = botbiz::signature(BOTBIZ_SECRET, BODY.as_bytes());
    let verdict = check_botbiz(&h(&[("X-Botbiz-Signature", &sig)]), BODY);
    assert_valid(&verdict, "current");
    assert_eq!(verdict.skew_seconds, None);
    let prefixed = format!("sha256={sig}");
    assert_valid(
        &check_botbiz(&h(&[("x-botbiz-signature", &prefixed)]), BODY),
        "current",
    );
    let old = botbiz::signature("bz_whsec_old", BODY.as_bytes());
    assert_valid(
        &check_botbiz(&h(&[("x-botbiz-signature", &old)]), BODY),
        "previous",
    );
}

#[test]
fn botbiz_mismatches_and_malformed_headers() {
    let sig = botbiz::signature(BOTBIZ_SECRET, BODY.as_bytes());
    let headers = h(&[("x-botbiz-signature", &sig)]);
    assert_problem(&check_botbiz(&headers, "{}"), Problem::NoMatch);
    let wrong = botbiz::signature("bz_other", BODY.as_bytes());
    assert_problem(
        &check_botbiz(&h(&[("x-botbiz-signature", &wrong)]), BODY),
        Problem::NoMatch,
    );
    assert_problem(&check_botbiz(&[], BODY), missing("x-botbiz-signature"));
    let reason = malformed_reason(&check_botbiz(
        &h(&[("x-botbiz-signature", "sha1=abc")]),
        BODY,
    ));
    assert!(reason.contains("not hexadecimal"), "{reason}");
    assert_problem(
        &check_botbiz(&headers, PRETTY_BODY),
        reserialized("current", BodyForm::Compact),
    );
}

#[test]
fn botbiz_other_environment() {
    let candidates = [
        Candidate::new("current", BOTBIZ_SECRET).in_environment("sandbox"),
        Candidate::new("production", "bz_live").in_environment("production"),
    ];
    let sig = botbiz::signature("bz_live", BODY.as_bytes());
    let verdict = verify(
        Scheme::Botbiz,
        &h(&[("x-botbiz-signature", &sig)]),
        BODY.as_bytes(),
        &candidates,
        &sandbox(),
    );
    assert_problem(&verdict, other_environment());
}

// --- Meta -----------------------------------------------------------------------------------

const APP_SECRET: &str = "8b9f7c3e2a1d4f6b0c5e9a7d3f1b2c4e";

fn check_meta(headers: &[(String, String)], body: &str) -> Verdict {
    verify(
        Scheme::Meta,
        headers,
        body.as_bytes(),
        &[Candidate::new("app", APP_SECRET)],
        &VerifyOptions::at(NOW),
    )
}

#[test]
fn meta_valid_tampered_and_wrong_secret() {
    let value = meta::header_value(APP_SECRET, BODY.as_bytes());
    assert!(value.starts_with("sha256="));
    let headers = h(&[("X-Hub-Signature-256", &value)]);
    let verdict = check_meta(&headers, BODY);
    assert_valid(&verdict, "app");
    assert_detail(&verdict, "made with the \"app\" app secret");
    assert_problem(
        &check_meta(&headers, &BODY.replace('4', "5")),
        Problem::NoMatch,
    );
    let wrong = meta::header_value("not the app secret", BODY.as_bytes());
    let verdict = check_meta(&h(&[("x-hub-signature-256", &wrong)]), BODY);
    assert_problem(&verdict, Problem::NoMatch);
    assert_detail(&verdict, "does not match the configured app secret:");
}

#[test]
fn meta_header_needs_its_prefix() {
    let value = meta::header_value(APP_SECRET, BODY.as_bytes());
    let bare = value.trim_start_matches("sha256=");
    let verdict = check_meta(&h(&[("x-hub-signature-256", bare)]), BODY);
    assert_eq!(
        malformed_reason(&verdict),
        "it does not start with \"sha256=\""
    );
    assert_problem(&check_meta(&[], BODY), missing("x-hub-signature-256"));
}

#[test]
fn meta_reserialized_body_and_other_environment() {
    let value = meta::header_value(APP_SECRET, BODY.as_bytes());
    assert_problem(
        &check_meta(&h(&[("x-hub-signature-256", &value)]), PRETTY_BODY),
        reserialized("app", BodyForm::Compact),
    );

    let candidates = [
        Candidate::new("current", APP_SECRET).in_environment("sandbox"),
        Candidate::new("production", "live-app-secret").in_environment("production"),
    ];
    let live = meta::header_value("live-app-secret", BODY.as_bytes());
    let verdict = verify(
        Scheme::Meta,
        &h(&[("x-hub-signature-256", &live)]),
        BODY.as_bytes(),
        &candidates,
        &sandbox(),
    );
    assert_problem(&verdict, other_environment());
}

// --- Botmaker -------------------------------------------------------------------------------

fn check_botmaker(headers: &[(String, String)], options: &VerifyOptions) -> Verdict {
    let candidates = [
        Candidate::new("current", "bm-token-123").in_environment("sandbox"),
        Candidate::new("previous", "bm-token-old").in_environment("sandbox"),
        Candidate::new("production", "bm-live-token").in_environment("production"),
    ];
    verify(
        Scheme::Botmaker,
        headers,
        BODY.as_bytes(),
        &candidates,
        options,
    )
}

#[test]
fn botmaker_token_is_compared_not_signed() {
    let valid = check_botmaker(&h(&[("auth-bm-token", "bm-token-123")]), &sandbox());
    assert_valid(&valid, "current");
    assert_detail(&valid, "it carries the \"current\" token");
    assert_valid(
        &check_botmaker(&h(&[("Auth-BM-Token", "bm-token-old")]), &sandbox()),
        "previous",
    );
    let wrong = check_botmaker(&h(&[("auth-bm-token", "bm-token-12")]), &sandbox());
    assert_problem(&wrong, Problem::NoMatch);
    assert_detail(&wrong, "does not match any of the 2 configured tokens");
    assert!(!wrong.detail.contains("bm-token-12"), "{}", wrong.detail);

    let other = check_botmaker(&h(&[("auth-bm-token", "bm-live-token")]), &sandbox());
    assert_problem(&other, other_environment());
    assert_detail(&other, "a token from the other environment matches");

    assert_problem(&check_botmaker(&[], &sandbox()), missing("auth-bm-token"));
    assert_eq!(
        malformed_reason(&check_botmaker(&h(&[("auth-bm-token", " ")]), &sandbox())),
        "it is empty"
    );
}

// --- Across schemes -------------------------------------------------------------------------

#[test]
fn sign_produces_headers_that_verify_and_detect_as_their_scheme() {
    let secrets = [
        (Scheme::Standard, CURRENT),
        (Scheme::Stripe, STRIPE_CURRENT),
        (Scheme::Botbiz, BOTBIZ_SECRET),
        (Scheme::Botmaker, "bm-token-123"),
        (Scheme::Meta, APP_SECRET),
    ];
    for (scheme, secret) in secrets {
        let headers = sign(scheme, secret, BODY.as_bytes(), NOW - 10, "msg_9");
        assert_eq!(detect_scheme(&headers), Some(scheme), "{headers:?}");
        let verdict = verify(
            scheme,
            &headers,
            BODY.as_bytes(),
            &[Candidate::new("re-signed", secret)],
            &VerifyOptions::at(NOW),
        );
        assert_valid(&verdict, "re-signed");
        let other = verify(
            scheme,
            &headers,
            BODY.as_bytes(),
            &[Candidate::new("other", "whsec_c29tZXRoaW5nIGVsc2U=")],
            &VerifyOptions::at(NOW),
        );
        assert!(!other.valid, "{scheme}: {other:?}");
    }
    assert_eq!(
        detect_scheme(&h(&[("content-type", "application/json")])),
        None
    );
}

#[test]
fn verdict_serializes_as_tagged_snake_case() {
    let headers = standard_headers(&[CURRENT], NOW - 420, BODY);
    let verdict = check(Scheme::Standard, &headers, BODY);
    let json = serde_json::to_value(&verdict).expect("verdict serializes");
    assert_eq!(json["scheme"], "standard");
    assert_eq!(json["valid"], false);
    assert_eq!(json["matched"], "current");
    assert_eq!(
        json["problem"],
        serde_json::json!({
            "kind": "timestamp_outside_tolerance",
            "direction": "past",
            "offset_seconds": 420,
            "beyond_seconds": 120,
            "tolerance_seconds": 300,
        })
    );
    let form = serde_json::to_value(reserialized("current", BodyForm::CompactSortedKeys))
        .expect("problem serializes");
    assert_eq!(
        form,
        serde_json::json!({"kind": "reserialized_body", "candidate": "current", "form": "compact_sorted_keys"})
    );
    assert_eq!(
        serde_json::to_value(Scheme::Botmaker).expect("scheme serializes"),
        "botmaker"
    );
}

#[test]
fn candidate_debug_hides_the_secret() {
    let printed = format!("{:?}", Candidate::new("current", CURRENT));
    assert!(printed.contains("current"));
    assert!(!printed.contains("AAECAw"), "{printed}");
}
