//! The desktop shell: opens the window, starts the embedded sandbox, and exposes the
//! console's operations as commands. Everything here adapts; the work is done in
//! `botbat-console-core` and the other crates, where it is tested without a window.

mod commands;
mod renderer;
mod store;
mod window;

use std::sync::{Arc, Mutex};

use botbat_console_core::profile::Profile;
use botbat_console_core::{
    Console, EarlyStart, EarlyStarted, Inspectors, SharedSandbox, KEYCHAIN_SERVICE,
};
use tauri::{Emitter, Manager, RunEvent};

/// The embedded sandbox, kept so it can be stopped (and its metering flushed) on exit.
#[derive(Default)]
struct EmbeddedSandboxSlot(Mutex<Option<Arc<SharedSandbox>>>);

pub fn run() {
    // First, while this is the only thread: it may set an environment variable.
    renderer::choose();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,botbat=info".into()),
        )
        .init();
    // Before the toolkit: the keychain probe and the TLS roots take their time on other
    // threads while the window is made, and set-up only collects them.
    let early = EarlyStart::begin(KEYCHAIN_SERVICE);

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(EmbeddedSandboxSlot::default())
        .setup(|app| {
            window::fit_to_screen(app);
            // The same profile `botbat` opens: BOTBAT_DATA_DIR, else Tauri's app data dir.
            let profile = match Profile::locate(None) {
                Ok(profile) => profile,
                Err(_) => Profile::locate(Some(app.path().app_data_dir()?)).map_err(|e| e.message)?,
            };
            let data_dir = profile.data_dir.clone();
            let EarlyStarted {
                secrets,
                keychain,
                transport,
            } = early.finish();
            let preferences = store::PluginPreferences::open(app.handle(), &data_dir)?;
            let mut console = Console::new(
                Box::new(preferences),
                secrets.clone(),
                keychain,
                env!("CARGO_PKG_VERSION"),
            )
            .with_data_dir(data_dir.clone());
            if let Some(http) = transport {
                console = console.with_transport(http);
            }
            let console = Arc::new(console);
            app.manage(console.clone());
            app.manage(
                console
                    .connections()
                    .ok_or("the console has no data directory for its connections")?,
            );
            app.manage(Arc::new(botbat_console_core::tryit::TryIt::new()));
            let exports_dir = app
                .path()
                .download_dir()
                .unwrap_or_else(|_| data_dir.join("exports"));
            let progress = app.handle().clone();
            app.manage(Arc::new(botbat_console_core::UsageCache::new(
                console.clone(),
                exports_dir,
                Arc::new(move |event| {
                    let _ = progress.emit("usage-sync-progress", event);
                }),
            )));
            let emitter = app.handle().clone();
            app.manage(Arc::new(Inspectors::new(
                console.clone(),
                Arc::new(move |event| {
                    let _ = emitter.emit("inspector", event);
                }),
            )));
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                match profile.open_sandbox(&console, secrets, "botbat-console").await {
                    Ok(sandbox) => {
                        tracing::info!(base_url = %sandbox.base_url(), role = ?sandbox.role(), "embedded sandbox ready");
                        let slot = handle.state::<EmbeddedSandboxSlot>();
                        *slot.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(sandbox);
                    }
                    Err(error) => tracing::error!(%error, "embedded sandbox failed"),
                }
                // The window reads the sandbox's state again now, instead of polling for it.
                let _ = handle.emit("sandbox-settled", ());
            });
            Ok(())
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());

    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("BotBat Developer Console could not start: {error}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        if let RunEvent::Exit = event {
            let sandbox = handle
                .state::<EmbeddedSandboxSlot>()
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            let inspectors = handle.state::<Arc<Inspectors>>().inner().clone();
            tauri::async_runtime::block_on(inspectors.shutdown());
            let tryit = handle
                .state::<Arc<botbat_console_core::tryit::TryIt>>()
                .inner()
                .clone();
            if let Err(error) = tauri::async_runtime::block_on(tryit.settle()) {
                eprintln!("Try It history: {}", error.message);
            }
            handle
                .state::<Arc<botbat_console_core::UsageCache>>()
                .shutdown();
            if let Some(sandbox) = sandbox {
                tauri::async_runtime::block_on(sandbox.shutdown());
            }
        }
    });
}
