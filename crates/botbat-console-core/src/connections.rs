//! Connections to the two other platforms in the docs, Botbiz and Botmaker.
//!
//! A connection is a platform, a base URL and a credential. The list (id, platform, label,
//! base URL) is kept in `connections.json` in the console's data dir; the credential is
//! kept in the OS keychain under the connection's id and never touches the disk. BotBat's
//! Sandbox and Production environments are not connections: they stay what they are.
//!
//! Each platform's way of being called (its auth header, the cheap request that proves a
//! credential, how its errors read) is its [`Profile`], so nothing here branches on a
//! platform outside that one place.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use botbat_api::platforms::{botbiz, botmaker};
use botbat_secrets::{mask_secret, AsyncSecrets, SecretId, Sensitive};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CommandError, ConsoleCode};

/// The file, in the console's data dir, that lists the connections (no secrets).
pub const CONNECTIONS_FILE: &str = "connections.json";

/// A platform other than BotBat that the console can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Botbiz,
    Botmaker,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Botbiz, Platform::Botmaker];

    pub fn title(self) -> &'static str {
        self.profile().title
    }

    pub fn parse(text: &str) -> Option<Platform> {
        Self::ALL
            .into_iter()
            .find(|p| p.profile().slug.eq_ignore_ascii_case(text.trim()))
    }

    /// The platform's cheapest read that any valid credential may make (`/users`,
    /// `/channels`): the connection test's probe and the SDKs panel's first request.
    pub fn probe(self) -> &'static str {
        self.profile().probe
    }

    /// The header that carries the platform's credential (`authorization`, `access-token`).
    pub fn auth_header(self) -> &'static str {
        self.profile().auth_header
    }

    fn profile(self) -> &'static Profile {
        match self {
            Platform::Botbiz => &BOTBIZ,
            Platform::Botmaker => &BOTMAKER,
        }
    }
}

/// How one platform is called.
struct Profile {
    slug: &'static str,
    title: &'static str,
    default_base_url: &'static str,
    /// What the platform calls its credential, for sentences.
    credential: &'static str,
    /// The header the credential travels in, and whether it is `Bearer`-prefixed.
    auth_header: &'static str,
    bearer: bool,
    /// A cheap, read-only request that succeeds with any valid credential.
    probe: &'static str,
    /// Where the user gets a credential, said when one is refused.
    where_to_get_one: &'static str,
}

const BOTBIZ: Profile = Profile {
    slug: "botbiz",
    title: "Botbiz",
    default_base_url: botbiz::DEFAULT_BASE_URL,
    credential: "API key",
    auth_header: "authorization",
    bearer: true,
    probe: "/users",
    where_to_get_one:
        "Botbiz keys are made and managed in Botbiz's dashboard: copy one from there.",
};

const BOTMAKER: Profile = Profile {
    slug: "botmaker",
    title: "Botmaker",
    default_base_url: botmaker::DEFAULT_BASE_URL,
    credential: "access token",
    auth_header: botmaker::TOKEN_HEADER,
    bearer: false,
    probe: "/channels",
    where_to_get_one: "Generate one in Botmaker under Settings → Integrations → Botmaker API (Generate Credentials).",
};

/// One saved connection. The credential is in the keychain, not here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Connection {
    /// `conn_…`
    pub id: String,
    pub platform: Platform,
    pub label: String,
    pub base_url: String,
    /// The credential as it may be shown: its start and its last four characters.
    pub masked_credential: String,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// What the user gives to add a connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewConnection {
    pub platform: Platform,
    pub label: String,
    /// Empty or missing: the platform's production base URL.
    #[serde(default)]
    pub base_url: Option<String>,
    pub credential: String,
}

/// What the user changes of a saved connection; its platform stays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectionEdit {
    pub label: String,
    /// Empty or missing: the platform's production base URL.
    #[serde(default)]
    pub base_url: Option<String>,
    /// A new credential to keep in place of the old one; empty or missing keeps it.
    #[serde(default)]
    pub credential: Option<String>,
}

/// The outcome of testing a connection the platform's way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectionCheck {
    pub connection_id: String,
    pub ok: bool,
    /// The probe's HTTP status; `None` when nothing answered.
    pub status: Option<u16>,
    pub latency_ms: Option<f64>,
    /// One or two sentences: what happened and what to do about it.
    pub explanation: String,
}

/// A connection with its credential as the auth header the platform expects
/// (`Authorization: Bearer …` for Botbiz, `access-token: …` for Botmaker).
pub struct Authorized {
    pub connection: Connection,
    header: &'static str,
    value: Sensitive<String>,
}

