//! Captures as other tools read them: a cURL command that sends the exact request again,
//! and HAR 1.2 (what browsers' devtools, Postman and Insomnia import).
//!
//! Both are built from the capture as stored, so credential headers carry their mask.
//! The cURL command is byte-exact: a body that is not plain text (not UTF-8, a NUL byte, or
//! too long for one shell argument) is piped in from `printf` with octal escapes, which
//! every POSIX shell's `printf` turns back into the same bytes.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{json, Value};

use crate::capture::CaptureDetail;
use crate::forward::HOP_BY_HOP;

/// Bodies up to this size that are text go inline as one shell argument; Linux refuses a
/// single argument over 128 KiB, and a body that size reads better piped in anyway.
const INLINE_BODY_LIMIT: usize = 64 * 1024;

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn body_bytes(detail: &CaptureDetail) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(&detail.body_base64)
        .unwrap_or_default()
}

/// A `printf` format (in single quotes) that prints exactly `bytes`: printable ASCII as is,
/// `%` and `\` doubled, everything else (quotes, newlines, non-ASCII, NUL) as `\ooo`.
fn printf_format(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('\'');
    for &b in bytes {
        match b {
            b'%' => out.push_str("%%"),
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\047"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('\'');
    out
}

/// A cURL command that sends the captured request to `url` (the receiver's address, or a
/// forward target), byte for byte.
pub fn curl(detail: &CaptureDetail, url: &str) -> String {
    let mut parts = vec![
        "curl".to_string(),
        "-X".to_string(),
        detail.summary.method.clone(),
        shell_quote(url),
    ];
    for (name, value) in &detail.headers {
        if HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        parts.push("-H".to_string());
        parts.push(shell_quote(&format!("{name}: {value}")));
    }
    let body = body_bytes(detail);
    if body.is_empty() {
        return parts.join(" ");
    }
    match std::str::from_utf8(&body) {
        Ok(text) if !text.contains('\0') && body.len() <= INLINE_BODY_LIMIT => {
            parts.push("--data-binary".to_string());
            parts.push(shell_quote(text));
            parts.join(" ")
        }
        _ => {
            parts.push("--data-binary".to_string());
            parts.push("@-".to_string());
            format!("printf {} | {}", printf_format(&body), parts.join(" "))
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn name_values(pairs: &[(String, String)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect()
}

/// The decoded query parameters of a captured path, in order.
fn query_string(path: &str) -> Vec<Value> {
    let Some((_, query)) = path.split_once('?') else {
        return Vec::new();
    };
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect()
}

fn post_data(detail: &CaptureDetail) -> Value {
    let mime = header(&detail.headers, "content-type").unwrap_or("application/octet-stream");
    let bytes = body_bytes(detail);
    match String::from_utf8(bytes) {
        Ok(text) => json!({"mimeType": mime, "text": text}),
        // HAR has no binary postData; the exact bytes go as base64, marked as `content` is.
        Err(binary) => json!({
            "mimeType": mime,
            "text": base64::engine::general_purpose::STANDARD.encode(binary.as_bytes()),
            "encoding": "base64",
        }),
    }
}

fn comment(detail: &CaptureDetail) -> String {
    let mut parts = Vec::new();
    if let Some(event_type) = &detail.summary.event_type {
        parts.push(event_type.clone());
    }
    if !detail.masked.is_empty() {
        let names: Vec<&str> = detail.masked.iter().map(|m| m.name.as_str()).collect();
        parts.push(format!("masked credentials: {}", names.join(", ")));
    }
    parts.join("; ")
}

/// A HAR 1.2 log of captures; `base_url` makes each capture's path absolute.
pub fn har(details: &[CaptureDetail], base_url: &str) -> Value {
    let entries: Vec<Value> = details
        .iter()
        .map(|d| {
            let url = format!("{}{}", base_url.trim_end_matches('/'), d.summary.path);
            let response = match &d.forward {
                Some(f) => {
                    let mut content = json!({
                        "size": f.body.len(),
                        "mimeType": header(&f.headers, "content-type").unwrap_or(""),
                        "text": f.body,
                    });
                    if f.body_truncated {
                        content["comment"] = json!("the beginning of a longer body");
                    }
                    json!({
                        "status": f.status.unwrap_or(0),
                        "statusText": f.error.clone().unwrap_or_default(),
                        "httpVersion": "HTTP/1.1",
                        "headers": name_values(&f.headers),
                        "cookies": [],
                        "content": content,
                        "redirectURL": "", "headersSize": -1, "bodySize": f.body.len(),
                    })
                }
                None => json!({
                    "status": d.summary.response_status.unwrap_or(0),
                    "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                    "content": {"size": 0, "mimeType": ""},
                    "redirectURL": "", "headersSize": -1, "bodySize": 0,
                }),
            };
            let wait = d.forward.as_ref().map(|f| f.latency_ms).unwrap_or(0);
            json!({
                "startedDateTime": d.summary.received_at.to_rfc3339(),
                "time": wait,
                "request": {
                    "method": d.summary.method,
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": name_values(&d.headers),
                    "queryString": query_string(&d.summary.path),
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": d.summary.body_size,
                    "postData": post_data(d),
                },
                "response": response,
                "cache": {},
                "timings": {"send": 0, "wait": wait, "receive": 0},
                "comment": comment(d),
            })
        })
        .collect();
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "BotBat Developer Console", "version": env!("CARGO_PKG_VERSION")},
        "entries": entries,
    }})
}

/// Creates `<dir>/<stem>.<ext>`, or `<stem>-2.<ext>`, `-3`, … when that exists: an export
/// never overwrites a file, even one made in the same millisecond.
pub fn create_unique(dir: &Path, stem: &str, ext: &str) -> std::io::Result<(PathBuf, File)> {
    std::fs::create_dir_all(dir)?;
    for n in 1..=1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{} already holds 1,000 files named {stem}", dir.display()),
    ))
}

/// Writes captures as a HAR file named after `label` and the time, in `dir`; returns its
/// path.
pub fn write_har(
    dir: &Path,
    label: &str,
    details: &[CaptureDetail],
    base_url: &str,
) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    let (path, mut file) = create_unique(dir, &format!("botbat-{label}-captures-{stamp}"), "har")?;
    let bytes =
        serde_json::to_vec_pretty(&har(details, base_url)).map_err(std::io::Error::other)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printf_format_escapes_what_a_shell_or_printf_would_change() {
        assert_eq!(
            printf_format(b"a%b\\c'd\n\0\xff"),
            r"'a%%b\\c\047d\012\000\377'"
        );
    }

    #[test]
    fn query_parameters_are_decoded_in_order() {
        assert_eq!(
            query_string("/hooks?attempt=1&name=a%20b&flag"),
            vec![
                json!({"name": "attempt", "value": "1"}),
                json!({"name": "name", "value": "a b"}),
                json!({"name": "flag", "value": ""}),
            ]
        );
        assert!(query_string("/hooks").is_empty());
    }

    #[test]
    fn exports_never_overwrite_each_other() {
        let dir = tempfile::tempdir().expect("dir");
        let paths: Vec<PathBuf> = (0..3)
            .map(|_| create_unique(dir.path(), "same", "har").expect("create").0)
            .collect();
        assert_eq!(
            paths
                .iter()
                .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
                .collect::<Vec<_>>(),
            ["same.har", "same-2.har", "same-3.har"]
        );
    }
}
