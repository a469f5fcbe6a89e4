//! Exit codes, decided in one place from an error's code, so scripts and supervisors can
//! branch on them and the meaning never depends on which command failed.

use botbat_console_core::CommandError;

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

/// Codes the console and this command line give to a refusal by a safety rule.
const REFUSALS: [&str; 5] = [
    "confirmation_required",
    "confirmation_mismatch",
    "sandbox_only",
    "environment_changed",
    "insecure_base_url",
];

/// Codes for a command that cannot run as given: fix the arguments or the setup.
const USAGE_ERRORS: [&str; 5] = [
    "usage",
    "invalid_input",
    "no_management_key",
    "keychain_unavailable",
    "keychain_rejected",
];

pub fn code(error: &CommandError) -> u8 {
    let code = error.code.as_str();
    if code == "unreachable" || code == "listener_stale" {
        UNREACHABLE
    } else if REFUSALS.contains(&code) {
        REFUSED
    } else if error.status.is_some() {
        PLATFORM
    } else if USAGE_ERRORS.contains(&code) {
        USAGE
    } else {
        PLATFORM
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_has_its_code() {
        let platform = CommandError {
            status: Some(422),
            ..CommandError::new("validation_error", "bad")
        };
        assert_eq!(code(&platform), PLATFORM);
        assert_eq!(code(&CommandError::new("invalid_input", "x")), USAGE);
        assert_eq!(code(&CommandError::new("unreachable", "x")), UNREACHABLE);
        assert_eq!(code(&CommandError::new("listener_stale", "x")), UNREACHABLE);
        assert_eq!(
            code(&CommandError::new("confirmation_required", "x")),
            REFUSED
        );
        assert_eq!(code(&CommandError::new("insecure_base_url", "x")), REFUSED);
        assert_eq!(code(&CommandError::new("local_storage", "x")), PLATFORM);
        assert_ne!(SUCCESS, PLATFORM);
    }
}