impl Authorized {
    /// Adds the auth header to a request for this connection.
    pub fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header(self.header, self.value.expose())
    }

    /// The header's name, for snippets and for showing which header carried the credential.
    pub fn header_name(&self) -> &'static str {
        self.header
    }

    /// The header's value, for a snippet the user asked to copy with its credential.
    pub fn header_value(&self) -> &Sensitive<String> {
        &self.value
    }
}

/// The saved list, as stored.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Saved {
    connections: Vec<Connection>,
}

impl Saved {
    fn index_of(&self, id: &str) -> Result<usize> {
        self.connections
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| unknown(id))
    }

    /// Two connections never share a name (case aside): the header names them.
    fn refuse_taken(&self, label: &str, except: Option<&str>) -> Result<()> {
        let taken = self
            .connections
            .iter()
            .any(|c| Some(c.id.as_str()) != except && c.label.eq_ignore_ascii_case(label));
        if taken {
            return Err(CommandError::invalid_input(
                "label",
                format!("a connection is already called \"{label}\": choose another name"),
            ));
        }
        Ok(())
    }
}

/// The connections of one data dir.
pub struct Connections {
    dir: PathBuf,
    secrets: AsyncSecrets,
    /// Held while the list is read, changed and written back.
    writing: tokio::sync::Mutex<()>,
    /// The console's shared transport ([`botbat_api::http_transport`], its User-Agent and
    /// pool), given with [`Connections::with_transport`] or built on first use.
    http: crate::transport::LazyTransport,
}

/// How long a connection test may take, as long as the console's other calls.
const TEST_TIMEOUT: Duration = Duration::from_secs(15);

type Result<T> = std::result::Result<T, CommandError>;

impl Connections {
    pub fn new(dir: &Path, secrets: AsyncSecrets) -> Self {
        Self {
            dir: dir.to_path_buf(),
            secrets,
            writing: tokio::sync::Mutex::new(()),
            http: Default::default(),
        }
    }

    /// Sends through `http` (the console's [`crate::Console::transport`]), so every request
    /// the console makes shares one pool and one User-Agent.
    pub fn with_transport(self, http: reqwest::Client) -> Self {
        self.http.give(http);
        self
    }

    /// The client every request to a connection is sent with.
    pub(crate) fn http(&self) -> Result<reqwest::Client> {
        self.http.get()
    }

    /// Every saved connection, oldest first. A list that cannot be read is an error that
    /// names the file, never an empty list that would invite overwriting it.
    pub fn list(&self) -> Result<Vec<Connection>> {
        Ok(self.read()?.connections)
    }

