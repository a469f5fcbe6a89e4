//! What every command starts from: the profile, the environment it acts on, the
//! credential, the console over them, and (when the environment is the embedded sandbox)
//! the sandbox, served here or used from the process that serves it.
//!
//! Credentials: `BOTBAT_API_KEY` wins and then the keychain is never touched (CI has
//! none, and a login step is what breaks there); otherwise the management key the window
//! keeps in the OS keychain. No option takes a key, so none ends up in shell history or a
//! process list.

use std::sync::Arc;

use botbat_console_core::profile::Profile;
use botbat_console_core::tryit::TryIt;
use botbat_console_core::{
    management_key_id, CommandError, Console, ConsoleCode, Environment, KeychainState,
    OverriddenPreferences, PreferencesStore, RunOverrides, SandboxRole, SharedSandbox,
    KEYCHAIN_SERVICE,
};
use botbat_secrets::{AsyncSecrets, KeychainStore, MemoryStore, SecretStore, Sensitive};

use crate::cli::{EnvName, Global};
use crate::output::Out;

pub type Result<T> = std::result::Result<T, CommandError>;

/// The CI credential.
pub const API_KEY_ENV: &str = "BOTBAT_API_KEY";
/// How this process names itself in the sandbox's runtime file.
const PROGRAM: &str = "botbat";

pub struct Ctx {
    pub global: Global,
    pub out: Out,
    pub profile: Profile,
    pub environment: Environment,
    pub console: Arc<Console>,
    pub secrets: Arc<dyn SecretStore>,
    /// The key came from `BOTBAT_API_KEY`.
    pub ci_key: bool,
    /// `BOTBAT_API_KEY`'s value until [`Ctx::start`] hands it to the console.
    pending_ci_key: Option<Sensitive<String>>,
    sandbox: Option<Arc<SharedSandbox>>,
    /// Try It's engine, for `request`.
    tryit: Option<Arc<TryIt>>,
}

pub fn usage(message: impl Into<String>) -> CommandError {
    CommandError::new(ConsoleCode::Usage, message)
}

impl From<EnvName> for Environment {
    fn from(name: EnvName) -> Self {
        match name {
            EnvName::Sandbox => Environment::Sandbox,
            EnvName::Production => Environment::Production,
        }
    }
}

impl Ctx {
    pub fn open(global: Global, mut out: Out) -> Result<Self> {
        out.exact_times = global.exact_times;
        let profile = Profile::locate(global.data_dir.clone())?;
        let stored = profile.preferences();
        let environment = global
            .env
            .map(Environment::from)
            .unwrap_or_else(|| stored.load().unwrap_or_default().active_environment);
        if let Some(url) = &global.base_url {
            botbat_api::client::parse_base_url(url)
                .map_err(|e| CommandError::invalid_input("base_url", e.to_string()))?;
        }
        if let Some(confirm) = &global.confirm {
            if confirm != "production" {
                return Err(usage(format!(
                    "--confirm takes the name of the environment a write goes to: --confirm production (got {confirm:?})"
                )));
            }
        }
        let preferences = OverriddenPreferences::new(
            Box::new(stored),
            RunOverrides {
                environment: Some(environment),
                base_url: global.base_url.clone(),
            },
        );
        let ci_key = std::env::var(API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty());
        let (secrets, keychain): (Arc<dyn SecretStore>, KeychainState) = match &ci_key {
            Some(_) => (
                Arc::new(MemoryStore::new()),
                KeychainState {
                    available: false,
                    message: Some(format!("{API_KEY_ENV} is set: the keychain is not used")),
                },
            ),
            None => (
                Arc::new(KeychainStore::new(KEYCHAIN_SERVICE)),
                KeychainState {
                    available: true,
                    message: None,
                },
            ),
        };
        let console = Arc::new(
            Console::new(
                Box::new(preferences),
                secrets.clone(),
                keychain,
                env!("CARGO_PKG_VERSION"),
            )
            .with_data_dir(profile.data_dir.clone())
            // The user's own calls: the platform must not count them as the console's.
            .with_user_agent(concat!("botbat-cli/", env!("CARGO_PKG_VERSION"))),
        );
        Ok(Self {
            global,
            out,
            profile,
            environment,
            console,
            secrets,
            ci_key: ci_key.is_some(),
            pending_ci_key: ci_key.map(Sensitive::new),
            sandbox: None,
            tryit: None,
        })
    }

    /// Gives `BOTBAT_API_KEY` to the console as the environment's key (checked as the
    /// Settings panel checks a pasted key), before any command runs. Async because the
    /// console's secret store is reached from the blocking pool.
    pub async fn start(&mut self) -> Result<()> {
        let Some(key) = self.pending_ci_key.take() else {
            return Ok(());
        };
        self.console
            .set_management_key(self.environment, key.expose().clone())
            .await
            .map_err(|e| CommandError {
                message: format!("{API_KEY_ENV}: {}", e.message),
                ..e
            })?;
        Ok(())
    }

