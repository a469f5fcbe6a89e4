//! Webhook signatures: the platform signs with Standard Webhooks, and the console's
//! inspector verifies that and the other schemes developers meet.
//!
//! The sandbox signs its deliveries with [`standard::sign`], and the inspector verifies them
//! with the same module, so both sides of a delivery share one definition of the scheme.
//!
//! [`verify`] returns a [`Verdict`] rather than a boolean because "signature invalid" is
//! where debugging a webhook integration starts, not where it ends: the inspector has to say
//! whether a header is missing, the clock is off, the secret belongs to the other
//! environment, or something re-serialized the JSON on its way in.

pub mod botbiz;
pub mod botmaker;
pub mod capture;
pub mod credentials;
pub mod export;
pub mod forward;
pub mod inspector;
pub mod meta;
pub mod standard;
pub mod stripe;
pub mod tunnel;

mod reserialize;

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use reserialize::BodyForm;

/// A signature scheme the inspector can verify and sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// Standard Webhooks, what BotBat itself sends.
    Standard,
    /// `t=…,v1=…` in one header, as Stripe sends it.
    Stripe,
    /// Botbiz's `X-Botbiz-Signature`.
    Botbiz,
    /// Botmaker's static `auth-bm-token`.
    Botmaker,
    /// Meta's (WhatsApp Cloud API) `X-Hub-Signature-256`.
    Meta,
}

impl Scheme {
    pub const ALL: [Scheme; 5] = [
        Scheme::Standard,
        Scheme::Stripe,
        Scheme::Botbiz,
        Scheme::Botmaker,
        Scheme::Meta,
    ];

    /// How the console names the scheme.
    pub fn title(self) -> &'static str {
        match self {
            Scheme::Standard => "Standard Webhooks",
            Scheme::Stripe => "Stripe-style",
            Scheme::Botbiz => "Botbiz",
            Scheme::Botmaker => "Botmaker",
            Scheme::Meta => "Meta",
        }
    }

    /// The header that carries the signature (or, for Botmaker, the token) by default.
    pub fn signature_header(self) -> &'static str {
        match self {
            Scheme::Standard => standard::SIGNATURE_HEADER,
            Scheme::Stripe => stripe::SIGNATURE_HEADER,
            Scheme::Botbiz => botbiz::SIGNATURE_HEADER,
            Scheme::Botmaker => botmaker::TOKEN_HEADER,
            Scheme::Meta => meta::SIGNATURE_HEADER,
        }
    }

    /// What the scheme's secret is called where the sender shows it.
    fn secret_noun(self) -> &'static str {
        match self {
            Scheme::Botmaker => "token",
            Scheme::Meta => "app secret",
            _ => "secret",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A secret the request may have been signed with. The inspector passes every secret it
/// knows (current and previous during a rotation, and those of other environments), so a
/// mismatch can be explained instead of just reported.
#[derive(Clone)]
pub struct Candidate {
    /// Shown in the verdict: "current", "previous", "production", …
    pub label: String,
    pub secret: String,
    /// The environment the secret belongs to; `None` means it is valid in any.
    pub environment: Option<String>,
}

impl Candidate {
    pub fn new(label: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            secret: secret.into(),
            environment: None,
        }
    }

    pub fn in_environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = Some(environment.into());
        self
    }
}

impl fmt::Debug for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Candidate")
            .field("label", &self.label)
            .field("secret", &"<redacted>")
            .field("environment", &self.environment)
            .finish()
    }
}

/// The context a request is verified in. The clock and the tolerance travel together here
/// rather than as two adjacent `i64` arguments that are easy to swap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOptions {
    /// The receiver's clock, Unix seconds.
    pub now_unix: i64,
    /// How far a signed timestamp may be from `now_unix` before it is refused as a replay.
    pub tolerance_seconds: i64,
    /// The environment the request is supposed to come from; candidates of another
    /// environment then only explain a mismatch and never make a request valid.
    pub expected_environment: Option<String>,
    /// The signature header to read instead of the scheme's default, for senders that use
    /// a scheme under their own header name (Stripe-style signatures often are).
    pub signature_header: Option<String>,
}