    fn read(&self) -> Result<Saved> {
        let path = self.dir.join(CONNECTIONS_FILE);
        match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Saved::default()),
            Err(e) => Err(CommandError::new(
                ConsoleCode::LocalStorage,
                format!("cannot read {}: {e}", path.display()),
            )),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                CommandError::new(
                    ConsoleCode::LocalStorage,
                    format!(
                        "{} is not a list of connections ({e}); fix or move the file, then try again",
                        path.display()
                    ),
                )
            }),
        }
    }

    fn write(&self, saved: &Saved) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(saved)
            .map_err(|e| CommandError::new(ConsoleCode::LocalStorage, e.to_string()))?;
        crate::serve::replace_file(&self.dir, CONNECTIONS_FILE, &bytes)
            .map_err(|e| CommandError::new(ConsoleCode::LocalStorage, e))
    }

    /// Checks and saves a connection: the credential goes to the keychain first, so a
    /// listed connection always has one.
    pub async fn add(&self, new: NewConnection) -> Result<Connection> {
        let profile = new.platform.profile();
        let label = checked_label(&new.label)?;
        let base_url = checked_base_url(new.base_url.as_deref(), profile)?;
        let credential = checked_credential(&new.credential, profile)?;
        let _writing = self.writing.lock().await;
        let mut saved = self.read()?;
        saved.refuse_taken(label, None)?;
        let connection = Connection {
            id: format!("conn_{}", random_id()),
            platform: new.platform,
            label: label.to_string(),
            base_url,
            masked_credential: mask_secret(credential),
            created_at: Utc::now(),
        };
        self.secrets
            .set(
                credential_id(&connection.id),
                Sensitive::new(credential.to_string()),
            )
            .await?;
        saved.connections.push(connection.clone());
        if let Err(error) = self.write(&saved) {
            // Not listed, so not kept: a credential nobody can see is not left behind.
            let _ = self.secrets.delete(credential_id(&connection.id)).await;
            return Err(error);
        }
        Ok(connection)
    }

    /// Changes a connection's name and base URL and, when `credential` is given, replaces
    /// its credential in the keychain (a rotated key). The id stays, so its history,
    /// captures and webhook secrets stay with it.
    pub async fn edit(&self, id: &str, edit: ConnectionEdit) -> Result<Connection> {
        let _writing = self.writing.lock().await;
        let mut saved = self.read()?;
        let index = saved.index_of(id)?;
        let platform = saved.connections[index].platform;
        let profile = platform.profile();
        let label = checked_label(&edit.label)?;
        let base_url = checked_base_url(edit.base_url.as_deref(), profile)?;
        let credential = match edit.credential.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(checked_credential(text, profile)?),
        };
        saved.refuse_taken(label, Some(id))?;
        let mut edited = saved.connections[index].clone();
        edited.label = label.to_string();
        edited.base_url = base_url;
        if let Some(credential) = credential {
            // The keychain first: a listed mask never stands for a credential not kept.
            self.secrets
                .set(credential_id(id), Sensitive::new(credential.to_string()))
                .await?;
            edited.masked_credential = mask_secret(credential);
        }
        saved.connections[index] = edited.clone();
        self.write(&saved)?;
        Ok(edited)
    }

    /// Removes a connection and its credential.
    pub async fn remove(&self, id: &str) -> Result<Connection> {
        let _writing = self.writing.lock().await;
        let mut saved = self.read()?;
        let index = saved.index_of(id)?;
        let removed = saved.connections.remove(index);
        self.write(&saved)?;
        self.secrets.delete(credential_id(id)).await?;
        crate::platform_webhooks::forget(&self.secrets, id).await?;
        Ok(removed)
    }

    /// The keychain the connection's secrets are kept in.
    pub(crate) fn secrets(&self) -> &AsyncSecrets {
        &self.secrets
    }

    /// One saved connection by its id; an unknown id is an error that says so.
    pub fn get(&self, id: &str) -> Result<Connection> {
        self.list()?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| unknown(id))
    }

    /// The connection with its kept credential, ready to authenticate a request the
    /// platform's way. Every request the console makes to a connection goes through this,
    /// so the auth header is written in one place.
    pub async fn authorize(&self, id: &str) -> Result<Authorized> {
        let connection = self.get(id)?;
        let profile = connection.platform.profile();
        let credential = self.secrets.get(credential_id(id)).await?.ok_or_else(|| {
            CommandError::new(
                ConsoleCode::NoCredential,
                format!(
                    "the keychain holds no {} for \"{}\": remove the connection and add it again",
                    profile.credential, connection.label
                ),
            )
        })?;
        let value = if profile.bearer {
            format!("Bearer {}", credential.expose())
        } else {
            credential.expose().to_string()
        };
        Ok(Authorized {
            connection,
            header: profile.auth_header,
            value: Sensitive::new(value),
        })
    }

    /// Calls the platform's cheapest authenticated read with the kept credential and
    /// explains the answer: the latency when it works, and a 401, a 403, a 429, another
    /// status or an unreachable host in a sentence that says what to do.
    pub async fn test(&self, id: &str) -> Result<ConnectionCheck> {
        let authorized = self.authorize(id).await?;
        let connection = &authorized.connection;
        let profile = connection.platform.profile();
        let url = format!("{}{}", connection.base_url, profile.probe);
        let request = self.http()?.get(&url).timeout(TEST_TIMEOUT);
        let started = Instant::now();
        let sent = authorized.apply(request).send().await;
        let check = |ok, status, latency_ms, explanation: String| ConnectionCheck {
            connection_id: connection.id.clone(),
            ok,
            status,
            latency_ms,
            explanation,
        };
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                let why = if error.is_timeout() {
                    "it did not answer in time"
                } else if error.is_connect() {
                    "nothing accepted the connection (the host is down, the port is wrong, or a firewall is in the way)"
                } else {
                    "the request failed before an answer"
                };
                return Ok(check(
                    false,
                    None,
                    None,
                    format!(
                        "{} at {} is unreachable: {why}. Check the base URL and your network.",
                        profile.title, connection.base_url
                    ),
                ));
            }
        };
        let latency = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
        let status = response.status().as_u16();
        let message = platform_message(response.text().await.unwrap_or_default());
        let said = message
            .map(|m| format!(" {} said: \"{m}\"", profile.title))
            .unwrap_or_default();
        let explanation = match status {
            200..=299 => format!(
                "Connected to {} in {latency} ms: the {} works.",
                profile.title, profile.credential
            ),
            401 => format!(
                "{} refused the {} (401).{said} {}",
                profile.title, profile.credential, profile.where_to_get_one
            ),
            403 => format!(
                "The {} is valid but lacks permission for {} (403).{said} Use a {} with more access.",
                profile.credential, profile.probe, profile.credential
            ),
            429 => format!(
                "{} is rate limiting this {} (429).{said} Wait a moment and test again.",
                profile.title, profile.credential
            ),
            404 => format!(
                "{} answered 404 for {}: the base URL is probably wrong (it should end in {}).",
                connection.base_url,
                profile.probe,
                url::Url::parse(profile.default_base_url)
                    .map(|u| u.path().to_string())
                    .unwrap_or_default()
            ),
            _ => format!("{} answered {status}.{said}", profile.title),
        };
        Ok(check(
            (200..300).contains(&status),
            Some(status),
            Some(latency),
            explanation,
        ))
    }
}

