//! Forwarding a captured request to the developer's own server, byte for byte.
//!
//! The method, the path suffix, the headers (except those that describe one hop: Host,
//! Content-Length, Connection, …) and the exact body go to the target, so a handler that
//! verifies signatures over the raw body sees what the platform sent.
//!
//! The target's answer is read only up to [`RESPONSE_BODY_LIMIT`]: a target that streams
//! a huge or endless body costs that much memory and no more, and the forward returns.

use std::time::Instant;

use url::Url;

use crate::capture::{ForwardResult, ReplayKind};

/// How much of the target's response body is read and kept.
pub const RESPONSE_BODY_LIMIT: usize = 64 * 1024;

/// Headers that belong to one connection, never forwarded.
pub(crate) const HOP_BY_HOP: [&str; 10] = [
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap_or_default()
}

/// Checks a forward target: an absolute http(s) URL.
pub fn parse_target(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|_| {
        format!("{raw:?} is not an absolute URL; use e.g. http://localhost:3000/webhooks")
    })?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err("the URL needs a host, e.g. http://localhost:3000/webhooks".into()),
        other => Err(format!("use http or https, not {other}")),
    }
}

/// Sends events of some types to their own target: `message.*` to one local path,
/// `contact.*` to another.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardRoute {
    /// An event type, or a glob over types (`message.*`, `*.failed`, `*`).
    pub pattern: String,
    pub target: Url,
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (also
/// none) and everything else for itself. Event types, routes and such names have no
/// escaping needs, so this is all the glob they get.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// Where an event goes: the first route whose pattern matches its type, else `fallback`.
pub fn route_for<'a>(
    routes: &'a [ForwardRoute],
    event_type: Option<&str>,
    fallback: Option<&'a Url>,
) -> Option<&'a Url> {
    event_type
        .and_then(|t| routes.iter().find(|r| glob_match(&r.pattern, t)))
        .map(|r| &r.target)
        .or(fallback)
}

/// The target URL with the received path appended: a request to `/orders?x=1` forwarded
/// to `http://localhost:3000/webhooks` goes to `http://localhost:3000/webhooks/orders?x=1`.
pub fn target_url(target: &Url, path_and_query: &str) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let base = target.as_str().trim_end_matches('/');
    let base = base.split('?').next().unwrap_or(base);
    let mut url = if path.is_empty() || path == "/" {
        if target.path() == "/" && target.query().is_none() {
            format!("{base}/")
        } else {
            target.as_str().to_string()
        }
    } else {
        format!("{base}{path}")
    };
    if let Some(query) = query {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(query);
    }
    url
}

/// Reads a response body until `cap` bytes, then stops: the rest is never read (dropping
/// the response closes its connection). Returns the bytes and whether there was more. A
/// body that breaks off keeps what arrived.
pub async fn read_capped(mut response: reqwest::Response, cap: usize) -> (Vec<u8>, bool) {
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(0, |n| n.min(cap as u64) as usize),
    );
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return (body, true);
        }
        body.extend_from_slice(&chunk);
    }
    (body, false)
}

pub async fn forward(
    http: &reqwest::Client,
    url: &str,
    method: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
    replay: Option<ReplayKind>,
) -> ForwardResult {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = http.request(method, url).body(body);
    for (name, value) in headers {
        if HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        request = request.header(name, value);
    }
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let (bytes, body_truncated) = read_capped(response, RESPONSE_BODY_LIMIT).await;
            let latency_ms = started.elapsed().as_millis() as u64;
            ForwardResult {
                url: url.to_string(),
                status: Some(status),
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
                body_truncated,
                latency_ms,
                error: None,
                replay,
            }
        }
        Err(error) => {
            let latency_ms = started.elapsed().as_millis() as u64;
            let reason = if error.is_connect() {
                format!("cannot connect to {url}: is your server running?")
            } else if error.is_timeout() {
                format!("{url} did not answer within 30 s")
            } else {
                format!("forwarding to {url} failed: {error}")
            };
            ForwardResult {
                url: url.to_string(),
                status: None,
                headers: Vec::new(),
                body: String::new(),
                body_truncated: false,
                latency_ms,
                error: Some(reason),
                replay,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_received_path_is_appended_to_the_target() {
        let target = Url::parse("http://localhost:3000/webhooks").expect("url");
        assert_eq!(target_url(&target, "/"), "http://localhost:3000/webhooks");
        assert_eq!(
            target_url(&target, "/orders?x=1"),
            "http://localhost:3000/webhooks/orders?x=1"
        );
        let root = Url::parse("http://127.0.0.1:9000").expect("url");
        assert_eq!(target_url(&root, "/"), "http://127.0.0.1:9000/");
        assert_eq!(target_url(&root, "/a/b"), "http://127.0.0.1:9000/a/b");
        assert!(parse_target("ftp://x").is_err());
        assert!(glob_match("message.*", "message.delivered"));
        assert!(glob_match("*.failed", "message.failed"));
        assert!(glob_match("*", ""));
        assert!(glob_match("/v1/contacts*", "/v1/contacts/{id}"));
        assert!(!glob_match("message.*", "contact.created"));
        assert!(!glob_match("message.sent", "message.sent.x"));
        let messages = ForwardRoute {
            pattern: "message.*".into(),
            target: Url::parse("http://localhost:3000/messages").expect("url"),
        };
        let fallback = Url::parse("http://localhost:3000/other").expect("url");
        let routes = [messages.clone()];
        assert_eq!(
            route_for(&routes, Some("message.read"), Some(&fallback)),
            Some(&messages.target)
        );
        assert_eq!(
            route_for(&routes, Some("contact.created"), Some(&fallback)),
            Some(&fallback)
        );
        assert_eq!(route_for(&routes, Some("contact.created"), None), None);
        assert!(parse_target("localhost:3000").is_err());
    }
}
