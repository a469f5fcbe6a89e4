//! The list in `list.rs` is the one source of command names: these tests fail when the
//! window's capability file or the UI's `CommandName` union has drifted from it.
//! `UPDATE_BINDINGS=1` rewrites both from the list, as it does the ts-rs bindings.

use std::collections::BTreeSet;
use std::path::PathBuf;

macro_rules! command_names {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}

const NAMES: &[&str] = with_commands!(command_names);

const REGENERATE: &str = "UPDATE_BINDINGS=1 cargo test -p botbat-console --lib commands";

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn updating() -> bool {
    std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1")
}

/// The permission that lets a window call `name`, as `tauri_build` names it.
fn permission(name: &str) -> String {
    format!("allow-{}", name.replace('_', "-"))
}

/// The permissions of a capability file, in order.
fn permissions_of(text: &str) -> Vec<String> {
    let capability: serde_json::Value = serde_json::from_str(text).expect("capability is JSON");
    capability["permissions"]
        .as_array()
        .expect("a permissions array")
        .iter()
        .map(|p| p.as_str().expect("permissions are identifiers").to_string())
        .collect()
}

/// The capability text with its `permissions` array replaced by `permissions`, leaving the
/// rest of the file (its description, its layout) as written.
fn with_permissions(text: &str, permissions: &[String]) -> String {
    let open = text
        .find("\"permissions\": [")
        .expect("a permissions array")
        + 16;
    let close = open + text[open..].find(']').expect("the array ends");
    let lines: Vec<String> = permissions.iter().map(|p| format!("    \"{p}\"")).collect();
    format!(
        "{}\n{}\n  {}",
        &text[..open],
        lines.join(",\n"),
        &text[close..]
    )
}

#[test]
fn every_command_is_listed_once() {
    let unique: BTreeSet<&str> = NAMES.iter().copied().collect();
    assert_eq!(unique.len(), NAMES.len(), "list.rs names a command twice");
    assert!(NAMES.contains(&"list_api_keys"), "{NAMES:?}");
}

#[test]
fn main_window_grants_exactly_the_listed_commands() {
    let path = repo_file("src-tauri/capabilities/main-window.json");
    let mut text = std::fs::read_to_string(&path).expect("main-window.json");
    let wanted: Vec<String> = NAMES.iter().map(|name| permission(name)).collect();
    if updating() {
        // Permissions of other kinds (plugins, core events) stay, after the commands.
        let others: Vec<String> = permissions_of(&text)
            .into_iter()
            .filter(|p| p.contains(':'))
            .collect();
        let all: Vec<String> = wanted.iter().cloned().chain(others).collect();
        text = with_permissions(&text, &all);
        std::fs::write(&path, &text).expect("write main-window.json");
    }
    let granted: BTreeSet<String> = permissions_of(&text)
        .into_iter()
        .filter(|p| !p.contains(':'))
        .collect();
    let wanted: BTreeSet<String> = wanted.into_iter().collect();
    let missing: Vec<&String> = wanted.difference(&granted).collect();
    let extra: Vec<&String> = granted.difference(&wanted).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src-tauri/capabilities/main-window.json has drifted from src-tauri/src/commands/list.rs: \
         missing {missing:?}, not a listed command {extra:?}; run {REGENERATE}"
    );
}

#[test]
fn the_ui_command_union_matches_the_list() {
    let path = repo_file("ui/src/lib/command-names.ts");
    let members: Vec<String> = NAMES.iter().map(|name| format!("  | \"{name}\"")).collect();
    let want = format!(
        "// Generated from src-tauri/src/commands/list.rs by `{REGENERATE}`; do not edit.\n\n\
         /** The name of every Tauri command the console registers. */\n\
         export type CommandName =\n{};\n",
        members.join("\n")
    );
    if updating() {
        std::fs::write(&path, &want).expect("write command-names.ts");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        have, want,
        "ui/src/lib/command-names.ts is stale; run {REGENERATE}"
    );
}