impl VerifyOptions {
    /// Options at `now_unix` with the five-minute tolerance the schemes recommend.
    pub fn at(now_unix: i64) -> Self {
        Self {
            now_unix,
            tolerance_seconds: standard::TOLERANCE_SECONDS,
            expected_environment: None,
            signature_header: None,
        }
    }

    pub fn tolerance(mut self, seconds: i64) -> Self {
        self.tolerance_seconds = seconds;
        self
    }

    pub fn expecting_environment(mut self, environment: impl Into<String>) -> Self {
        self.expected_environment = Some(environment.into());
        self
    }

    pub fn signature_header(mut self, header: impl Into<String>) -> Self {
        self.signature_header = Some(header.into());
        self
    }
}

/// The outcome of verifying one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Verdict {
    pub scheme: Scheme,
    /// Whether a receiver should accept the request.
    pub valid: bool,
    /// The label of the candidate whose secret reproduces the signature. It is also set
    /// when the request is not valid for another reason (a stale timestamp, a secret of the
    /// other environment, a re-serialized body), so only `valid` decides acceptance.
    pub matched: Option<String>,
    /// Why the request is not valid; `None` exactly when `valid`.
    pub problem: Option<Problem>,
    /// One or two sentences for a person.
    pub detail: String,
    /// `now_unix` minus the signed timestamp, for schemes that sign one: positive when the
    /// timestamp is in the past.
    #[ts(type = "number | null")]
    pub skew_seconds: Option<i64>,
}

/// Why a request does not verify, most fundamental first: a request with several problems
/// reports the first of these that applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    MissingHeader {
        header: String,
    },
    MalformedHeader {
        header: String,
        reason: String,
    },
    /// No candidate with a non-empty secret for the expected environment, and none of
    /// another environment that matches either.
    NoSecret,
    /// A secret of another environment reproduces the signature.
    OtherEnvironment {
        candidate: String,
        environment: String,
    },
    /// The signature matches once the received body is re-serialized: whitespace or key
    /// order changed between signing and receiving.
    ReserializedBody {
        candidate: String,
        form: BodyForm,
    },
    /// No candidate reproduces the signature over any form of the body.
    NoMatch,
    /// The signature matches but the signed timestamp is further from now than the
    /// tolerance allows.
    TimestampOutsideTolerance {
        direction: Direction,
        /// How far the timestamp is from now.
        #[ts(type = "number")]
        offset_seconds: i64,
        /// How far beyond the tolerance it is.
        #[ts(type = "number")]
        beyond_seconds: i64,
        #[ts(type = "number")]
        tolerance_seconds: i64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Past,
    Future,
}

/// The scheme a captured request was most likely signed with, from its header names.
pub fn detect_scheme(headers: &[(String, String)]) -> Option<Scheme> {
    let has = |name: &str| header(headers, name).is_some();
    if has(standard::SIGNATURE_HEADER) || has(standard::SVIX_SIGNATURE_HEADER) {
        Some(Scheme::Standard)
    } else if has(stripe::SIGNATURE_HEADER) {
        Some(Scheme::Stripe)
    } else if has(meta::SIGNATURE_HEADER) {
        Some(Scheme::Meta)
    } else if has(botbiz::SIGNATURE_HEADER) {
        Some(Scheme::Botbiz)
    } else if has(botmaker::TOKEN_HEADER) {
        Some(Scheme::Botmaker)
    } else {
        None
    }
}

