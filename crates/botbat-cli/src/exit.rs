//! Exit codes, decided in one place from an error's code, so scripts and supervisors can
//! branch on them and the meaning never depends on which command failed.

use botbat_console_core::{Code, CommandError, ConsoleCode};

pub const SUCCESS: u8 = 0;
pub const PLATFORM: u8 = 1;
pub const USAGE: u8 = 2;
pub const UNREACHABLE: u8 = 3;
pub const REFUSED: u8 = 4;

/// What `--help` and the README say about exit codes.
pub const HELP: &str = "\
Exit codes:
  0  success
  1  the platform answered with an error (or a local store failed)
  2  usage error: a bad option or value, a request that fails validation, no credential
  3  the platform is unreachable, or a listener went stale (--exit-on-stale)
  4  refused by a safety rule: a write in Production without --confirm production,
     a sandbox-only command outside the sandbox, a Production base URL that is not
     https:// (plain http:// only to this machine)

Credentials: the management key the console keeps in the OS keychain (service
botbat-console), or BOTBAT_API_KEY for CI. A key is never taken from an argument.";

pub fn code(error: &CommandError) -> u8 {
    use ConsoleCode as C;
    match error.code {
        Code::Console(C::Unreachable | C::ListenerStale) => UNREACHABLE,
        Code::Console(
            C::ConfirmationRequired
            | C::ConfirmationMismatch
            | C::SandboxOnly
            | C::EnvironmentChanged
            | C::InsecureBaseUrl,
        ) => REFUSED,
        _ if error.status.is_some() => PLATFORM,
        Code::Console(
            C::Usage
            | C::InvalidInput
            | C::NoManagementKey
            | C::KeychainUnavailable
            | C::KeychainRejected,
        ) => USAGE,
        _ => PLATFORM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use botbat_api::ErrorCode;

    #[test]
    fn each_kind_of_failure_has_its_code() {
        let platform = CommandError {
            status: Some(422),
            ..CommandError::new(ErrorCode::ValidationError, "bad")
        };
        assert_eq!(code(&platform), PLATFORM);
        for (kind, want) in [
            (ConsoleCode::InvalidInput, USAGE),
            (ConsoleCode::Unreachable, UNREACHABLE),
            (ConsoleCode::ListenerStale, UNREACHABLE),
            (ConsoleCode::ConfirmationRequired, REFUSED),
            (ConsoleCode::InsecureBaseUrl, REFUSED),
            (ConsoleCode::LocalStorage, PLATFORM),
        ] {
            assert_eq!(code(&CommandError::new(kind, "x")), want, "{kind:?}");
        }
        assert_ne!(SUCCESS, PLATFORM);
    }
}
