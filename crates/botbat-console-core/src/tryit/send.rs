//! Turning a builder request into bytes on the wire and the answer into a [`TryResponse`].
//!
//! This is the path the benchmark holds against `curl`: one long-lived `reqwest` client
//! (connections stay warm), no retries (Try It shows exactly what the platform said), the
//! body sent as the editor holds it, and the answer parsed once.

use std::time::Instant;

use botbat_api::ratelimit::{self, Wait};
use botbat_api::FieldIssue;
use botbat_secrets::Sensitive;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;
use url::Url;

use super::model::{TryFormPart, TryOperation, TryPair, TryRateLimit, TryRequest, TryResponse};
use crate::connections::Authorized;
use crate::CommandError;
use crate::ConsoleCode;

/// Headers the builder does not let a user set: the credential decides `Authorization`, and
/// the HTTP stack owns framing.
pub const RESERVED_HEADERS: [&str; 5] = [
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// What Try It encodes in a path parameter: every byte but RFC 3986's unreserved
/// characters (letters, digits, `-._~`), so a value's `/`, `?`, `#` or space stays inside
/// its one segment.
pub(crate) const ENCODED: AsciiSet = NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The URL a request goes to: the environment's base URL (which ends in `/v1`) joined
/// with the operation's path (which starts with `/v1`), path parameters filled in and the
/// non-empty query parameters appended in order.
pub fn build_url(base_url: &str, request: &TryRequest) -> Result<Url, CommandError> {
    if base_url.is_empty() {
        return Err(CommandError::new(
            ConsoleCode::Unreachable,
            "The environment has no base URL yet (the embedded sandbox is still starting).",
        ));
    }
    let base = base_url.trim_end_matches('/');
    let mut path = String::with_capacity(request.path.len() + 16);
    for segment in request.path.trim().trim_start_matches('/').split('/') {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = request
                    .path_params
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.value.as_str())
                    .unwrap_or_default();
                if value.is_empty() {
                    return Err(CommandError::invalid_input(
                        &format!("path.{name}"),
                        format!("Fill in the path parameter {name}."),
                    ));
                }
                path.extend(utf8_percent_encode(value, &ENCODED));
            }
            None => path.push_str(segment),
        }
    }
    let joined = match (base.ends_with("/v1"), path.strip_prefix("/v1/")) {
        (true, Some(rest)) => format!("{base}/{rest}"),
        (true, None) if path == "/v1" => base.to_string(),
        _ => format!("{base}{path}"),
    };
    let mut url = Url::parse(&joined).map_err(|e| {
        CommandError::invalid_input("path", format!("{joined} is not a valid URL: {e}"))
    })?;
    let query: Vec<&TryPair> = request
        .query
        .iter()
        .filter(|p| !p.name.trim().is_empty() && !p.value.is_empty())
        .collect();
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for pair in query {
            pairs.append_pair(pair.name.trim(), &pair.value);
        }
    }
    Ok(url)
}

/// The extra headers a request carries, in order, without the reserved ones.
pub fn extra_headers(request: &TryRequest) -> Vec<(String, String)> {
    request
        .headers
        .iter()
        .filter(|h| !h.name.trim().is_empty())
        .filter(|h| !RESERVED_HEADERS.contains(&h.name.trim().to_ascii_lowercase().as_str()))
        .map(|h| (h.name.trim().to_string(), h.value.clone()))
        .collect()
}

/// What the body is, once decided: multipart wins when parts are given.
pub enum Body<'a> {
    None,
    Json(&'a str),
    Form(&'a [TryFormPart]),
}

pub fn body_of(request: &TryRequest) -> Body<'_> {
    if !request.form.is_empty() {
        Body::Form(&request.form)
    } else {
        match request.body.as_deref() {
            Some(text) if !text.trim().is_empty() => Body::Json(text),
            _ => Body::None,
        }
    }
}

fn method_of(request: &TryRequest) -> Result<reqwest::Method, CommandError> {
    reqwest::Method::from_bytes(request.method.trim().to_ascii_uppercase().as_bytes()).map_err(
        |_| {
            CommandError::invalid_input(
                "method",
                format!("{:?} is not an HTTP method", request.method),
            )
        },
    )
}

fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), CommandError> {
    let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        CommandError::invalid_input(
            &format!("header.{name}"),
            format!("{name:?} is not a valid header name"),
        )
    })?;
    let header_value = HeaderValue::from_str(value).map_err(|_| {
        CommandError::invalid_input(
            &format!("header.{name}"),
            "the value has characters a header cannot carry",
        )
    })?;
    Ok((header_name, header_value))
}

/// What authenticates a request: nothing (a public endpoint), a BotBat key sent as a
/// Bearer token, or a saved connection, whose [`Authorized`] writes its platform's header.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Bearer(&'a Sensitive<String>),
    Connection(&'a Authorized),
}

/// Sends `request` once and reads the whole answer. `started` is when the command began,
/// so `elapsed_ms` covers everything the user waited for.
pub async fn execute(
    http: &reqwest::Client,
    url: Url,
    request: &TryRequest,
    auth: Auth<'_>,
    operation: Option<&TryOperation>,
    started: Instant,
) -> Result<TryResponse, CommandError> {
    let method = method_of(request)?;
    let mut headers = HeaderMap::with_capacity(request.headers.len() + 3);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in extra_headers(request) {
        if let Auth::Connection(authorized) = auth {
            // The connection's credential decides its auth header, as it does Authorization.
            if name.eq_ignore_ascii_case(authorized.header_name()) {
                continue;
            }
        }
        let (name, value) = header_pair(&name, &value)?;
        headers.insert(name, value);
    }
    if let Auth::Bearer(key) = auth {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                CommandError::new(
                    ConsoleCode::InvalidInput,
                    "The stored key has characters a header cannot carry.",
                )
            })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    let url_text = url.to_string();
    let mut builder = http.request(method.clone(), url);
    match body_of(request) {
        Body::None => {}
        Body::Json(text) => {
            if !headers.contains_key(CONTENT_TYPE) {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            builder = builder.body(text.to_string());
        }
        Body::Form(parts) => {
            headers.remove(CONTENT_TYPE);
            let mut form = reqwest::multipart::Form::new();
            for part in parts {
                let mut p = reqwest::multipart::Part::text(part.content.clone());
                if let Some(filename) = &part.filename {
                    p = p.file_name(filename.clone());
                }
                if let Some(content_type) = &part.content_type {
                    p = p.mime_str(content_type).map_err(|_| {
                        CommandError::invalid_input(
                            &part.name,
                            format!("{content_type:?} is not a media type"),
                        )
                    })?;
                }
                form = form.part(part.name.clone(), p);
            }
            builder = builder.multipart(form);
        }
    }
    builder = builder.headers(headers);
    if let Auth::Connection(authorized) = auth {
        builder = authorized.apply(builder);
    }
    let response = builder.send().await.map_err(|e| {
        CommandError::new(
            ConsoleCode::Unreachable,
            format!(
                "Could not reach {url_text}: {}. Check the base URL in Settings.",
                transport_error(&e)
            ),
        )
    })?;
    let status = response.status();
    let headers: Vec<TryPair> = response
        .headers()
        .iter()
        .map(|(name, value)| TryPair::new(name.as_str(), String::from_utf8_lossy(value.as_bytes())))
        .collect();
    let bytes = response.bytes().await.map_err(|e| {
        CommandError::new(
            ConsoleCode::Unreachable,
            format!(
                "{url_text} stopped answering mid-response: {}",
                transport_error(&e)
            ),
        )
    })?;
    let mut out = interpret(
        method.as_str(),
        &url_text,
        status.as_u16(),
        headers,
        &bytes,
        operation,
    );
    out.elapsed_ms = round_ms(started.elapsed().as_secs_f64() * 1000.0);
    Ok(out)
}

pub fn round_ms(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

fn transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({detail})")
    }
}

