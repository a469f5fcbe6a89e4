//! Code that reproduces a request: cURL, JavaScript (fetch), Python (requests), PHP
//! (ext-curl) and Java (java.net.http, Java 11+).
//!
//! Each snippet sends the same method, URL (query included), headers and body the console
//! sends, and prints the status and the body. The key is read from `BOTBAT_API_KEY` so a
//! snippet can be pasted into a chat or a ticket; it is inlined only when the user asks.
//! The test suite runs every snippet against a live sandbox.

use serde_json::Value;
use url::Url;

use super::model::{TryFormPart, TryRequest, TrySnippet};
use super::send::{body_of, extra_headers, Body};

pub const KEY_VARIABLE: &str = "BOTBAT_API_KEY";

/// How a platform carries its credential: the header, what precedes the secret in it, and
/// the environment variable a snippet reads the secret from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthHeader {
    pub name: &'static str,
    pub prefix: &'static str,
    pub variable: &'static str,
}

/// BotBat's: `Authorization: Bearer $BOTBAT_API_KEY`.
pub const BOTBAT_AUTH: AuthHeader = AuthHeader {
    name: "Authorization",
    prefix: "Bearer ",
    variable: KEY_VARIABLE,
};

/// How the key appears in a snippet.
pub enum KeyText<'a> {
    /// Read from the `BOTBAT_API_KEY` environment variable.
    Variable,
    /// The secret itself, because the user asked for it.
    Inline(&'a str),
    /// The endpoint is public: no Authorization header.
    None,
}

/// Every snippet for `request` sent to `url` with BotBat's Authorization header.
pub fn all(url: &Url, request: &TryRequest, key: &KeyText<'_>) -> Vec<TrySnippet> {
    all_with(url, request, key, &BOTBAT_AUTH)
}

/// Every snippet for `request` sent to `url`, the credential carried as `auth` says.
pub fn all_with(
    url: &Url,
    request: &TryRequest,
    key: &KeyText<'_>,
    auth: &AuthHeader,
) -> Vec<TrySnippet> {
    vec![
        TrySnippet {
            language: "curl".into(),
            label: "cURL".into(),
            code: curl(url, request, key, auth),
        },
        TrySnippet {
            language: "javascript".into(),
            label: "JavaScript (fetch)".into(),
            code: javascript(url, request, key, auth),
        },
        TrySnippet {
            language: "python".into(),
            label: "Python (requests)".into(),
            code: python(url, request, key, auth),
        },
        TrySnippet {
            language: "php".into(),
            label: "PHP (curl)".into(),
            code: php(url, request, key, auth),
        },
        TrySnippet {
            language: "java".into(),
            label: "Java (HttpClient)".into(),
            code: java(url, request, key, auth),
        },
    ]
}

fn method(request: &TryRequest) -> String {
    request.method.trim().to_ascii_uppercase()
}

/// POSIX shell single quotes: everything literal, `'` written as `'\''`.
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A JSON string literal, which is also a valid JavaScript and Python string literal.
fn string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// PHP single-quoted string: only `\` and `'` need escaping.
fn php_literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', r"\\").replace('\'', r"\'"))
}

fn content_type_of(part: &TryFormPart) -> &str {
    part.content_type
        .as_deref()
        .unwrap_or("application/octet-stream")
}

fn filename_of(part: &TryFormPart) -> &str {
    part.filename.as_deref().unwrap_or("file")
}

/// Headers the snippet sends besides Authorization: Accept, the JSON content type when
/// there is a JSON body, then the user's own.
fn plain_headers(request: &TryRequest) -> Vec<(String, String)> {
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    let extra = extra_headers(request);
    let has_content_type = extra
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    match body_of(request) {
        Body::Json(_) if !has_content_type => {
            headers.push(("Content-Type".into(), "application/json".into()))
        }
        _ => {}
    }
    for (name, value) in extra {
        if matches!(body_of(request), Body::Form(_)) && name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        if name.eq_ignore_ascii_case("accept") {
            headers[0].1 = value;
        } else {
            headers.push((name, value));
        }
    }
    headers
}

