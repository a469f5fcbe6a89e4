//! The SDKs section: the client libraries BotBat's docs name (Developer Resources, step 6),
//! and a first request in each of their languages for the active target.
//!
//! The quick-starts are Try It's snippets, not SDK calls: plain HTTP in each language, so
//! they run before anything is installed and the test suite can run every one of them
//! against the sandbox and the stand-ins, as it runs Try It's. Each target's first request
//! is read-only and allowed to any credential, so it works with the key the user has.
//! Botbiz's and Botmaker's docs name no SDK; their quick-starts are the same plain HTTP, with
//! their own base URL, header and variable.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{TryRequest, TrySnippet};
use super::{snippets, Result, TryIt, MANAGEMENT_CREDENTIAL};
use crate::connections::{Connections, Platform};
use crate::{Console, Environment};

/// A client library the docs name, with how to add it to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Sdk {
    /// The snippet language of its quick-start: `javascript`, `python`, `php` or `java`.
    pub language: String,
    /// The language as the docs' cards name it: `Node.js`, `Python`, `PHP`, `Java`.
    pub title: String,
    /// The package manager: `npm`, `pip`, `Composer`, `Maven`.
    pub manager: String,
    /// The package's name in that manager.
    pub package: String,
    /// What to run, or for Maven the `<dependency>` block to paste into `pom.xml`.
    pub install: String,
    /// What the SDK does for its user, as the docs list it.
    pub handles: Vec<String>,
    /// Something the docs leave to the user, in one sentence.
    pub note: Option<String>,
}

/// The SDKs section for one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuickStart {
    /// The SDKs the target's docs name; empty for Botbiz and Botmaker.
    pub sdks: Vec<Sdk>,
    /// Why there is no SDK to install, in one sentence, when there is none.
    pub no_sdk: Option<String>,
    pub method: String,
    /// The request's path as the catalog writes it (`/v1/me`, `/users`).
    pub path: String,
    /// What the request does, in one sentence.
    pub summary: String,
    /// The environment variable the quick-starts read the credential from.
    pub variable: String,
    /// The request in each SDK language, in the order of [`SDK_LANGUAGES`].
    pub snippets: Vec<TrySnippet>,
}

/// The languages of the docs' SDK cards, in their order.
pub const SDK_LANGUAGES: [&str; 4] = ["javascript", "python", "php", "java"];

/// BotBat's SDKs, as the docs' table lists them.
pub fn botbat_sdks() -> Vec<Sdk> {
    let handles = |types: &str| {
        vec![
            "Idiomatic methods for every REST endpoint".to_string(),
            "Authentication with your API key".to_string(),
            "Automatic retries".to_string(),
            types.to_string(),
        ]
    };
    vec![
        Sdk {
            language: "javascript".into(),
            title: "Node.js".into(),
            manager: "npm".into(),
            package: "@botbat/sdk".into(),
            install: "npm install @botbat/sdk".into(),
            handles: handles("TypeScript definitions"),
            note: None,
        },
        Sdk {
            language: "python".into(),
            title: "Python".into(),
            manager: "pip".into(),
            package: "botbat".into(),
            install: "pip install botbat".into(),
            handles: handles("Type definitions"),
            note: None,
        },
        Sdk {
            language: "php".into(),
            title: "PHP".into(),
            manager: "Composer".into(),
            package: "botbat/sdk".into(),
            install: "composer require botbat/sdk".into(),
            handles: handles("Type definitions"),
            note: None,
        },
        Sdk {
            language: "java".into(),
            title: "Java".into(),
            manager: "Maven".into(),
            package: "com.botbat:sdk".into(),
            install: "<dependency>\n  <groupId>com.botbat</groupId>\n  <artifactId>sdk</artifactId>\n  <version>VERSION</version>\n</dependency>".into(),
            handles: handles("Type definitions"),
            note: Some(
                "The docs name no version: replace VERSION with the latest release of com.botbat:sdk."
                    .into(),
            ),
        },
    ]
}