fn header<'a>(headers: &'a [TryPair], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Reads status, headers and body into a response (with `elapsed_ms` left at 0).
pub fn interpret(
    method: &str,
    url: &str,
    status: u16,
    headers: Vec<TryPair>,
    bytes: &[u8],
    operation: Option<&TryOperation>,
) -> TryResponse {
    let content_type = header(&headers, "content-type").map(str::to_string);
    let json: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(bytes).ok()
    };
    let rate_limit = (|| {
        Some(TryRateLimit {
            limit: ratelimit::parse_count(header(&headers, "x-ratelimit-limit")?)?,
            remaining: ratelimit::parse_count(header(&headers, "x-ratelimit-remaining")?)?,
            reset: ratelimit::parse_reset(header(&headers, "x-ratelimit-reset")?)?,
            scope: header(&headers, "x-ratelimit-scope").map(str::to_string),
        })
    })();
    let retry_after = header(&headers, "retry-after")
        .and_then(|v| ratelimit::parse_retry_after(v, std::time::SystemTime::now()));
    let list = json
        .as_ref()
        .filter(|j| j.get("data").is_some_and(Value::is_array) && j.get("cursor").is_some());
    let error_details: Vec<FieldIssue> = json
        .as_ref()
        .and_then(|j| j.pointer("/error/details"))
        .and_then(|d| serde_json::from_value(d.clone()).ok())
        .unwrap_or_default();
    TryResponse {
        method: method.to_string(),
        url: url.to_string(),
        status,
        status_text: reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
            .to_string(),
        meaning: meaning(status, operation),
        request_id: header(&headers, "x-request-id").map(str::to_string),
        retry_after,
        retry_wait: retry_after.filter(|_| status == 429).map(Wait::retry_after),
        rate_limit,
        content_type,
        body: String::from_utf8_lossy(bytes).into_owned(),
        size_bytes: bytes.len() as u32,
        elapsed_ms: 0.0,
        next_cursor: list
            .and_then(|j| j.get("cursor"))
            .and_then(Value::as_str)
            .map(str::to_string),
        page_items: list
            .and_then(|j| j.get("data"))
            .and_then(Value::as_array)
            .map(|d| d.len() as u32),
        total: list.and_then(|j| j.get("total")).and_then(Value::as_u64),
        error_details,
        history_id: None,
        credential_label: String::new(),
        conformance: None,
        headers,
        json,
    }
}