/// The headers a sender using `scheme` attaches to `body`. `timestamp` and `id` are used
/// by the schemes that sign them (Standard Webhooks both, Stripe-style the timestamp).
pub fn sign(
    scheme: Scheme,
    secret: &str,
    body: &[u8],
    timestamp: i64,
    id: &str,
) -> Vec<(String, String)> {
    let one = |name: &str, value: String| vec![(name.to_string(), value)];
    match scheme {
        Scheme::Standard => vec![
            (standard::ID_HEADER.to_string(), id.to_string()),
            (
                standard::TIMESTAMP_HEADER.to_string(),
                timestamp.to_string(),
            ),
            (
                standard::SIGNATURE_HEADER.to_string(),
                standard::sign(&[secret], id, timestamp, body),
            ),
        ],
        Scheme::Stripe => one(
            stripe::SIGNATURE_HEADER,
            stripe::header_value(&[secret], timestamp, body),
        ),
        Scheme::Botbiz => one(botbiz::SIGNATURE_HEADER, botbiz::signature(secret, body)),
        Scheme::Botmaker => one(botmaker::TOKEN_HEADER, secret.to_string()),
        Scheme::Meta => one(meta::SIGNATURE_HEADER, meta::header_value(secret, body)),
    }
}

/// Verifies a request signed with `scheme` against every candidate secret and explains
/// the outcome. Header names are matched case-insensitively.
pub fn verify(
    scheme: Scheme,
    headers: &[(String, String)],
    body: &[u8],
    candidates: &[Candidate],
    options: &VerifyOptions,
) -> Verdict {
    let signature_header = options
        .signature_header
        .as_deref()
        .unwrap_or(scheme.signature_header());
    let presented: Box<dyn Presented> = match parse(scheme, headers, signature_header) {
        Ok(presented) => presented,
        Err(problem) => {
            let detail = describe_header_problem(scheme, &problem);
            return Verdict::refused(scheme, None, problem, detail, None);
        }
    };
    Diagnosis {
        scheme,
        presented: presented.as_ref(),
        body,
        options,
    }
    .run(candidates)
}

fn parse(
    scheme: Scheme,
    headers: &[(String, String)],
    signature_header: &str,
) -> Result<Box<dyn Presented>, Problem> {
    fn boxed<P: Presented + 'static>(p: P) -> Box<dyn Presented> {
        Box::new(p)
    }
    match scheme {
        Scheme::Standard => standard::Presented::parse(headers, signature_header).map(boxed),
        Scheme::Stripe => stripe::Presented::parse(headers, signature_header).map(boxed),
        Scheme::Botbiz => botbiz::Presented::parse(headers, signature_header).map(boxed),
        Scheme::Botmaker => botmaker::Presented::parse(headers, signature_header).map(boxed),
        Scheme::Meta => meta::Presented::parse(headers, signature_header).map(boxed),
    }
}

/// What a request presents for checking once its headers are parsed; each scheme module
/// implements it, and [`Diagnosis`] does the rest the same way for all of them.
pub(crate) trait Presented {
    /// The signed timestamp, for schemes that sign one.
    fn timestamp(&self) -> Option<i64> {
        None
    }

    /// Whether a timestamp ahead of the receiver's clock is accepted without limit, as
    /// Stripe's own libraries do.
    fn accepts_future(&self) -> bool {
        false
    }

    /// False when the credential does not depend on the body (a static token), so that
    /// re-serializing the body cannot explain a mismatch.
    fn covers_body(&self) -> bool {
        true
    }

    /// Whether `secret` reproduces a presented signature over `body`, compared in
    /// constant time.
    fn matches(&self, secret: &str, body: &[u8]) -> bool;
}

struct Diagnosis<'a> {
    scheme: Scheme,
    presented: &'a dyn Presented,
    body: &'a [u8],
    options: &'a VerifyOptions,
}

/// A timestamp outside the tolerance, measured.
struct Stale {
    direction: Direction,
    offset: i64,
    beyond: i64,
}

