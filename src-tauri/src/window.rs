//! The window's first size. `tauri.conf.json` gives one size for every screen; 1280×800 does
//! not fit a 1366×768 laptop once a top bar and the title bar take their share, and a window
//! taller than the screen hides its lower part with no way to see it. So at start-up the
//! window shrinks to the monitor's work area (never below its minimum size) and is centred
//! in it. A screen large enough for the configured size keeps it (and `center` in the
//! configuration). The position is computed here rather than asked of `center()`: during
//! set-up, before the window is mapped, its outer size is not known yet.

use tauri::{LogicalPosition, LogicalSize, Manager, Runtime};

/// Room left around the window's inner size for a title bar and borders the window manager
/// adds outside it.
const DECORATION: LogicalSize<f64> = LogicalSize {
    width: 16.0,
    height: 48.0,
};

/// The inner size for a window configured as `wanted`, with at least `min`, on a work area
/// of `work_area` (all logical pixels); `None` when `wanted` already fits.
pub fn fitted_size(
    wanted: LogicalSize<f64>,
    min: LogicalSize<f64>,
    work_area: LogicalSize<f64>,
) -> Option<LogicalSize<f64>> {
    let room = LogicalSize {
        width: (work_area.width - DECORATION.width).max(min.width),
        height: (work_area.height - DECORATION.height).max(min.height),
    };
    if wanted.width <= room.width && wanted.height <= room.height {
        return None;
    }
    Some(LogicalSize {
        width: wanted.width.min(room.width).floor(),
        height: wanted.height.min(room.height).floor(),
    })
}

/// Where a window of inner size `size` sits centred, frame included, in a work area of
/// `work_area` at `origin` (logical pixels); never left of or above the work area.
pub fn centred(
    size: LogicalSize<f64>,
    origin: LogicalPosition<f64>,
    work_area: LogicalSize<f64>,
) -> LogicalPosition<f64> {
    let spare = |area: f64, inner: f64, frame: f64| ((area - inner - frame) / 2.0).max(0.0).floor();
    LogicalPosition {
        x: origin.x + spare(work_area.width, size.width, DECORATION.width),
        y: origin.y + spare(work_area.height, size.height, DECORATION.height),
    }
}

/// Shrinks each configured window to its monitor's work area when its configured size does
/// not fit, and centres it there. Without a monitor to ask (or on an error) a window keeps
/// the configured size.
pub fn fit_to_screen<R: Runtime, M: Manager<R>>(app: &M) {
    for config in &app.config().app.windows {
        let Some(window) = app.get_webview_window(&config.label) else {
            continue;
        };
        let Ok(Some(monitor)) = window.current_monitor() else {
            continue;
        };
        let area = monitor.work_area();
        let origin = area.position.to_logical(monitor.scale_factor());
        let work_area = area.size.to_logical(monitor.scale_factor());
        let wanted = LogicalSize::new(config.width, config.height);
        let min = LogicalSize::new(
            config.min_width.unwrap_or(0.0),
            config.min_height.unwrap_or(0.0),
        );
        if let Some(size) = fitted_size(wanted, min, work_area) {
            let position = centred(size, origin, work_area);
            if let Err(error) = window
                .set_size(size)
                .and_then(|()| window.set_position(position))
            {
                tracing::warn!(%error, "could not fit the window to the screen");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: LogicalSize<f64> = LogicalSize {
        width: 1280.0,
        height: 800.0,
    };
    const MIN: LogicalSize<f64> = LogicalSize {
        width: 900.0,
        height: 600.0,
    };

    fn size(width: f64, height: f64) -> LogicalSize<f64> {
        LogicalSize { width, height }
    }

    #[test]
    fn a_large_screen_keeps_the_configured_size() {
        assert_eq!(fitted_size(WANTED, MIN, size(1920.0, 1053.0)), None);
        assert_eq!(fitted_size(WANTED, MIN, size(2560.0, 1400.0)), None);
    }

    #[test]
    fn a_laptop_screen_gets_a_window_that_fits_its_work_area() {
        // 1366×768 with a 32 px top bar.
        let fitted = fitted_size(WANTED, MIN, size(1366.0, 736.0)).expect("shrunk");
        assert_eq!(fitted, size(1280.0, 688.0));
    }

    #[test]
    fn a_fitted_window_is_centred_in_the_work_area_frame_included() {
        // 1366×768 with a 32 px top bar: 1280×688 inside, 1296×736 with its frame.
        let at = centred(
            size(1280.0, 688.0),
            LogicalPosition { x: 0.0, y: 32.0 },
            size(1366.0, 736.0),
        );
        assert_eq!(at, LogicalPosition { x: 35.0, y: 32.0 });
        // Never above or left of the work area, even when the frame does not fit.
        let at = centred(MIN, LogicalPosition { x: 0.0, y: 0.0 }, size(800.0, 600.0));
        assert_eq!(at, LogicalPosition { x: 0.0, y: 0.0 });
    }

    #[test]
    fn a_tiny_screen_never_goes_below_the_minimum_size() {
        let fitted = fitted_size(WANTED, MIN, size(800.0, 600.0)).expect("shrunk");
        assert_eq!(fitted, MIN);
    }
}
