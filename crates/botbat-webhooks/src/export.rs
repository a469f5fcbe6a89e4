//! Captures as other tools read them: a cURL command that sends the exact request again,
//! and HAR 1.2 (what browsers' devtools, Postman and Insomnia import).

use base64::Engine;
use serde_json::{json, Value};

use crate::capture::CaptureDetail;

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn body_bytes(detail: &CaptureDetail) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(&detail.body_base64)
        .unwrap_or_default()
}

/// A cURL command that sends the captured request to `url` (the receiver's address, or a
/// forward target). The body goes through `--data-binary` so no byte changes.
pub fn curl(detail: &CaptureDetail, url: &str) -> String {
    let mut parts = vec![
        "curl".to_string(),
        "-X".to_string(),
        detail.summary.method.clone(),
        shell_quote(url),
    ];
    for (name, value) in &detail.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "host" | "content-length" | "connection") {
            continue;
        }
        parts.push("-H".to_string());
        parts.push(shell_quote(&format!("{name}: {value}")));
    }
    let body = body_bytes(detail);
    if !body.is_empty() {
        parts.push("--data-binary".to_string());
        parts.push(shell_quote(&String::from_utf8_lossy(&body)));
    }
    parts.join(" ")
}

/// A HAR 1.2 log of captures; `base_url` makes each capture's path absolute.
pub fn har(details: &[CaptureDetail], base_url: &str) -> Value {
    let entries: Vec<Value> = details
        .iter()
        .map(|d| {
            let url = format!("{}{}", base_url.trim_end_matches('/'), d.summary.path);
            let mime = d
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| "application/octet-stream".into());
            let response = match &d.forward {
                Some(f) => json!({
                    "status": f.status.unwrap_or(0),
                    "statusText": f.error.clone().unwrap_or_default(),
                    "httpVersion": "HTTP/1.1",
                    "headers": f.headers.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
                    "cookies": [],
                    "content": {"size": f.body.len(), "mimeType": "text/plain", "text": f.body},
                    "redirectURL": "", "headersSize": -1, "bodySize": f.body.len(),
                }),
                None => json!({
                    "status": d.summary.response_status.unwrap_or(0),
                    "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                    "content": {"size": 0, "mimeType": "text/plain"},
                    "redirectURL": "", "headersSize": -1, "bodySize": 0,
                }),
            };
            json!({
                "startedDateTime": d.summary.received_at.to_rfc3339(),
                "time": d.forward.as_ref().map(|f| f.latency_ms).unwrap_or(0),
                "request": {
                    "method": d.summary.method,
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": d.headers.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": d.summary.body_size,
                    "postData": {"mimeType": mime, "text": d.body},
                },
                "response": response,
                "cache": {},
                "timings": {"send": 0, "wait": d.forward.as_ref().map(|f| f.latency_ms).unwrap_or(0), "receive": 0},
                "comment": d.summary.event_type.clone().unwrap_or_default(),
            })
        })
        .collect();
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "BotBat Developer Console", "version": env!("CARGO_PKG_VERSION")},
        "entries": entries,
    }})
}