/// The first request of a target: read-only and open to any credential of it.
struct FirstRequest {
    operation_id: &'static str,
    path: &'static str,
    summary: &'static str,
}

const BOTBAT_FIRST: FirstRequest = FirstRequest {
    operation_id: "me",
    path: "/v1/me",
    summary: "Reads the key you call with and its organisation; any key may call it, whatever its scopes.",
};

fn platform_first(platform: Platform) -> FirstRequest {
    match platform {
        Platform::Botbiz => FirstRequest {
            operation_id: "list_users",
            path: platform.probe(),
            summary: "Lists the users of the Botbiz account the API key belongs to.",
        },
        Platform::Botmaker => FirstRequest {
            operation_id: "list_channels",
            path: platform.probe(),
            summary: "Lists the bot's channels, with the channelId that sending a message takes.",
        },
    }
}

impl FirstRequest {
    fn request(&self) -> TryRequest {
        TryRequest {
            operation_id: Some(self.operation_id.into()),
            method: "GET".into(),
            path: self.path.into(),
            credential: MANAGEMENT_CREDENTIAL.into(),
            ..TryRequest::default()
        }
    }

    fn quick_start(
        &self,
        sdks: Vec<Sdk>,
        no_sdk: Option<String>,
        variable: &str,
        all: Vec<TrySnippet>,
    ) -> QuickStart {
        let snippets = SDK_LANGUAGES
            .iter()
            .filter_map(|language| all.iter().find(|s| s.language == *language).cloned())
            .collect();
        QuickStart {
            sdks,
            no_sdk,
            method: "GET".into(),
            path: self.path.into(),
            summary: self.summary.into(),
            variable: variable.into(),
            snippets,
        }
    }
}

impl TryIt {
    /// BotBat's SDKs and the quick-starts for `environment`, its key read from
    /// `BOTBAT_API_KEY`.
    pub async fn quickstart(
        &self,
        console: &Console,
        environment: Environment,
    ) -> Result<QuickStart> {
        let first = BOTBAT_FIRST;
        let all = self
            .snippets_in(console, environment, &first.request(), false)
            .await?;
        Ok(first.quick_start(botbat_sdks(), None, snippets::KEY_VARIABLE, all))
    }

    /// The quick-starts for a Botbiz or Botmaker connection: its base URL, its platform's
    /// header, the credential read from the platform's variable. No SDK: the docs name none.
    pub async fn connection_quickstart(
        &self,
        connections: &Connections,
        id: &str,
    ) -> Result<QuickStart> {
        let connection = connections.get(id)?;
        let first = platform_first(connection.platform);
        let all = self
            .connection_snippets(connections, id, &first.request(), false)
            .await?;
        let auth = super::connection::auth_header(connection.platform);
        let no_sdk = format!(
            "{}'s docs name no SDK; these quick-starts use plain HTTP.",
            connection.platform.title()
        );
        Ok(first.quick_start(Vec::new(), Some(no_sdk), auth.variable, all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sdk_the_docs_name_has_its_install_command_and_a_quick_start_language() {
        let sdks = botbat_sdks();
        let installs: Vec<&str> = sdks.iter().map(|s| s.install.as_str()).collect();
        assert_eq!(
            installs[..3],
            [
                "npm install @botbat/sdk",
                "pip install botbat",
                "composer require botbat/sdk"
            ]
        );
        assert!(
            installs[3].contains("<groupId>com.botbat</groupId>")
                && installs[3].contains("<artifactId>sdk</artifactId>")
        );
        let languages: Vec<&str> = sdks.iter().map(|s| s.language.as_str()).collect();
        assert_eq!(languages, SDK_LANGUAGES);
        for sdk in &sdks {
            let handles = sdk.handles.join(" ").to_lowercase();
            for what in ["authentication", "retries", "definitions"] {
                assert!(handles.contains(what), "{}: {handles}", sdk.title);
            }
        }
    }
}