    /// Makes sure the environment has a base URL: for the embedded sandbox, serves it here
    /// or uses the process that serves it.
    pub async fn connect(&mut self) -> Result<()> {
        if !self.ci_key {
            // Say plainly when the keychain cannot be read, rather than failing later.
            AsyncSecrets::new(self.secrets.clone())
                .get(management_key_id(self.environment))
                .await
                .map_err(|e| CommandError {
                    message: format!("{e}. Set {API_KEY_ENV} to run without the keychain."),
                    ..CommandError::from(e)
                })?;
        }
        if !self.console.base_url(self.environment).is_empty() || self.sandbox.is_some() {
            return Ok(());
        }
        let sandbox = self
            .profile
            .open_sandbox(&self.console, self.secrets.clone(), PROGRAM)
            .await?;
        self.sandbox = Some(sandbox);
        Ok(())
    }

    /// Whether this run's requests all go over plain HTTP: the embedded sandbox (always on
    /// loopback) or an `http://` base URL.
    pub fn plain_http(&self) -> bool {
        let url = self.console.base_url(self.environment);
        url.is_empty() || url.starts_with("http://")
    }

    /// Who serves the embedded sandbox this run uses; `None` for any other base URL.
    pub fn sandbox_role(&self) -> Option<SandboxRole> {
        self.sandbox.as_ref().map(|s| s.role())
    }

    /// Refuses a write in Production unless `--confirm production` was given.
    pub fn confirm_write(&self, what: &str) -> Result<()> {
        match (self.environment, self.global.confirm.as_deref()) {
            (Environment::Production, Some("production")) | (Environment::Sandbox, None) => Ok(()),
            (Environment::Production, _) => Err(CommandError::new(
                ConsoleCode::ConfirmationRequired,
                format!("{what} would change Production. Add --confirm production to do it."),
            )),
            (Environment::Sandbox, Some(_)) => Err(CommandError::new(
                ConsoleCode::ConfirmationMismatch,
                format!("--confirm production was given, but {what} would run in the Sandbox; nothing was done. Check --env."),
            )),
        }
    }

    /// Refuses `--keep` where it cannot keep anything.
    pub fn check_keep(&self, keep: bool) -> Result<()> {
        if keep && self.ci_key {
            return Err(usage(format!(
                "--keep stores the secret in the OS keychain, which is not used while {API_KEY_ENV} is set"
            )));
        }
        Ok(())
    }

    pub async fn close(&mut self) {
        // Try It writes its history behind each answer: every row is down before the run
        // ends, and one that could not be kept is said.
        if let Some(tryit) = &self.tryit {
            if let Err(error) = tryit.settle().await {
                eprintln!("warning: {}", error.message);
            }
        }
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
    }

    /// Makes Try It's engine now, so that its HTTP client is built on its own thread while
    /// the rest of the run starts. Called after [`Ctx::open`]'s trust-store decision.
    pub fn start_tryit(&mut self) {
        self.tryit.get_or_insert_with(|| Arc::new(TryIt::new()));
    }

    pub fn tryit(&mut self) -> Arc<TryIt> {
        self.tryit
            .get_or_insert_with(|| Arc::new(TryIt::new()))
            .clone()
    }

    /// Ends the run without closing Try It's history: its rows are committed, and closing
    /// the last connection would checkpoint the WAL, so the process could not end before
    /// the disk confirmed a write (an fsync, milliseconds to tens of milliseconds). The next
    /// process to open the history recovers the WAL, as SQLite does after any exit.
    pub fn finish(mut self) {
        if let Some(tryit) = self.tryit.take() {
            std::mem::forget(tryit);
        }
    }
}

/// `--data '{…}'` or `--data @file`.
pub fn read_data(raw: &str) -> Result<String> {
    match raw.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {path}: {e}")))
        }
        None => Ok(raw.to_string()),
    }
}

/// `15m`, `2h`, `1d`, `30s`, `1h30m`.
pub fn parse_duration(raw: &str) -> Result<chrono::Duration> {
    let invalid = || {
        usage(format!(
            "{raw:?} is not a duration: use e.g. 30s, 15m, 2h, 7d"
        ))
    };
    let mut total = chrono::Duration::zero();
    let mut number = String::new();
    for c in raw.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().map_err(|_| invalid())?;
        number.clear();
        total += match c {
            's' => chrono::Duration::seconds(n),
            'm' => chrono::Duration::minutes(n),
            'h' => chrono::Duration::hours(n),
            'd' => chrono::Duration::days(n),
            _ => return Err(invalid()),
        };
    }
    if !number.is_empty() || total <= chrono::Duration::zero() {
        return Err(invalid());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_refuse_junk() {
        assert_eq!(parse_duration("15m").expect("ok").num_seconds(), 900);
        assert_eq!(parse_duration("1h30m").expect("ok").num_seconds(), 5_400);
        assert_eq!(parse_duration("7d").expect("ok").num_days(), 7);
        for bad in ["", "15", "m", "1x", "0s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
