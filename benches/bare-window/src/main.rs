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

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        eprintln!("bare-window could not start: {error}");
        std::process::exit(1);
    }
}
