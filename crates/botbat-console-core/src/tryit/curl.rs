//! Reading a pasted cURL command back into the builder.
//!
//! Developers arrive with commands from the API reference, a colleague's chat message or a
//! browser's "Copy as cURL", so the parser accepts what those produce: line continuations,
//! single, double and `$'…'` quotes, bundled short flags (`-sS`), attached values
//! (`-XPOST`), repeated `-d`, `--json`, `-F` with `@file`, `-G` and `--url-query`. Every
//! option curl knows to take a value is known here too, so an option's value is never
//! mistaken for the URL. The key in the command is never taken over: the request uses the
//! credential chosen in the builder.

use percent_encoding::{utf8_percent_encode, AsciiSet};
use url::Url;

use super::catalog::Catalog;
use super::model::{TryFormPart, TryPair, TryParsedCurl, TryRequest};
use super::send::ENCODED;
use crate::CommandError;

/// Splits a shell command line into words the way a POSIX shell would for a plain command.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some('\r') => {}
                Some(other) => {
                    word.push(other);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err("a single quote (') is never closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some('\n') => {}
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err("a double quote (\") is never closed".into()),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err("a double quote (\") is never closed".into()),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => word.push('\n'),
                            Some('t') => word.push('\t'),
                            Some('r') => word.push('\r'),
                            Some('0') => word.push('\0'),
                            Some(ch @ ('x' | 'u')) => {
                                let digits = if ch == 'x' { 2 } else { 4 };
                                let hex: String =
                                    (0..digits).filter_map(|_| chars.next()).collect();
                                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                                    Some(decoded) => word.push(decoded),
                                    None => {
                                        return Err(format!("\\{ch}{hex} is not a valid escape"))
                                    }
                                }
                            }
                            Some(ch) => word.push(ch),
                            None => return Err("a $'…' quote is never closed".into()),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err("a $'…' quote is never closed".into()),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[derive(Debug, Default, PartialEq)]
pub struct CurlCommand {
    pub method: Option<String>,
    pub url: Option<String>,
    pub headers: Vec<(String, String)>,
    pub data: Vec<String>,
    pub form: Vec<TryFormPart>,
    /// `-F name=@path`: paths whose contents the user must choose.
    pub files: Vec<String>,
    pub get: bool,
    pub json: bool,
    /// `--url-query` pieces, encoded, in order: appended to the URL's query.
    pub url_query: Vec<String>,
    pub warnings: Vec<String>,
}

/// Every long option that takes a value (without its `--`), from curl's own option table
/// (`aliases[]` in `src/tool_getparam.c`: the `ARG_STRG` and `ARG_FILE` entries), sorted.
/// It covers curl 7.88's `curl --help all` and the options added since; a test checks it
/// against the `curl` on the machine. An option missing here would take the URL as its
/// value and send the request somewhere else.
const LONG_WITH_VALUE: &[&str] = &[
    "abstract-unix-socket",
    "alt-svc",
    "aws-sigv4",
    "cacert",
    "capath",
    "cert",
    "cert-type",
    "ciphers",
    "config",
    "connect-timeout",
    "connect-to",
    "continue-at",
    "cookie",
    "cookie-jar",
    "create-file-mode",
    "crlfile",
    "curves",
    "data",
    "data-ascii",
    "data-binary",
    "data-raw",
    "data-urlencode",
    "delegation",
    "dns-interface",
    "dns-ipv4-addr",
    "dns-ipv6-addr",
    "dns-servers",
    "doh-url",
    "dump-header",
    "ech",
    "egd-file",
    "engine",
    "etag-compare",
    "etag-save",
    "expect100-timeout",
    "form",
    "form-string",
    "ftp-account",
    "ftp-alternative-to-user",
    "ftp-method",
    "ftp-port",
    "ftp-ssl-ccc-mode",
    "happy-eyeballs-timeout-ms",
    "haproxy-clientip",
    "header",
    "help",
    "hostpubmd5",
    "hostpubsha256",
    "hsts",
    "interface",
    "ip-tos",
    "ipfs-gateway",
    "json",
    "keepalive-cnt",
    "keepalive-time",
    "key",
    "key-type",
    "knownhosts",
    "krb",
    "krb4",
    "libcurl",
    "limit-rate",
    "local-port",
    "login-options",
    "mail-auth",
    "mail-from",
    "mail-rcpt",
    "max-filesize",
    "max-redirs",
    "max-time",
    "netrc-file",
    "noproxy",
    "oauth2-bearer",
    "output",
    "output-dir",
    "parallel-max",
    "parallel-max-host",
    "pass",
    "pinnedpubkey",
    "preproxy",
    "proto",
    "proto-default",
    "proto-redir",
    "proxy",
    "proxy-cacert",
    "proxy-capath",
    "proxy-cert",
    "proxy-cert-type",
    "proxy-ciphers",
    "proxy-crlfile",
    "proxy-header",
    "proxy-key",
    "proxy-key-type",
    "proxy-pass",
    "proxy-pinnedpubkey",
    "proxy-service-name",
    "proxy-tls13-ciphers",
    "proxy-tlsauthtype",
    "proxy-tlspassword",
    "proxy-tlsuser",
    "proxy-user",
    "proxy1.0",
    "pubkey",
    "quote",
    "random-file",
    "range",
    "rate",
    "referer",
    "request",
    "request-target",
    "resolve",
    "retry",
    "retry-delay",
    "retry-max-time",
    "sasl-authzid",
    "service-name",
    "sigalgs",
    "socks4",
    "socks4a",
    "socks5",
    "socks5-gssapi-service",
    "socks5-hostname",
    "speed-limit",
    "speed-time",
    "ssl-sessions",
    "stderr",
    "telnet-option",
    "tftp-blksize",
    "time-cond",
    "tls-max",
    "tls13-ciphers",
    "tlsauthtype",
    "tlspassword",
    "tlsuser",
    "trace",
    "trace-ascii",
    "trace-config",
    "unix-socket",
    "upload-file",
    "upload-flags",
    "url",
    "url-query",
    "user",
    "user-agent",
    "variable",
    "vlan-priority",
    "write-out",
];

/// The short forms of options in [`LONG_WITH_VALUE`].
const SHORT_WITH_VALUE: &str = "ACDEFHKPQTUXYbcdehmortuwxyz";

/// Options whose value changes nothing Try It sends (where output goes, timeouts,
/// retries, tracing, the client's own TLS trust): dropped without a warning.
const QUIET_WITH_VALUE: &[&str] = &[
    "--cacert",
    "--capath",
    "--connect-timeout",
    "--create-file-mode",
    "--dump-header",
    "-D",
    "--expect100-timeout",
    "--happy-eyeballs-timeout-ms",
    "--keepalive-cnt",
    "--keepalive-time",
    "--libcurl",
    "--limit-rate",
    "--max-time",
    "-m",
    "--output",
    "-o",
    "--output-dir",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--speed-limit",
    "-Y",
    "--speed-time",
    "-y",
    "--stderr",
    "--trace",
    "--trace-ascii",
    "--trace-config",
    "--write-out",
    "-w",
];

/// Whether `option` (as written, `-X` or `--request`) takes the next word as its value.
/// `--expand-<option>` (curl 8.3) takes one when `<option>` does.
fn takes_value(option: &str) -> bool {
    match option.strip_prefix("--") {
        Some(long) => {
            let long = long.strip_prefix("expand-").unwrap_or(long);
            LONG_WITH_VALUE.binary_search(&long).is_ok()
        }
        None => {
            let mut chars = option.chars().skip(1);
            matches!((chars.next(), chars.next()), (Some(c), None) if SHORT_WITH_VALUE.contains(c))
        }
    }
}

/// What the command's own credential (an `Authorization` header, `--oauth2-bearer`)
/// becomes: nothing. The builder's credential is used.
const KEY_LEFT_OUT: &str = "The command's key (its Authorization header or --oauth2-bearer) was left out: the request uses the credential chosen in the builder, so no key is copied into history.";

/// Parses the words of a `curl` command.
pub fn parse_words(words: &[String]) -> Result<CurlCommand, String> {
    let mut iter = words.iter().map(String::as_str).peekable();
    while iter.peek().is_some_and(|w| *w == "$" || *w == "%") {
        iter.next();
    }
    match iter.next() {
        Some(w) if w == "curl" || w.ends_with("/curl") || w == "curl.exe" => {}
        Some(w) => {
            return Err(format!(
                "it starts with {w:?}; paste a command starting with curl"
            ))
        }
        None => return Err("it is empty; paste a command starting with curl".into()),
    }
    let mut pending: std::collections::VecDeque<String> = iter.map(str::to_string).collect();
    let mut command = CurlCommand::default();
    while let Some(word) = pending.pop_front() {
        // Bundled short options: `-sSL` is `-s -S -L`, `-XPOST` is `-X POST`. Values are
        // taken as they are, so a value that starts with `-` is never split.
        if word.len() > 2 && word.starts_with('-') && !word.starts_with("--") {
            let flags = &word[1..];
            let mut split = Vec::new();
            for (i, flag) in flags.char_indices() {
                split.push(format!("-{flag}"));
                if SHORT_WITH_VALUE.contains(flag) {
                    let rest = &flags[i + flag.len_utf8()..];
                    if !rest.is_empty() {
                        split.push(rest.to_string());
                    }
                    break;
                }
            }
            for piece in split.into_iter().rev() {
                pending.push_front(piece);
            }
            let Some(first) = pending.pop_front() else {
                continue;
            };
            take(&mut command, &first, &mut pending)?;
            continue;
        }
        let option = word.as_str();
        if !option.starts_with('-') || option == "-" {
            if command.url.is_some() {
                command
                    .warnings
                    .push(format!("Ignored the extra argument {option:?}."));
            } else {
                command.url = Some(word);
            }
            continue;
        }
        take(&mut command, option, &mut pending)?;
    }
    if command.url.is_none() {
        return Err("it has no URL".into());
    }
    Ok(command)
}

/// Applies one option, taking its value from `pending` when it has one.
fn take(
    command: &mut CurlCommand,
    option: &str,
    pending: &mut std::collections::VecDeque<String>,
) -> Result<(), String> {
    if matches!(
        option,
        "-h" | "--help" | "-M" | "--manual" | "-V" | "--version"
    ) {
        return Err(format!(
            "{option} makes curl print about itself and send nothing; paste the command that sends the request"
        ));
    }
    if takes_value(option) {
        let Some(value) = pending.pop_front() else {
            return Err(format!("{option} needs a value"));
        };
        apply(command, option, value);
    } else {
        flag(command, option);
    }
    Ok(())
}

fn flag(command: &mut CurlCommand, option: &str) {
    match option {
        "-G" | "--get" => command.get = true,
        "-I" | "--head" => command.method = Some("HEAD".into()),
        "-s" | "-S" | "-i" | "-L" | "-k" | "-v" | "-f" | "--silent" | "--show-error"
        | "--include" | "--location" | "--insecure" | "--verbose" | "--fail"
        | "--fail-with-body" | "--compressed" | "--http1.1" | "--http2" | "-N" | "--no-buffer"
        | "-g" | "--globoff" => {}
        other => command.warnings.push(format!(
            "Ignored the option {other}, which Try It does not use."
        )),
    }
}

fn apply(command: &mut CurlCommand, option: &str, value: String) {
    match option {
        "-X" | "--request" => command.method = Some(value.to_ascii_uppercase()),
        "-H" | "--header" => match value.split_once(':') {
            Some((name, v)) => command
                .headers
                .push((name.trim().to_string(), v.trim().to_string())),
            None => command.warnings.push(format!(
                "Ignored the header {value:?}: it has no `name: value`."
            )),
        },
        "-d" | "--data" | "--data-ascii" | "--data-binary" | "--data-raw" => {
            if value.starts_with('@') && option != "--data-raw" {
                command.warnings.push(format!(
                    "The body is read from the file {}; paste its contents into the body editor.",
                    &value[1..]
                ));
            } else {
                command.data.push(value);
            }
        }
        "--data-urlencode" => {
            if let Some(encoded) = urlencode_like_curl(command, option, &value) {
                command.data.push(encoded);
            }
        }
        "--url-query" => {
            let piece = match value.strip_prefix('+') {
                Some(as_is) => Some(as_is.to_string()),
                None => urlencode_like_curl(command, option, &value),
            };
            command.url_query.extend(piece);
        }
        "--oauth2-bearer" => command.warnings.push(KEY_LEFT_OUT.into()),
        "-K" | "--config" => command.warnings.push(format!(
            "Ignored {option}: curl reads more options from that file; paste them into the command to import them."
        )),
        "--json" if value.starts_with('@') => command.warnings.push(format!(
            "The body is read from the file {}; paste its contents into the body editor.",
            &value[1..]
        )),
        "--json" => {
            command.json = true;
            command.data.push(value);
        }
        "-F" | "--form" | "--form-string" => form(command, option, &value),
        "--url" => command.url = Some(value),
        "-u" | "--user" => command.warnings.push(
            "Ignored --user: BotBat authenticates with a Bearer key, chosen in the builder.".into(),
        ),
        quiet if QUIET_WITH_VALUE.contains(&quiet) => {}
        // The value is not repeated: it may be a password (`-E cert:pass`, `--pass`).
        other => command.warnings.push(format!(
            "Ignored the option {other} and its value, which Try It does not use."
        )),
    }
}

/// `--data-urlencode` and `--url-query` as curl reads them: `name=content` encodes the
/// content only, `=content` and a bare `content` encode it all (no `=` is added), and
/// `name@file` reads a file, which Try It cannot: it says so and takes nothing.
fn urlencode_like_curl(command: &mut CurlCommand, option: &str, value: &str) -> Option<String> {
    let (name, content) = match value.split_once('=') {
        Some((name, content)) => (name, content),
        None => match value.split_once('@') {
            Some((_, file)) => {
                command.warnings.push(format!(
                    "Ignored {option} {value:?}: curl reads it from the file {file}; type the value into the builder."
                ));
                return None;
            }
            None => ("", value),
        },
    };
    let encoded = escape_like_curl(content);
    Some(if name.is_empty() {
        encoded
    } else {
        format!("{name}={encoded}")
    })
}

/// curl's escaping for these options: letters, digits and `-._~` as they are, a space as
/// `+`, every other byte as `%XX` in upper case. A `+` in the text is encoded, so every
/// space left after encoding is one of the text's.
fn escape_like_curl(text: &str) -> String {
    const KEPT_SPACE: AsciiSet = ENCODED.remove(b' ');
    utf8_percent_encode(text, &KEPT_SPACE)
        .to_string()
        .replace(' ', "+")
}

fn form(command: &mut CurlCommand, option: &str, value: &str) {
    let Some((name, rest)) = value.split_once('=') else {
        command.warnings.push(format!(
            "Ignored the form field {value:?}: it has no `name=value`."
        ));
        return;
    };
    if option == "--form-string" {
        command.form.push(TryFormPart {
            name: name.to_string(),
            filename: None,
            content_type: None,
            content: rest.to_string(),
        });
        return;
    }
    let mut pieces = rest.split(';');
    let main = pieces.next().unwrap_or_default();
    let mut content_type = None;
    let mut filename = None;
    for piece in pieces {
        if let Some(t) = piece.trim().strip_prefix("type=") {
            content_type = Some(t.to_string());
        } else if let Some(f) = piece.trim().strip_prefix("filename=") {
            filename = Some(f.trim_matches('"').to_string());
        }
    }
    if main.starts_with('@') || main.starts_with('<') {
        let path = &main[1..];
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path).to_string();
        command.files.push(path.to_string());
        command.form.push(TryFormPart {
            name: name.to_string(),
            filename: Some(filename.unwrap_or(base)),
            content_type: content_type.or_else(|| guess_type(path)),
            content: String::new(),
        });
    } else {
        command.form.push(TryFormPart {
            name: name.to_string(),
            filename: None,
            content_type: None,
            content: main.to_string(),
        });
    }
}

