//! Builds the Tauri context. Every command in `src/commands/list.rs` gets an
//! `allow-<command>` permission, and the capability files grant exactly those the UI uses;
//! a capability naming a command that is not in the list fails this build.

include!("src/commands/list.rs");

/// The command names of `with_commands!`, as `tauri_build` wants them.
macro_rules! command_names {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(command_names);

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/src/commands/list.rs");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build failed: {error:#}");
    }
}
