//! The console's Tauri commands, one module per feature. Each command adapts: it takes the
//! managed state, calls one method of `Console` or another core type, and returns its
//! result; errors reach the UI as `CommandError` (`{code, message, status, request_id,
//! details}`). Which commands exist is declared once, in `list.rs`.

include!("list.rs");

/// Declares commands of the common shape, so each reads as its signature and one call:
/// `fn name(state: Type, ...; arg: Ty, ...) -> T { body }` becomes an async
/// `#[tauri::command]` that takes each state as `State<Arc<Type>>`, the arguments as the UI
/// names them, and returns `Result<T, CommandError>`.
macro_rules! adapters {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($state:ident: $owner:path),+ $(; $($arg:ident: $ty:ty),+)?) -> $ret:ty $body:block
    )*) => {$(
        $(#[doc = $doc])*
        #[tauri::command]
        pub async fn $name(
            $($state: tauri::State<'_, std::sync::Arc<$owner>>,)+
            $($($arg: $ty),+)?
        ) -> Result<$ret, botbat_console_core::CommandError> $body
    )*};
}

pub mod connections;
pub mod dashboard;
pub mod keys;
pub mod limits;
pub mod lookup;
pub mod platform_hooks;
pub mod settings;
pub mod tryit;
pub mod usage;
pub mod webhooks;

/// The handler registration: every command of the list.
macro_rules! registration {
    ($($module:ident :: $name:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$name),*]
    };
}

/// Routes the window's calls to the commands of `list.rs`.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    with_commands!(registration)
}

#[cfg(test)]
mod tests;