pub fn curl(url: &Url, request: &TryRequest, key: &KeyText<'_>, auth: &AuthHeader) -> String {
    let mut lines = Vec::new();
    let method = method(request);
    let first = if method == "GET" {
        format!("curl {}", shell_quote(url.as_str()))
    } else {
        format!("curl -X {method} {}", shell_quote(url.as_str()))
    };
    lines.push(first);
    match key {
        KeyText::Variable => lines.push(format!(
            "-H \"{}: {}${}\"",
            auth.name, auth.prefix, auth.variable
        )),
        KeyText::Inline(secret) => lines.push(format!(
            "-H {}",
            shell_quote(&format!("{}: {}{secret}", auth.name, auth.prefix))
        )),
        KeyText::None => {}
    }
    for (name, value) in plain_headers(request) {
        lines.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
    }
    match body_of(request) {
        Body::None => {}
        Body::Json(text) => lines.push(format!("--data-raw {}", shell_quote(text))),
        Body::Form(parts) => {
            for part in parts {
                if part.filename.is_some() {
                    lines.push(format!(
                        "-F {}",
                        shell_quote(&format!(
                            "{}=@{};type={}",
                            part.name,
                            filename_of(part),
                            content_type_of(part)
                        ))
                    ));
                } else {
                    lines.push(format!(
                        "--form-string {}",
                        shell_quote(&format!("{}={}", part.name, part.content))
                    ));
                }
            }
        }
    }
    lines.join(" \\\n  ")
}

/// `value` as a JavaScript or Python expression, indented to `indent` after the first line.
fn literal(value: &Value, indent: usize, python: bool) -> String {
    let pad = " ".repeat(indent);
    let inner = " ".repeat(indent + 4);
    match value {
        Value::Null => if python { "None" } else { "null" }.into(),
        Value::Bool(b) => match (python, b) {
            (true, true) => "True".into(),
            (true, false) => "False".into(),
            (false, b) => b.to_string(),
        },
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_literal(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) => {
            let body: Vec<String> = items
                .iter()
                .map(|v| format!("{inner}{}", literal(v, indent + 4, python)))
                .collect();
            format!("[\n{},\n{pad}]", body.join(",\n"))
        }
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => {
            let body: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let key = if !python && is_identifier(k) {
                        k.clone()
                    } else {
                        string_literal(k)
                    };
                    format!("{inner}{key}: {}", literal(v, indent + 4, python))
                })
                .collect();
            format!("{{\n{},\n{pad}}}", body.join(",\n"))
        }
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn js_key(name: &str) -> String {
    if is_identifier(name) {
        name.to_string()
    } else {
        string_literal(name)
    }
}

/// A JSON body as an expression that serialises to the same JSON: the parsed value when
/// it parses, else the text itself (sent as typed, so even invalid JSON is reproduced).
fn json_body(text: &str, indent: usize, python: bool) -> (String, bool) {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => (literal(&value, indent, python), true),
        Err(_) => (string_literal(text), false),
    }
}

pub fn javascript(url: &Url, request: &TryRequest, key: &KeyText<'_>, auth: &AuthHeader) -> String {
    let mut out = String::new();
    let body = body_of(request);
    if let Body::Form(parts) = &body {
        if parts.iter().any(|p| p.filename.is_some()) {
            out.push_str("import { readFile } from \"node:fs/promises\";\n\n");
        }
        out.push_str("const form = new FormData();\n");
        for part in *parts {
            if part.filename.is_some() {
                out.push_str(&format!(
                    "form.append(\n  {},\n  new Blob([await readFile({})], {{ type: {} }}),\n  {},\n);\n",
                    string_literal(&part.name),
                    string_literal(filename_of(part)),
                    string_literal(content_type_of(part)),
                    string_literal(filename_of(part)),
                ));
            } else {
                out.push_str(&format!(
                    "form.append({}, {});\n",
                    string_literal(&part.name),
                    string_literal(&part.content)
                ));
            }
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "const response = await fetch({}, {{\n",
        string_literal(url.as_str())
    ));
    out.push_str(&format!(
        "  method: {},\n",
        string_literal(&method(request))
    ));
    out.push_str("  headers: {\n");
    match key {
        KeyText::Variable => out.push_str(&format!(
            "    {}: `{}${{process.env.{}}}`,\n",
            js_key(auth.name),
            auth.prefix,
            auth.variable
        )),
        KeyText::Inline(secret) => out.push_str(&format!(
            "    {}: {},\n",
            js_key(auth.name),
            string_literal(&format!("{}{secret}", auth.prefix))
        )),
        KeyText::None => {}
    }
    for (name, value) in plain_headers(request) {
        out.push_str(&format!(
            "    {}: {},\n",
            js_key(&name),
            string_literal(&value)
        ));
    }
    out.push_str("  },\n");
    match body {
        Body::None => {}
        Body::Json(text) => {
            let (expression, parsed) = json_body(text, 2, false);
            if parsed {
                out.push_str(&format!("  body: JSON.stringify({expression}),\n"));
            } else {
                out.push_str(&format!("  body: {expression},\n"));
            }
        }
        Body::Form(_) => out.push_str("  body: form,\n"),
    }
    out.push_str("});\n");
    out.push_str("console.log(response.status);\n");
    out.push_str("console.log(await response.text());\n");
    out
}

