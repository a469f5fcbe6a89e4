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
        ]));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build failed: {error:#}");
    }
}