impl Diagnosis<'_> {
    fn run(&self, candidates: &[Candidate]) -> Verdict {
        let scheme = self.scheme;
        let skew = self
            .presented
            .timestamp()
            .map(|ts| self.options.now_unix.saturating_sub(ts));
        let stale = skew.and_then(|skew| self.stale(skew));
        let expected = self.options.expected_environment.as_deref();
        let (here, elsewhere): (Vec<&Candidate>, Vec<&Candidate>) = candidates
            .iter()
            .filter(|c| !c.secret.is_empty())
            .partition(|c| match (expected, c.environment.as_deref()) {
                (Some(expected), Some(environment)) => expected == environment,
                _ => true,
            });

        if let Some(hit) = here
            .iter()
            .find(|c| self.presented.matches(&c.secret, self.body))
        {
            return match stale {
                None => Verdict {
                    scheme,
                    valid: true,
                    matched: Some(hit.label.clone()),
                    problem: None,
                    detail: if self.presented.covers_body() {
                        format!(
                            "Valid {scheme} signature, made with the \"{}\" {}.",
                            hit.label,
                            scheme.secret_noun()
                        )
                    } else {
                        format!(
                            "Valid {scheme} request: it carries the \"{}\" {}.",
                            hit.label,
                            scheme.secret_noun()
                        )
                    },
                    skew_seconds: skew,
                },
                Some(stale) => {
                    let consequence = match stale.direction {
                        Direction::Past => "a receiver refuses it as a possible replay",
                        Direction::Future => "a receiver refuses it",
                    };
                    let detail = format!(
                        "The signature itself matches the \"{}\" {}, but the timestamp is {}; \
                         {consequence}. Re-sign with a fresh timestamp to replay it.",
                        hit.label,
                        scheme.secret_noun(),
                        self.describe_stale(&stale)
                    );
                    Verdict::refused(
                        scheme,
                        Some(hit.label.clone()),
                        Problem::TimestampOutsideTolerance {
                            direction: stale.direction,
                            offset_seconds: stale.offset,
                            beyond_seconds: stale.beyond,
                            tolerance_seconds: self.tolerance(),
                        },
                        detail,
                        skew,
                    )
                }
            };
        }

        let stale_note = stale
            .as_ref()
            .map(|stale| format!(" The timestamp is also {}.", self.describe_stale(stale)))
            .unwrap_or_default();

        if let Some(hit) = elsewhere
            .iter()
            .find(|c| self.presented.matches(&c.secret, self.body))
        {
            let environment = hit.environment.clone().unwrap_or_default();
            let detail = format!(
                "The signature matches none of the {} {}s, but a {} from the other \
                 environment matches: the \"{}\" {} of {environment}. The sender signs \
                 with the wrong environment's {}, or the request went to the wrong \
                 environment.{stale_note}",
                expected.unwrap_or_default(),
                scheme.secret_noun(),
                scheme.secret_noun(),
                hit.label,
                scheme.secret_noun(),
                scheme.secret_noun(),
            );
            return Verdict::refused(
                scheme,
                Some(hit.label.clone()),
                Problem::OtherEnvironment {
                    candidate: hit.label.clone(),
                    environment,
                },
                detail,
                skew,
            );
        }

        if here.is_empty() {
            let detail = match expected {
                Some(environment) => format!(
                    "No {} {} is configured for {environment}, so the {} cannot be checked.",
                    scheme,
                    scheme.secret_noun(),
                    if self.presented.covers_body() {
                        "signature"
                    } else {
                        "token"
                    }
                ),
                None => format!(
                    "No {} {} is configured, so the request cannot be checked.",
                    scheme,
                    scheme.secret_noun()
                ),
            };
            return Verdict::refused(scheme, None, Problem::NoSecret, detail, skew);
        }

        if self.presented.covers_body() {
            for (form, body) in reserialize::alternatives(self.body) {
                if let Some(hit) = here
                    .iter()
                    .find(|c| self.presented.matches(&c.secret, &body))
                {
                    let detail = format!(
                        "The signature does not match the body as received, but it matches \
                         the \"{}\" {} over {}: it looks computed over a \
                         re-serialized body (whitespace/key order changed). Sign and verify \
                         the exact bytes that are sent.{stale_note}",
                        hit.label,
                        scheme.secret_noun(),
                        form.describe(),
                    );
                    return Verdict::refused(
                        scheme,
                        Some(hit.label.clone()),
                        Problem::ReserializedBody {
                            candidate: hit.label.clone(),
                            form,
                        },
                        detail,
                        skew,
                    );
                }
            }
        }

        let configured = match here.len() {
            1 => format!("the configured {}", scheme.secret_noun()),
            n => format!("any of the {n} configured {}s", scheme.secret_noun()),
        };
        let detail = if self.presented.covers_body() {
            format!(
                "The signature does not match {configured}: the body changed since signing, \
                 or the sender used a different {}.{stale_note}",
                scheme.secret_noun(),
            )
        } else {
            format!(
                "The {} header does not match {configured}.",
                self.options
                    .signature_header
                    .as_deref()
                    .unwrap_or(scheme.signature_header()),
            )
        };
        Verdict::refused(scheme, None, Problem::NoMatch, detail, skew)
    }

    fn tolerance(&self) -> i64 {
        self.options.tolerance_seconds.max(0)
    }

    fn stale(&self, skew: i64) -> Option<Stale> {
        let tolerance = self.tolerance();
        if skew > tolerance {
            Some(Stale {
                direction: Direction::Past,
                offset: skew,
                beyond: skew - tolerance,
            })
        } else if skew < -tolerance && !self.presented.accepts_future() {
            let offset = skew.saturating_neg();
            Some(Stale {
                direction: Direction::Future,
                offset,
                beyond: offset - tolerance,
            })
        } else {
            None
        }
    }

    fn describe_stale(&self, stale: &Stale) -> String {
        let tolerance = self.tolerance();
        match stale.direction {
            Direction::Past => format!(
                "{} s in the past, {} s beyond the {tolerance} s tolerance",
                stale.offset, stale.beyond
            ),
            Direction::Future => format!(
                "{} s in the future, {} s beyond the {tolerance} s tolerance (the sender's \
                 clock is ahead of this one)",
                stale.offset, stale.beyond
            ),
        }
    }
}