pub fn python(url: &Url, request: &TryRequest, key: &KeyText<'_>, auth: &AuthHeader) -> String {
    let mut out = String::new();
    if matches!(key, KeyText::Variable) {
        out.push_str("import os\n\n");
    }
    out.push_str("import requests\n\n");
    let method = method(request);
    match method.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => out.push_str(&format!(
            "response = requests.{}(\n    {},\n",
            method.to_ascii_lowercase(),
            string_literal(url.as_str())
        )),
        _ => out.push_str(&format!(
            "response = requests.request(\n    {},\n    {},\n",
            string_literal(&method),
            string_literal(url.as_str())
        )),
    }
    out.push_str("    headers={\n");
    match key {
        KeyText::Variable => out.push_str(&format!(
            "        {}: f\"{}{{os.environ['{}']}}\",\n",
            string_literal(auth.name),
            auth.prefix,
            auth.variable
        )),
        KeyText::Inline(secret) => out.push_str(&format!(
            "        {}: {},\n",
            string_literal(auth.name),
            string_literal(&format!("{}{secret}", auth.prefix))
        )),
        KeyText::None => {}
    }
    let mut headers = plain_headers(request);
    let body = body_of(request);
    let parsed_json = match &body {
        Body::Json(text) => serde_json::from_str::<Value>(text).ok(),
        _ => None,
    };
    if parsed_json.is_some() {
        // `json=` sets this header itself.
        headers
            .retain(|(n, v)| !(n.eq_ignore_ascii_case("content-type") && v == "application/json"));
    }
    for (name, value) in headers {
        out.push_str(&format!(
            "        {}: {},\n",
            string_literal(&name),
            string_literal(&value)
        ));
    }
    out.push_str("    },\n");
    match body {
        Body::None => {}
        Body::Json(text) => match parsed_json {
            Some(value) => out.push_str(&format!("    json={},\n", literal(&value, 4, true))),
            None => out.push_str(&format!("    data={},\n", string_literal(text))),
        },
        Body::Form(parts) => {
            let files: Vec<&TryFormPart> = parts.iter().filter(|p| p.filename.is_some()).collect();
            let fields: Vec<&TryFormPart> = parts.iter().filter(|p| p.filename.is_none()).collect();
            if !fields.is_empty() {
                out.push_str("    data={\n");
                for part in fields {
                    out.push_str(&format!(
                        "        {}: {},\n",
                        string_literal(&part.name),
                        string_literal(&part.content)
                    ));
                }
                out.push_str("    },\n");
            }
            if !files.is_empty() {
                out.push_str("    files={\n");
                for part in files {
                    out.push_str(&format!(
                        "        {}: ({}, open({}, \"rb\"), {}),\n",
                        string_literal(&part.name),
                        string_literal(filename_of(part)),
                        string_literal(filename_of(part)),
                        string_literal(content_type_of(part)),
                    ));
                }
                out.push_str("    },\n");
            }
        }
    }
    out.push_str(")\n");
    out.push_str("print(response.status_code)\n");
    out.push_str("print(response.text)\n");
    out
}

/// A nowdoc marker that does not occur in the body.
fn nowdoc_marker(text: &str) -> String {
    let mut marker = "JSON".to_string();
    while text.lines().any(|l| l.trim_start().starts_with(&marker)) {
        marker.push('_');
    }
    marker
}