/// The message in a platform's error body, whichever of the known shapes it has.
pub(crate) fn platform_message(body: String) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(&body).ok()?;
    value
        .pointer("/error/message")
        .or_else(|| value.get("message"))
        .and_then(|m| m.as_str())
        .map(|m| m.chars().take(300).collect())
}

fn checked_label(label: &str) -> Result<&str> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 60 {
        return Err(CommandError::invalid_input(
            "label",
            "give the connection a name of 1 to 60 characters, such as \"Acme Botbiz\"",
        ));
    }
    Ok(label)
}

/// The base URL as given, or the platform's own when none is.
fn checked_base_url(url: Option<&str>, profile: &Profile) -> Result<String> {
    match url.map(str::trim) {
        None | Some("") => Ok(profile.default_base_url.to_string()),
        Some(url) => {
            check_base_url(url, profile).map_err(|e| CommandError::invalid_input("base_url", e))
        }
    }
}

fn checked_credential<'a>(credential: &'a str, profile: &Profile) -> Result<&'a str> {
    let credential = credential.trim();
    if credential.len() < 8 || !credential.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CommandError::invalid_input(
            "credential",
            format!(
                "paste the {} {}: at least 8 characters, without spaces. {}",
                profile.title, profile.credential, profile.where_to_get_one
            ),
        ));
    }
    Ok(credential)
}

fn check_base_url(url: &str, profile: &Profile) -> std::result::Result<String, String> {
    let parsed = botbat_api::client::parse_base_url(url)
        .map_err(|e| format!("{e}; {}'s is {}", profile.title, profile.default_base_url))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "the base URL must not carry a user or password: the {} is kept in the keychain instead",
            profile.credential
        ));
    }
    if parsed.scheme() != "https" && !crate::console::is_loopback(&parsed) {
        return Err(format!(
            "{}'s base URL must start with https://: over http:// the {} would travel in cleartext. Plain http:// is accepted only for a stand-in on this machine (localhost, 127.0.0.1 or [::1]).",
            profile.title, profile.credential
        ));
    }
    Ok(parsed.to_string())
}

fn credential_id(connection_id: &str) -> SecretId {
    connection_secret(connection_id, "credential")
}

/// Where one of a connection's secrets is kept: `connection/<id>` in the keychain.
pub(crate) fn connection_secret(connection_id: &str, name: &str) -> SecretId {
    SecretId::new(format!("connection/{connection_id}"), name)
}

fn unknown(id: &str) -> CommandError {
    CommandError::new(
        botbat_api::ErrorCode::NotFound,
        format!("no connection {id}: it may have been removed in another window"),
    )
}

fn random_id() -> String {
    use rand::distr::Alphanumeric;
    use rand::Rng;
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(12)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_parse_by_their_names_and_nothing_else() {
        assert_eq!(Platform::parse("botbiz"), Some(Platform::Botbiz));
        assert_eq!(Platform::parse(" Botmaker "), Some(Platform::Botmaker));
        assert_eq!(Platform::parse("botbat"), None);
        assert_eq!(Platform::parse("bot maker"), None);
    }

    #[test]
    fn a_base_url_is_https_or_on_this_machine_and_carries_no_credential() {
        let botbiz = Platform::Botbiz.profile();
        assert_eq!(
            check_base_url("https://api.botbiz.io/v1/", botbiz).as_deref(),
            Ok("https://api.botbiz.io/v1")
        );
        assert!(check_base_url("http://127.0.0.1:8788/v1", botbiz).is_ok());
        let error = check_base_url("http://api.botbiz.io/v1", botbiz).expect_err("refused");
        assert!(error.contains("https://"), "{error}");
        let error = check_base_url("https://me:pw@api.botbiz.io/v1", botbiz).expect_err("refused");
        assert!(error.contains("user or password"), "{error}");
        let error = check_base_url("api.botbiz.io", botbiz).expect_err("refused");
        assert!(error.contains("https://api.botbiz.io/v1"), "{error}");
    }

    #[test]
    fn error_messages_are_read_from_either_platform_shape() {
        let botbiz = r#"{"error":{"code":"unauthorized","message":"No valid API key provided.","status":401}}"#;
        assert_eq!(
            platform_message(botbiz.to_string()).as_deref(),
            Some("No valid API key provided.")
        );
        let botmaker = r#"{"code":"unauthorized","message":"The access token is not valid."}"#;
        assert_eq!(
            platform_message(botmaker.to_string()).as_deref(),
            Some("The access token is not valid.")
        );
        assert_eq!(platform_message("<html>".to_string()), None);
    }
}
