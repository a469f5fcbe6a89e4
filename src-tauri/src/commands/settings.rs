//! The top bar and the Settings panel: status, preferences, the active environment and
//! each environment's management key. Changing a management key makes Try It forget the
//! secrets it read with the old one.

use std::sync::Arc;

use botbat_console_core::tryit::TryIt;
use botbat_console_core::{
    AppStatus, CommandError, ConnectionReport, Console, Environment, EnvironmentInfo, Preferences,
    SettingsInput,
};
use tauri::State;

type Shared<'a> = State<'a, Arc<Console>>;

#[tauri::command]
pub async fn app_status(console: Shared<'_>) -> Result<AppStatus, CommandError> {
    Ok(console.app_status().await)
}

#[tauri::command]
pub fn get_preferences(console: Shared<'_>) -> Preferences {
    console.preferences()
}

#[tauri::command]
pub async fn set_environment(
    console: Shared<'_>,
    environment: Environment,
) -> Result<AppStatus, CommandError> {
    console.set_environment(environment)?;
    Ok(console.app_status().await)
}

#[tauri::command]
pub fn save_settings(
    console: Shared<'_>,
    input: SettingsInput,
) -> Result<Preferences, CommandError> {
    console.save_settings(input)
}

adapters! {
    fn list_environments(console: Console) -> Vec<EnvironmentInfo> {
        Ok(console.list_environments().await)
    }

    fn set_management_key(console: Console, tryit: TryIt; environment: Environment, key: String) -> EnvironmentInfo {
        tryit.forget_secrets();
        console.set_management_key(environment, key).await
    }

    fn clear_management_key(console: Console, tryit: TryIt; environment: Environment) -> EnvironmentInfo {
        tryit.forget_secrets();
        console.clear_management_key(environment).await
    }

    fn test_connection(console: Console; environment: Environment) -> ConnectionReport {
        console.test_connection(environment).await
    }
}
