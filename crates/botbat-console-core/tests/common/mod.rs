//! What more than one test file of the console needs: a sandbox on loopback whose
//! management key is already where the console looks for it.

use botbat_api::Plan;
use botbat_sandbox::{Limits, RunningSandbox, SandboxConfig};
use botbat_secrets::{SecretId, SecretStore, Sensitive};

/// Starts a sandbox in `dir` with `plan` (and `limits` instead of the plan's, if given)
/// and stores its management key in `secrets`. Returns the sandbox and the key.
pub async fn sandbox_with_key(
    dir: &std::path::Path,
    secrets: &dyn SecretStore,
    plan: Plan,
    limits: Option<Limits>,
) -> (RunningSandbox, String) {
    let key = botbat_sandbox::ids::api_key_secret();
    secrets
        .set(
            &SecretId::new("sandbox", "management-key"),
            &Sensitive::new(key.clone()),
        )
        .expect("store key");
    let mut config = SandboxConfig::new("127.0.0.1:0".parse().expect("addr"), dir.to_path_buf());
    config.plan = plan;
    config.admin_key = Some(Sensitive::new(key.clone()));
    config.limits = limits;
    let sandbox = botbat_sandbox::start(config).await.expect("sandbox");
    (sandbox, key)
}