fn guess_type(path: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        Some("text/csv".into())
    } else if lower.ends_with(".json") {
        Some("application/json".into())
    } else if lower.ends_with(".txt") {
        Some("text/plain".into())
    } else {
        None
    }
}

/// Turns a cURL command into a builder request for `base_url`'s environment, matching its
/// URL against the catalog to fill path parameters.
pub fn to_request(
    text: &str,
    catalog: Option<&Catalog>,
    base_url: &str,
    credential: &str,
) -> Result<TryParsedCurl, CommandError> {
    let invalid = |why: String| {
        CommandError::invalid_input(
            "curl",
            format!("This is not a cURL command Try It can read: {why}."),
        )
    };
    let words = split_words(text.trim()).map_err(invalid)?;
    let command = parse_words(&words).map_err(invalid)?;
    let mut warnings = command.warnings.clone();
    let raw_url = command.url.clone().unwrap_or_default();
    let url = Url::parse(&raw_url)
        .or_else(|_| Url::parse(&format!("https://{raw_url}")))
        .map_err(|e| invalid(format!("{raw_url:?} is not a URL ({e})")))?;
    let base = Url::parse(base_url).ok();
    if let Some(base) = &base {
        if base.host_str() != url.host_str()
            || base.port_or_known_default() != url.port_or_known_default()
        {
            warnings.push(format!(
                "The command targets {}; Try It sends it to the active environment, {}.",
                url.origin().ascii_serialization(),
                base_url
            ));
        }
    }
    // The published paths start with /v1; so do URLs on any base ending in /v1.
    let url_path = url.path().to_string();
    let base_path = base
        .as_ref()
        .map(|b| b.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let path = if !base_path.is_empty()
        && base_path.ends_with("/v1")
        && url_path.starts_with(&format!("{base_path}/"))
    {
        format!("/v1{}", &url_path[base_path.len()..])
    } else if let Some(at) = url_path.find("/v1/") {
        url_path[at..].to_string()
    } else {
        url_path.clone()
    };
    let has_body = !command.data.is_empty() || !command.form.is_empty();
    let method = command.method.clone().unwrap_or_else(|| {
        if has_body && !command.get {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    let mut query: Vec<TryPair> = url
        .query_pairs()
        .map(|(n, v)| TryPair::new(n.into_owned(), v.into_owned()))
        .collect();
    for piece in &command.url_query {
        for (n, v) in url::form_urlencoded::parse(piece.as_bytes()) {
            query.push(TryPair::new(n.into_owned(), v.into_owned()));
        }
    }
    let mut body = None;
    if command.get {
        for chunk in &command.data {
            for (n, v) in url::form_urlencoded::parse(chunk.as_bytes()) {
                query.push(TryPair::new(n.into_owned(), v.into_owned()));
            }
        }
    } else if !command.data.is_empty() {
        body = Some(command.data.join("&"));
    }
    let mut headers = Vec::new();
    for (name, value) in &command.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "authorization" {
            if !value.contains("BOTBAT_API_KEY") {
                warnings.push(KEY_LEFT_OUT.into());
            }
            continue;
        }
        let implied = (lower == "accept" && value == "application/json")
            || (lower == "content-type" && value.starts_with("application/json") && body.is_some())
            || (lower == "content-type" && value.starts_with("multipart/form-data"));
        if !implied && !super::send::RESERVED_HEADERS.contains(&lower.as_str()) {
            headers.push(TryPair::new(name.clone(), value.clone()));
        }
    }
    let (operation_id, path_template, path_params) =
        match catalog.and_then(|c| c.match_path(&method, &path)) {
            Some((operation, params)) => (
                Some(operation.id.clone()),
                operation.path.clone(),
                params
                    .into_iter()
                    .map(|(n, v)| TryPair::new(n, v))
                    .collect(),
            ),
            None => {
                if catalog.is_some() {
                    warnings.push(format!(
                        "{method} {path} is not in the catalog; it is sent as written."
                    ));
                }
                (None, path, Vec::new())
            }
        };
    Ok(TryParsedCurl {
        request: TryRequest {
            operation_id: operation_id.clone(),
            method,
            path: path_template,
            path_params,
            query,
            headers,
            body,
            form: command.form.clone(),
            credential: credential.to_string(),
        },
        operation_id,
        warnings,
        files_to_choose: command.files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split_words(text).expect("words")
    }

    #[test]
    fn shell_quoting_as_a_shell_reads_it() {
        assert_eq!(
            words("curl -H 'a: b c' \\\n  \"x\\\"y\" $'l1\\nl2\\u00e9' it\\'s"),
            ["curl", "-H", "a: b c", "x\"y", "l1\nl2é", "it's"]
                .map(String::from)
                .to_vec()
        );
        assert!(split_words("curl 'open").is_err());
    }

    #[test]
    fn bundled_flags_attached_values_and_forms() {
        let command = parse_words(&words(
            "curl -sSL -XPOST https://api.botbat.com/v1/contacts/import -F 'file=@/tmp/My Contacts.csv' --form-string 'note=@x'",
        ))
        .expect("parse");
        assert_eq!(command.method.as_deref(), Some("POST"));
        assert_eq!(command.files, vec!["/tmp/My Contacts.csv".to_string()]);
        assert_eq!(command.form[0].filename.as_deref(), Some("My Contacts.csv"));
        assert_eq!(command.form[0].content_type.as_deref(), Some("text/csv"));
        assert_eq!(command.form[1].content, "@x");
        assert!(command.warnings.is_empty(), "{:?}", command.warnings);
    }

    #[test]
    fn get_with_data_moves_it_to_the_query() {
        let parsed = to_request(
            "curl -G https://api.botbat.com/v1/contacts/search --data-urlencode 'q=ada love' -d limit=5 -H 'Authorization: Bearer bb_live_x'",
            None,
            "https://api.botbat.com/v1",
            "management",
        )
        .expect("parse");
        assert_eq!(parsed.request.method, "GET");
        assert_eq!(parsed.request.path, "/v1/contacts/search");
        assert_eq!(
            parsed.request.query,
            vec![TryPair::new("q", "ada love"), TryPair::new("limit", "5")]
        );
        assert!(parsed.request.headers.is_empty());
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    }

    fn url_of(text: &str) -> Option<String> {
        parse_words(&words(text)).expect(text).url
    }

    #[test]
    fn options_with_values_never_take_the_urls_place() {
        let url = Some("https://api.botbat.com/v1/me".to_string());
        for text in [
            "curl -D - https://api.botbat.com/v1/me",
            "curl -sSD- https://api.botbat.com/v1/me",
            "curl -E client.pem:hunter2 https://api.botbat.com/v1/me",
            "curl -K more-options.txt https://api.botbat.com/v1/me",
            "curl -r 0-99 https://api.botbat.com/v1/me",
            "curl -z 'Sun, 06 Nov 1994 08:49:37 GMT' https://api.botbat.com/v1/me",
            "curl --url-query limit=5 https://api.botbat.com/v1/me",
            "curl --oauth2-bearer bb_live_0123456789abcdefghijklmn https://api.botbat.com/v1/me",
            "curl --ip-tos CS5 --variable name=x --expand-url x https://api.botbat.com/v1/me",
            "curl -o /dev/null -w '%{http_code}' --retry 3 https://api.botbat.com/v1/me",
        ] {
            assert_eq!(url_of(text), url, "{text}");
        }
        assert!(parse_words(&words("curl https://x/v1/me -E"))
            .expect_err("no value")
            .contains("-E needs a value"));
        assert!(parse_words(&words("curl --help all"))
            .expect_err("help sends nothing")
            .contains("send nothing"));
    }

    #[test]
    fn ignored_options_are_named_without_their_values() {
        let command = parse_words(&words(
            "curl -E client.pem:hunter2 --pass s3cret -K opts.txt -D - https://api.botbat.com/v1/me",
        ))
        .expect("parse");
        let all = command.warnings.join("\n");
        assert!(
            all.contains("-E") && all.contains("--pass") && all.contains("-K"),
            "{all}"
        );
        assert!(!all.contains("hunter2") && !all.contains("s3cret"), "{all}");
        assert!(
            !all.contains("-D"),
            "where the headers go changes nothing: {all}"
        );
    }

    #[test]
    fn data_urlencode_and_url_query_encode_as_curl_does() {
        let command = parse_words(&words(
            "curl https://x/v1/contacts --data-urlencode '=x y' --data-urlencode 'q=a&b*~' \
             --data-urlencode plain --data-urlencode 'n@file.txt' --data-urlencode 'a@b=c'",
        ))
        .expect("parse");
        assert_eq!(command.data, ["x+y", "q=a%26b%2A~", "plain", "a@b=c"]);
        assert_eq!(command.warnings.len(), 1, "{:?}", command.warnings);
        assert!(command.warnings[0].contains("file.txt"));

        let parsed = to_request(
            "curl 'https://api.botbat.com/v1/contacts/search?limit=5' --url-query 'q=ada love' \
             --url-query '+tag=a%20b' --url-query '=solo' \
             --oauth2-bearer bb_live_0123456789abcdefghijklmn",
            None,
            "https://api.botbat.com/v1",
            "management",
        )
        .expect("parse");
        assert_eq!(parsed.request.method, "GET");
        assert_eq!(
            parsed.request.query,
            vec![
                TryPair::new("limit", "5"),
                TryPair::new("q", "ada love"),
                TryPair::new("tag", "a b"),
                TryPair::new("solo", ""),
            ]
        );
        assert!(parsed.request.body.is_none());
        assert!(parsed.request.headers.is_empty(), "no key in the request");
        assert!(
            parsed
                .warnings
                .iter()
                .any(|w| w.contains("--oauth2-bearer")),
            "{:?}",
            parsed.warnings
        );
        let get = to_request(
            "curl -G https://api.botbat.com/v1/contacts/search --data-urlencode '=ada'",
            None,
            "https://api.botbat.com/v1",
            "management",
        )
        .expect("parse");
        assert_eq!(get.request.query, vec![TryPair::new("ada", "")]);
    }

    /// Every option curl's own help lists with a value is known to take one, and none it
    /// lists without one is: checked against the `curl` on this machine.
    #[test]
    fn the_table_matches_the_installed_curls_option_list() {
        let help = std::process::Command::new("curl")
            .args(["--help", "all"])
            .output()
            .expect("curl is installed (the snippet tests run it too)");
        let text = String::from_utf8_lossy(&help.stdout);
        let mut checked = 0;
        for line in text.lines() {
            let line = line.trim_start();
            let (short, rest) = match line.split_once(", --") {
                Some((short, rest)) if short.len() == 2 && short.starts_with('-') => {
                    (Some(short), rest)
                }
                _ => match line.strip_prefix("--") {
                    Some(rest) => (None, rest),
                    None => continue,
                },
            };
            let mut parts = rest.splitn(2, ' ');
            let long = format!("--{}", parts.next().unwrap_or_default());
            let argument = parts.next().unwrap_or_default();
            let wants = argument.starts_with('<') || argument.starts_with('[');
            if long == "--help" {
                continue;
            }
            assert_eq!(takes_value(&long), wants, "{long} ({line})");
            if let Some(short) = short {
                assert_eq!(takes_value(short), wants, "{short} ({line})");
            }
            checked += 1;
        }
        assert!(
            checked > 200,
            "only {checked} options read from curl --help all"
        );
        let mut sorted = LONG_WITH_VALUE.to_vec();
        sorted.sort_unstable();
        assert_eq!(
            sorted, LONG_WITH_VALUE,
            "binary search needs the table sorted"
        );
    }
}
