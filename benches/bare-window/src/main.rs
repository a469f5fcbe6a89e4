//! The baseline that `scripts/bench.sh` measures the console against: one window, one static
//! page, one command, on the same Tauri version and features as the console. Whatever this
//! costs (start-up, memory, idle CPU, binary and package size) is the price of a Tauri 2 window
//! on this machine; what the console costs beyond it is the console's own.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::Write;

/// Called by the page once its first frame is painted. Prints a line, so a launcher without
/// WebDriver can see the moment too; the page shows the answer, so a WebDriver session sees
/// the round trip complete, as it sees the console's figures arrive from its backend.
#[tauri::command]
fn painted(since_origin_ms: f64) -> String {
    let line = format!("bare-window: painted {since_origin_ms:.1} ms after navigation start");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    line
}

/// The console's rendering rule (`src-tauri/src/rendering.rs`), so the baseline draws the way
/// the console does on this machine: without compositing where there is no GPU render node.
fn choose_rendering() {
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|mut entries| {
        entries.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("renderD")))
    });
    if !gpu && std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

fn main() {
    choose_rendering();
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("bare-window could not start: {error}");
        std::process::exit(1);
    }
}
