//! Printing for people and for programs. With `--json` only JSON reaches stdout (one
//! document, or one object per line for a stream) and errors go to stderr as JSON too;
//! otherwise aligned tables and lines, coloured only when stdout is a terminal (anstream
//! strips the colour otherwise, and honours `NO_COLOR`).

use std::io::Write;

use anstyle::{AnsiColor, Style};
use botbat_console_core::CommandError;
use chrono::{DateTime, Local, Utc};
use serde::Serialize;

#[derive(Clone)]
pub struct Out {
    pub json: bool,
    /// Print exact times instead of relative ones.
    pub exact_times: bool,
}

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const GOOD: Style = AnsiColor::Green.on_default();
pub const BAD: Style = AnsiColor::Red.on_default();
pub const WARN: Style = AnsiColor::Yellow.on_default();
pub const PRODUCTION: Style = AnsiColor::Red.on_default().bold();

/// `text` wrapped in `style` (printed through anstream, which drops it off a terminal).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// Green for 2xx, yellow for 4xx, red for 5xx and for no status at all.
pub fn status_style(status: Option<u16>) -> Style {
    match status {
        Some(s) if (200..300).contains(&s) => GOOD,
        Some(s) if (400..500).contains(&s) => WARN,
        _ => BAD,
    }
}

impl Out {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            exact_times: false,
        }
    }

    /// One JSON document, pretty-printed.
    pub fn json<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// One JSON object on one line, for streams (`listen`, `logs tail`).
    pub fn json_line<T: Serialize>(&self, value: &T) {
        let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// A line for people on stdout (nothing in JSON mode).
    pub fn line(&self, text: impl std::fmt::Display) {
        if !self.json {
            let mut out = anstream::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    }

    /// A note for people on stderr: progress, state changes (nothing in JSON mode).
    pub fn note(&self, text: impl std::fmt::Display) {
        if !self.json {
            let mut err = anstream::stderr().lock();
            let _ = writeln!(err, "{text}");
        }
    }

    pub fn error(&self, error: &CommandError) {
        if self.json {
            let text =
                serde_json::to_string(&serde_json::json!({ "error": error })).unwrap_or_default();
            let _ = writeln!(std::io::stderr().lock(), "{text}");
            return;
        }
        let mut err = anstream::stderr().lock();
        let mut head = format!("{} {}", paint(BAD.bold(), "error:"), error.message);
        if let Some(status) = error.status {
            head.push_str(&paint(DIM, format!(" (HTTP {status}, {})", error.code)));
        }
        let _ = writeln!(err, "{head}");
        for issue in &error.details {
            let _ = writeln!(err, "  {}: {}", paint(BOLD, &issue.field), issue.issue);
        }
        if let Some(id) = &error.request_id {
            let _ = writeln!(err, "  {}", paint(DIM, format!("request id {id}")));
        }
    }

    /// Columns padded to their widest cell; colour is applied after padding so it never
    /// shifts a column.
    pub fn table(&self, headers: &[&str], rows: &[Vec<Cell>]) {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.text.chars().count());
                }
            }
        }
        let mut out = anstream::stdout().lock();
        let head: Vec<String> = headers
            .iter()
            .zip(&widths)
            .map(|(h, w)| paint(BOLD, pad(h, *w)))
            .collect();
        let _ = writeln!(out, "{}", head.join("  ").trim_end());
        for row in rows {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| paint(cell.style, pad(&cell.text, *w)))
                .collect();
            let _ = writeln!(out, "{}", line.join("  ").trim_end());
        }
        if rows.is_empty() {
            let _ = writeln!(out, "{}", paint(DIM, "(none)"));
        }
    }

    /// A time for a table: relative (`5m ago`), or exact with `--exact-times`.
    pub fn time(&self, time: DateTime<Utc>) -> String {
        if self.exact_times {
            return time
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
        }
        relative(time, Utc::now())
    }

    /// `key: value` lines with aligned values.
    pub fn fields(&self, fields: &[(&str, String)]) {
        let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = anstream::stdout().lock();
        for (key, value) in fields {
            let _ = writeln!(out, "{}  {value}", paint(DIM, pad(key, width)));
        }
    }
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

/// A progress bar on stderr, or a hidden one for `--json`.
pub fn progress_bar(out: &Out, template: &str) -> indicatif::ProgressBar {
    let bar = if out.json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr())
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// One table cell with its style.
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn styled(text: impl Into<String>, style: Style) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }
}

impl<T: Into<String>> From<T> for Cell {
    fn from(text: T) -> Self {
        Self::styled(text, Style::new())
    }
}

/// `just now`, `42s ago`, `5m ago`, `3h ago`, `2d ago`, or `in 5m` for the future.
pub fn relative(time: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - time).num_seconds();
    let (amount, future) = (seconds.unsigned_abs(), seconds < 0);
    if amount < 5 {
        return "just now".into();
    }
    let text = match amount {
        0..=59 => format!("{amount}s"),
        60..=3_599 => format!("{}m", amount / 60),
        3_600..=86_399 => format!("{}h", amount / 3_600),
        _ => format!("{}d", amount / 86_400),
    };
    if future {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

/// The local time of day with milliseconds, for stream lines.
pub fn clock(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local)
        .format("%H:%M:%S%.3f")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc::now();
        assert_eq!(relative(now, now), "just now");
        assert_eq!(
            relative(now - chrono::Duration::seconds(42), now),
            "42s ago"
        );
        assert_eq!(relative(now - chrono::Duration::minutes(5), now), "5m ago");
        assert_eq!(relative(now - chrono::Duration::hours(3), now), "3h ago");
        assert_eq!(relative(now - chrono::Duration::days(2), now), "2d ago");
        assert_eq!(relative(now + chrono::Duration::minutes(5), now), "in 5m");
    }

    #[test]
    fn cells_are_padded_by_characters() {
        assert_eq!(pad("bb_test_…a1b2", 14), "bb_test_…a1b2 ");
    }
}
