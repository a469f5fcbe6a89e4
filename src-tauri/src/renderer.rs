//! Which of WebKitGTK's renderers draws the window. By default WebKitGTK paints through
//! OpenGL. On a machine without a GPU render node (`/dev/dri/renderD*`: a virtual machine, a
//! remote desktop, a server under Xvfb) that OpenGL is Mesa's llvmpipe, which emulates a GPU
//! on the CPU: the same pixels as WebKit's own CPU renderer, at the cost of compiling shaders
//! with LLVM and of keeping every texture in memory. There the console asks for the CPU
//! renderer (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`); its web process held 62 MiB of anonymous
//! memory instead of 97 MiB, 10 s after start. A value the user set is kept either way.

use std::path::Path;

/// WebKitGTK's switch to its CPU renderer.
pub const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Whether `dri` (normally `/dev/dri`) holds a GPU render node.
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Asks for the CPU renderer when there is no GPU to render with and the user chose
/// nothing. Call before any other thread starts: it sets an environment variable, which the
/// WebKit processes the window starts inherit.
pub fn choose() {
    if std::env::var_os(CPU_RENDERING).is_none() && !has_render_node(Path::new("/dev/dri")) {
        std::env::set_var(CPU_RENDERING, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_and_a_card_alone_or_nothing_is_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(!has_render_node(&dir.path().join("missing")));
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("card0"), "").expect("card");
        assert!(
            !has_render_node(dir.path()),
            "a display controller without rendering"
        );
        std::fs::write(dir.path().join("renderD128"), "").expect("render node");
        assert!(has_render_node(dir.path()));
    }
}