impl Verdict {
    fn refused(
        scheme: Scheme,
        matched: Option<String>,
        problem: Problem,
        detail: String,
        skew_seconds: Option<i64>,
    ) -> Self {
        Self {
            scheme,
            valid: false,
            matched,
            problem: Some(problem),
            detail,
            skew_seconds,
        }
    }
}

fn describe_header_problem(scheme: Scheme, problem: &Problem) -> String {
    match problem {
        Problem::MissingHeader { header } => format!(
            "The {header} header is missing, so this is not a {scheme} request, or a proxy \
             dropped the header."
        ),
        Problem::MalformedHeader { header, reason } => {
            format!("The {header} header is malformed: {reason}.")
        }
        _ => format!("The {scheme} headers cannot be checked."),
    }
}

/// The value of header `name`, compared case-insensitively; the first one if repeated.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
        .map(|(_, value)| value.trim())
}

/// [`header`], or the problem of its absence.
pub(crate) fn required<'a>(
    headers: &'a [(String, String)],
    name: &str,
) -> Result<&'a str, Problem> {
    header(headers, name).ok_or_else(|| Problem::MissingHeader {
        header: name.to_ascii_lowercase(),
    })
}

pub(crate) fn malformed(header: &str, reason: impl Into<String>) -> Problem {
    Problem::MalformedHeader {
        header: header.to_ascii_lowercase(),
        reason: reason.into(),
    }
}

/// A hex-encoded HMAC-SHA256, as Stripe, Meta and Botbiz send it.
pub(crate) fn hex_digest(header: &str, value: &str) -> Result<Vec<u8>, Problem> {
    let bytes = hex::decode(value).map_err(|_| {
        malformed(
            header,
            "the signature is not hexadecimal (expected 64 hex digits of HMAC-SHA256)",
        )
    })?;
    if bytes.len() != 32 {
        return Err(malformed(
            header,
            format!(
                "the signature has {} hex digits, HMAC-SHA256 has 64",
                value.len()
            ),
        ));
    }
    Ok(bytes)
}

pub(crate) type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// HMAC-SHA256 keyed with `key` over the concatenation of `parts`.
pub(crate) fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    use hmac::Mac;
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC-SHA256 accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac
}

/// Whether the HMAC of `parts` under `key` equals one of `signatures`, in constant time.
pub(crate) fn any_matches(key: &[u8], parts: &[&[u8]], signatures: &[Vec<u8>]) -> bool {
    use hmac::Mac;
    let mac = mac(key, parts);
    signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok())
}