pub fn php(url: &Url, request: &TryRequest, key: &KeyText<'_>, auth: &AuthHeader) -> String {
    let mut out = String::from("<?php\n\n");
    let body = body_of(request);
    if let Body::Json(text) = &body {
        let marker = nowdoc_marker(text);
        out.push_str(&format!("$body = <<<'{marker}'\n{text}\n{marker};\n\n"));
    }
    out.push_str(&format!(
        "$ch = curl_init({});\n",
        php_literal(url.as_str())
    ));
    out.push_str("curl_setopt_array($ch, [\n");
    out.push_str(&format!(
        "    CURLOPT_CUSTOMREQUEST => {},\n",
        php_literal(&method(request))
    ));
    out.push_str("    CURLOPT_HTTPHEADER => [\n");
    match key {
        KeyText::Variable => out.push_str(&format!(
            "        {} . getenv('{}'),\n",
            php_literal(&format!("{}: {}", auth.name, auth.prefix)),
            auth.variable
        )),
        KeyText::Inline(secret) => out.push_str(&format!(
            "        {},\n",
            php_literal(&format!("{}: {}{secret}", auth.name, auth.prefix))
        )),
        KeyText::None => {}
    }
    for (name, value) in plain_headers(request) {
        out.push_str(&format!(
            "        {},\n",
            php_literal(&format!("{name}: {value}"))
        ));
    }
    out.push_str("    ],\n");
    match body {
        Body::None => {}
        Body::Json(_) => out.push_str("    CURLOPT_POSTFIELDS => $body,\n"),
        Body::Form(parts) => {
            out.push_str("    CURLOPT_POSTFIELDS => [\n");
            for part in parts {
                if part.filename.is_some() {
                    out.push_str(&format!(
                        "        {} => new CURLFile({}, {}, {}),\n",
                        php_literal(&part.name),
                        php_literal(filename_of(part)),
                        php_literal(content_type_of(part)),
                        php_literal(filename_of(part)),
                    ));
                } else {
                    out.push_str(&format!(
                        "        {} => {},\n",
                        php_literal(&part.name),
                        php_literal(&part.content)
                    ));
                }
            }
            out.push_str("    ],\n");
        }
    }
    out.push_str("    CURLOPT_RETURNTRANSFER => true,\n");
    out.push_str("]);\n");
    out.push_str("$response = curl_exec($ch);\n");
    out.push_str("if ($response === false) {\n    fwrite(STDERR, curl_error($ch) . \"\\n\");\n    exit(1);\n}\n");
    out.push_str("echo curl_getinfo($ch, CURLINFO_RESPONSE_CODE), \"\\n\", $response, \"\\n\";\n");
    out.push_str("curl_close($ch);\n");
    out
}

/// A Java string literal: ASCII only (the source file's encoding is then irrelevant), with
/// every other character as a `\uXXXX` escape of its UTF-16 units.
fn java_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// A multi-line text as a Java expression: one literal per line, joined with `+`, so a
/// JSON body reads as it was typed (Java 11 has no text blocks).
fn java_text(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() <= 1 {
        return java_literal(text);
    }
    lines
        .iter()
        .map(|line| java_literal(line))
        .collect::<Vec<_>>()
        .join(&format!("\n{pad}+ "))
}

