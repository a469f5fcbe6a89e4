//! How WebKitGTK draws the window on this machine.
//!
//! WebKitGTK composites the page with OpenGL. On a machine without a GPU (a VM, a remote
//! desktop, a CI runner under Xvfb) that OpenGL is Mesa's software rasteriser, and
//! compositing through it costs more than drawing without it: measured on such a machine,
//! the web process held 100 MB more and spent its idle time compiling shaders. The
//! console draws forms, tables and small SVG charts, which need no compositing, so where
//! there is no GPU render node it asks WebKit not to composite. A user who sets
//! `WEBKIT_DISABLE_COMPOSITING_MODE` themselves keeps their choice.

use std::path::Path;

const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Applies the rule; call it first thing in `main`, before any thread starts.
pub fn choose() {
    if std::env::var_os(VARIABLE).is_none() && !has_gpu(Path::new("/dev/dri")) {
        std::env::set_var(VARIABLE, "1");
    }
}

/// A GPU that can render shows up as a DRM render node.
fn has_gpu(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_and_its_absence_is_not() {
        let dir = tempfile::tempdir().expect("dir");
        assert!(!has_gpu(&dir.path().join("missing")));
        assert!(!has_gpu(dir.path()));
        std::fs::write(dir.path().join("card0"), b"").expect("card");
        assert!(
            !has_gpu(dir.path()),
            "a display card without a render node does not render"
        );
        std::fs::write(dir.path().join("renderD128"), b"").expect("node");
        assert!(has_gpu(dir.path()));
    }
}
