//! Builds the Tauri context. The app's commands are declared here so that each gets an
//! `allow-<command>` permission, and the capability files grant exactly those the UI uses.

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_status",
            "get_preferences",
            "set_environment",
            "list_environments",
            "save_settings",
            "set_management_key",
            "clear_management_key",
            "test_connection",
            "dashboard_summary",
            "list_api_keys",
            "list_scopes",
            "create_api_key",
            "keep_issued_secret",
            "discard_issued_secret",
            "rotate_api_key",
            "revoke_api_key",
            "key_activity",
            "scope_advice",
            "replace_with_narrower_key",
            "rate_limits_view",
            "burst_test",
        ]));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build failed: {error:#}");
    }
}