/// A multipart parameter as HTML's form encoder writes it: `"`, CR and LF percent-encoded.
fn multipart_name(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Headers `java.net.http.HttpClient` refuses to let a caller set (it writes them itself).
const JAVA_RESTRICTED: [&str; 2] = ["expect", "upgrade"];

pub fn java(url: &Url, request: &TryRequest, key: &KeyText<'_>, auth: &AuthHeader) -> String {
    let body = body_of(request);
    let form = match &body {
        Body::Form(parts) => Some(*parts),
        _ => None,
    };
    let has_file = form.is_some_and(|parts| parts.iter().any(|p| p.filename.is_some()));
    let has_field = form.is_some_and(|parts| parts.iter().any(|p| p.filename.is_none()));
    let mut out = String::from("// Java 11 or later: java Snippet.java\n");
    if form.is_some() {
        out.push_str("import java.io.ByteArrayOutputStream;\nimport java.io.IOException;\n");
    }
    out.push_str("import java.net.URI;\nimport java.net.http.HttpClient;\nimport java.net.http.HttpRequest;\nimport java.net.http.HttpResponse;\n");
    if form.is_some() {
        out.push_str("import java.nio.charset.StandardCharsets;\n");
    }
    if has_file {
        out.push_str("import java.nio.file.Files;\nimport java.nio.file.Path;\n");
    }
    if form.is_some() {
        out.push_str("import java.util.UUID;\n");
    }
    out.push_str("\npublic class Snippet {\n");
    out.push_str("    public static void main(String[] args) throws Exception {\n");
    let publisher = match &body {
        Body::None => None,
        Body::Json(text) => {
            out.push_str(&format!("        String body = {};\n", java_text(text, 12)));
            Some("HttpRequest.BodyPublishers.ofString(body)")
        }
        Body::Form(parts) => {
            out.push_str("        String boundary = \"botbat-\" + UUID.randomUUID();\n");
            out.push_str("        ByteArrayOutputStream form = new ByteArrayOutputStream();\n");
            for part in *parts {
                if part.filename.is_some() {
                    out.push_str(&format!(
                        "        file(form, boundary, {}, {}, {});\n",
                        java_literal(&multipart_name(&part.name)),
                        java_literal(filename_of(part)),
                        java_literal(content_type_of(part)),
                    ));
                } else {
                    out.push_str(&format!(
                        "        field(form, boundary, {}, {});\n",
                        java_literal(&multipart_name(&part.name)),
                        java_literal(&part.content),
                    ));
                }
            }
            out.push_str(
                "        form.write((\"--\" + boundary + \"--\\r\\n\").getBytes(StandardCharsets.UTF_8));\n",
            );
            Some("HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())")
        }
    };
    out.push_str(&format!(
        "\n        HttpRequest request = HttpRequest.newBuilder(URI.create({}))\n",
        java_literal(url.as_str())
    ));
    let method = method(request);
    match (method.as_str(), publisher) {
        ("GET", None) => out.push_str("            .GET()\n"),
        ("DELETE", None) => out.push_str("            .DELETE()\n"),
        ("POST" | "PUT", Some(publisher)) => {
            out.push_str(&format!("            .{method}({publisher})\n"))
        }
        (_, publisher) => out.push_str(&format!(
            "            .method({}, {})\n",
            java_literal(&method),
            publisher.unwrap_or("HttpRequest.BodyPublishers.noBody()")
        )),
    }
    match key {
        KeyText::Variable if auth.prefix.is_empty() => out.push_str(&format!(
            "            .header({}, System.getenv({}))\n",
            java_literal(auth.name),
            java_literal(auth.variable)
        )),
        KeyText::Variable => out.push_str(&format!(
            "            .header({}, {} + System.getenv({}))\n",
            java_literal(auth.name),
            java_literal(auth.prefix),
            java_literal(auth.variable)
        )),
        KeyText::Inline(secret) => out.push_str(&format!(
            "            .header({}, {})\n",
            java_literal(auth.name),
            java_literal(&format!("{}{secret}", auth.prefix))
        )),
        KeyText::None => {}
    }
    for (name, value) in plain_headers(request) {
        if JAVA_RESTRICTED.contains(&name.to_ascii_lowercase().as_str()) {
            out.push_str(&format!(
                "            // {name}: HttpClient writes this header itself.\n"
            ));
            continue;
        }
        out.push_str(&format!(
            "            .header({}, {})\n",
            java_literal(&name),
            java_literal(&value)
        ));
    }
    if form.is_some() {
        out.push_str(
            "            .header(\"Content-Type\", \"multipart/form-data; boundary=\" + boundary)\n",
        );
    }
    out.push_str("            .build();\n");
    out.push_str("        HttpResponse<String> response = HttpClient.newHttpClient()\n");
    out.push_str("            .send(request, HttpResponse.BodyHandlers.ofString());\n");
    out.push_str("        System.out.println(response.statusCode());\n");
    out.push_str("        System.out.println(response.body());\n");
    out.push_str("    }\n");
    if has_field {
        out.push_str(concat!(
            "\n    static void field(ByteArrayOutputStream form, String boundary, String name, String value)\n",
            "            throws IOException {\n",
            "        form.write((\"--\" + boundary + \"\\r\\nContent-Disposition: form-data; name=\\\"\" + name\n",
            "            + \"\\\"\\r\\n\\r\\n\" + value + \"\\r\\n\").getBytes(StandardCharsets.UTF_8));\n",
            "    }\n",
        ));
    }
    if has_file {
        out.push_str(concat!(
            "\n    static void file(ByteArrayOutputStream form, String boundary, String name, String filename,\n",
            "            String type) throws IOException {\n",
            "        form.write((\"--\" + boundary + \"\\r\\nContent-Disposition: form-data; name=\\\"\" + name\n",
            "            + \"\\\"; filename=\\\"\" + filename + \"\\\"\\r\\nContent-Type: \" + type + \"\\r\\n\\r\\n\")\n",
            "            .getBytes(StandardCharsets.UTF_8));\n",
            "        form.write(Files.readAllBytes(Path.of(filename)));\n",
            "        form.write(\"\\r\\n\".getBytes(StandardCharsets.UTF_8));\n",
            "    }\n",
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tryit::model::TryPair;

    fn create() -> (Url, TryRequest) {
        (
            Url::parse("http://127.0.0.1:9/v1/contacts?x=it%27s").expect("url"),
            TryRequest {
                method: "post".into(),
                path: "/v1/contacts".into(),
                body: Some("{\n  \"name\": \"O'Brien\",\n  \"ok\": true,\n  \"n\": null\n}".into()),
                headers: vec![
                    TryPair::new("Idempotency-Key", "abc"),
                    TryPair::new("Authorization", "x"),
                ],
                credential: "management".into(),
                ..TryRequest::default()
            },
        )
    }

    #[test]
    fn the_key_is_a_variable_unless_inlined() {
        let (url, request) = create();
        for snippet in all(&url, &request, &KeyText::Variable) {
            assert!(snippet.code.contains(KEY_VARIABLE), "{}", snippet.code);
            assert!(!snippet.code.contains("bb_test_"), "{}", snippet.code);
            assert!(snippet.code.contains("Idempotency-Key"), "{}", snippet.code);
            assert!(
                !snippet.code.contains("Authorization: x"),
                "{}",
                snippet.code
            );
        }
        for snippet in all(&url, &request, &KeyText::Inline("bb_test_abc")) {
            assert!(snippet.code.contains("bb_test_abc"), "{}", snippet.code);
            assert!(!snippet.code.contains(KEY_VARIABLE), "{}", snippet.code);
        }
    }

    #[test]
    fn quoting_survives_quotes_in_urls_and_bodies() {
        let (url, request) = create();
        let code = curl(&url, &request, &KeyText::Variable, &BOTBAT_AUTH);
        assert!(code.contains(r"O'\''Brien"), "{code}");
        assert!(
            code.starts_with("curl -X POST 'http://127.0.0.1:9/v1/contacts?x=it%27s'"),
            "{code}"
        );
        let code = python(&url, &request, &KeyText::Variable, &BOTBAT_AUTH);
        assert!(
            code.contains("\"ok\": True") && code.contains("\"n\": None"),
            "{code}"
        );
        assert!(!code.contains("Content-Type"), "json= sets it: {code}");
        let code = php(&url, &request, &KeyText::Variable, &BOTBAT_AUTH);
        assert!(
            code.contains("<<<'JSON'\n{\n  \"name\": \"O'Brien\""),
            "{code}"
        );
        let code = java(&url, &request, &KeyText::Variable, &BOTBAT_AUTH);
        assert!(
            code.contains(
                "String body = \"{\\n\"\n            + \"  \\\"name\\\": \\\"O'Brien\\\",\\n\""
            ),
            "{code}"
        );
        assert!(
            code.contains(".POST(HttpRequest.BodyPublishers.ofString(body))"),
            "{code}"
        );
        assert!(
            code.contains(
                ".header(\"Authorization\", \"Bearer \" + System.getenv(\"BOTBAT_API_KEY\"))"
            ),
            "{code}"
        );
    }

    #[test]
    fn java_literals_are_ascii_and_escape_what_java_reads_specially() {
        assert_eq!(java_literal("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(java_literal("ü😀"), r#""\u00fc\ud83d\ude00""#);
        // `\u` in the text stays two characters: the backslash is escaped first.
        assert_eq!(java_literal("\\u0041"), r#""\\u0041""#);
    }
}