/// What a status means for this endpoint: its documented description, or the platform's
/// general meaning of the status.
pub fn meaning(status: u16, operation: Option<&TryOperation>) -> String {
    let documented = operation.and_then(|op| {
        op.responses
            .iter()
            .find(|r| r.status == status.to_string())
            .map(|r| r.description.clone())
            .filter(|d| !d.is_empty())
    });
    if let Some(text) = documented {
        return text;
    }
    match status {
        200 => "OK: the request succeeded.",
        201 => "Created: the resource was created.",
        202 => "Accepted: the work was started; poll for its result.",
        204 => "No content: done, nothing to return.",
        400 => "invalid_request: the request is malformed (JSON, content type or query).",
        401 => "unauthorized: the key is missing, malformed, unknown, revoked or expired.",
        403 => "forbidden: the key lacks the scope this endpoint needs.",
        404 => "not_found: no such resource or route.",
        405 => "The route exists but not with this method.",
        409 => "conflict: the resource's current state does not allow this.",
        413 => "payload_too_large: the body is over the limit.",
        422 => "validation_error: the fields listed in details are invalid.",
        426 => "This endpoint needs a WebSocket upgrade.",
        429 => "rate_limited: wait Retry-After seconds before the next request.",
        500..=599 => "A server error: retry with exponential backoff.",
        _ => "",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, params: &[(&str, &str)], query: &[(&str, &str)]) -> TryRequest {
        TryRequest {
            method: "GET".into(),
            path: path.into(),
            path_params: params.iter().map(|(n, v)| TryPair::new(*n, *v)).collect(),
            query: query.iter().map(|(n, v)| TryPair::new(*n, *v)).collect(),
            credential: "management".into(),
            ..TryRequest::default()
        }
    }

    #[test]
    fn urls_join_the_base_and_the_published_path() {
        let url = build_url(
            "http://127.0.0.1:9/v1",
            &request(
                "/v1/contacts/{id}",
                &[("id", "ct 1/2")],
                &[("limit", "5"), ("q", ""), ("tag", "a b")],
            ),
        )
        .expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/v1/contacts/ct%201%2F2?limit=5&tag=a+b"
        );
        let url = build_url(
            "https://gw.example.com/botbat/v1/",
            &request("/v1/me", &[], &[]),
        )
        .expect("url");
        assert_eq!(url.as_str(), "https://gw.example.com/botbat/v1/me");
        let missing =
            build_url("http://x/v1", &request("/v1/contacts/{id}", &[], &[])).expect_err("no id");
        assert_eq!(missing.details[0].field, "path.id");
    }

    #[test]
    fn a_path_parameter_stays_one_segment_whatever_it_holds() {
        let value = "ct 1/2?x=a&b#c+d%e;f,g@h:i!j$k'l(m)n*o[p]q-._~é€😀";
        let url = build_url(
            "http://127.0.0.1:9/v1",
            &request("/v1/contacts/{id}/notes", &[("id", value)], &[]),
        )
        .expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/v1/contacts/ct%201%2F2%3Fx%3Da%26b%23c%2Bd%25e%3Bf%2Cg%40h%3Ai\
             %21j%24k%27l%28m%29n%2Ao%5Bp%5Dq-._~%C3%A9%E2%82%AC%F0%9F%98%80/notes"
        );
        assert_eq!(url.query(), None);
        assert_eq!(url.fragment(), None);
        assert_eq!(url.path_segments().expect("segments").count(), 4);
    }

    #[test]
    fn lists_rate_limits_and_errors_are_read_from_the_answer() {
        let headers = vec![
            TryPair::new("x-ratelimit-limit", "5"),
            TryPair::new("x-ratelimit-remaining", "0"),
            TryPair::new("x-ratelimit-reset", "1700000000"),
            TryPair::new("x-ratelimit-scope", "key"),
            TryPair::new("retry-after", "2"),
            TryPair::new("x-request-id", "req_1"),
        ];
        let page = interpret(
            "GET",
            "u",
            200,
            headers.clone(),
            br#"{"data":[1,2],"cursor":"c2","total":9}"#,
            None,
        );
        assert_eq!(page.next_cursor.as_deref(), Some("c2"));
        assert_eq!((page.page_items, page.total), (Some(2), Some(9)));
        assert_eq!(page.rate_limit.as_ref().map(|r| r.remaining), Some(0));
        let limited = interpret(
            "POST",
            "u",
            422,
            headers,
            br#"{"error":{"code":"validation_error","details":[{"field":"name","issue":"missing"}]}}"#,
            None,
        );
        assert_eq!(limited.retry_after, Some(2));
        assert_eq!(limited.retry_wait, None, "a wait is for a 429 only");
        assert_eq!(limited.error_details[0].field, "name");
        assert_eq!(limited.status_text, "Unprocessable Entity");
        assert!(limited.next_cursor.is_none());
    }

    #[test]
    fn absurd_rate_limit_headers_are_read_without_overflow_and_waits_capped() {
        let headers = vec![
            TryPair::new("x-ratelimit-limit", "99999999999999999999"),
            TryPair::new("x-ratelimit-remaining", "0"),
            TryPair::new("x-ratelimit-reset", "99999999999999999999999"),
            TryPair::new("retry-after", "86400"),
        ];
        let limited = interpret("GET", "u", 429, headers, b"", None);
        let rate_limit = limited.rate_limit.expect("still read");
        assert_eq!((rate_limit.limit, rate_limit.reset), (u32::MAX, i64::MAX));
        assert_eq!(limited.retry_after, Some(86_400));
        let wait = limited.retry_wait.expect("a 429's wait");
        assert_eq!(wait.wait_seconds, ratelimit::MAX_WAIT_SECONDS);
        assert!(wait.note.is_some_and(|n| n.contains("86400 s")));
        let junk = interpret(
            "GET",
            "u",
            429,
            vec![TryPair::new("retry-after", "-1")],
            b"",
            None,
        );
        assert_eq!((junk.retry_after, junk.retry_wait), (None, None));
    }
}
