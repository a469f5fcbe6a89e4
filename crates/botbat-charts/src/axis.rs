//! Axis arithmetic: round tops for the y axis, time ticks at natural boundaries of the
//! viewer's local time (every 10 minutes, every 3 hours, every day at midnight…), and the
//! formats of values and times.

use chrono::{DateTime, FixedOffset, Offset, TimeZone};

use crate::{TimeAxis, Unit};

/// A round number at or above `value` to top the y axis with.
pub fn nice_ceiling(value: f64, unit: Unit) -> f64 {
    if value.is_nan() || value <= 0.0 || !value.is_finite() {
        return match unit {
            Unit::Percent => 5.0,
            Unit::Milliseconds => 100.0,
            Unit::Count => 10.0,
        };
    }
    let magnitude = 10f64.powf(value.log10().floor());
    let step = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= value)
        .unwrap_or(10.0 * magnitude);
    match unit {
        Unit::Count => step.max(4.0),
        Unit::Percent => step.min(100.0),
        Unit::Milliseconds => step,
    }
}

/// `1,204`, `12.5k`, `3.2 %`, `850 ms`, `1.4 s`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Count => {
            if value >= 1_000_000.0 {
                format!("{}M", trim(value / 1_000_000.0))
            } else if value >= 10_000.0 {
                format!("{}k", trim(value / 1_000.0))
            } else if value.fract().abs() < 1e-9 {
                group(value as i64)
            } else {
                format!("{value:.1}")
            }
        }
        Unit::Percent => format!("{} %", trim(value)),
        Unit::Milliseconds => {
            if value >= 1_000.0 {
                format!("{} s", trim(value / 1_000.0))
            } else {
                format!("{} ms", trim(value))
            }
        }
    }
}

/// One decimal at most, none when whole.
fn trim(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract().abs() < 1e-9 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

fn group(value: i64) -> String {
    let digits = value.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// About how wide `text` is in the sans-serif font at `size` px (SVG text is measured by
/// its viewer; this only has to be close enough to lay out legends and labels).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | ' ' | '(' | ')' | '/' => {
                0.3
            }
            'm' | 'w' | 'M' | 'W' | '%' => 0.85,
            c if c.is_ascii_uppercase() || c.is_ascii_digit() => 0.62,
            _ => 0.53,
        })
        .sum::<f64>()
        * size
}

pub struct Tick {
    /// Position in buckets from the axis start.
    pub offset_buckets: f64,
    pub label: String,
}

const TICK_STEPS: [i64; 14] = [
    60, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 432_000,
    604_800,
];

/// Ticks at multiples of a step in local time, at most `max_ticks` of them.
pub fn time_ticks(axis: &TimeAxis, max_ticks: usize) -> Vec<Tick> {
    let (start, end) = (axis.start_s, axis.end_s());
    let span = (end - start).max(1);
    let step = TICK_STEPS
        .into_iter()
        .filter(|s| *s >= axis.bucket_s)
        .find(|s| span / s <= max_ticks as i64)
        .unwrap_or(span);
    let zone = FixedOffset::east_opt(axis.utc_offset_s as i32).unwrap_or_else(|| chrono::Utc.fix());
    let first = (start + axis.utc_offset_s + step - 1).div_euclid(step) * step - axis.utc_offset_s;
    let multi_day = span >= 86_400;
    let mut ticks = Vec::new();
    let mut t = first;
    while t <= end {
        let Some(at) = DateTime::from_timestamp(t, 0) else {
            break;
        };
        let local = zone.from_utc_datetime(&at.naive_utc());
        let label = if step >= 86_400 {
            local.format("%-d %b").to_string()
        } else if multi_day && local.format("%H:%M").to_string() == "00:00" {
            local.format("%a %-d").to_string()
        } else {
            local.format("%H:%M").to_string()
        };
        ticks.push(Tick {
            offset_buckets: (t - start) as f64 / axis.bucket_s as f64,
            label,
        });
        t += step;
    }
    ticks
}

/// `Local time (UTC+05:30)`.
pub fn zone_label(offset_s: i64) -> String {
    if offset_s == 0 {
        return "Time (UTC)".to_string();
    }
    let sign = if offset_s < 0 { '-' } else { '+' };
    let minutes = offset_s.abs() / 60;
    format!(
        "Local time (UTC{sign}{:02}:{:02})",
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_naturally() {
        assert_eq!(format_value(1204.0, Unit::Count), "1,204");
        assert_eq!(format_value(12_500.0, Unit::Count), "12.5k");
        assert_eq!(format_value(3.25, Unit::Percent), "3.3 %");
        assert_eq!(format_value(850.0, Unit::Milliseconds), "850 ms");
        assert_eq!(format_value(1_400.0, Unit::Milliseconds), "1.4 s");
        assert_eq!(nice_ceiling(87.0, Unit::Count), 100.0);
        assert_eq!(nice_ceiling(0.0, Unit::Percent), 5.0);
        assert_eq!(nice_ceiling(130.0, Unit::Percent), 100.0);
    }

    #[test]
    fn ticks_fall_on_local_boundaries() {
        // 2026-11-20 00:00 UTC, a day in 10-minute buckets, viewed from UTC+01:00.
        let axis = TimeAxis {
            start_s: 1_795_132_800 - 3_600,
            bucket_s: 600,
            buckets: 144,
            utc_offset_s: 3_600,
        };
        let ticks = time_ticks(&axis, 8);
        assert!(ticks.len() <= 9 && ticks.len() >= 4);
        assert_eq!(ticks[0].label, "Fri 20");
        assert_eq!(ticks[1].label, "03:00");
        assert_eq!(ticks.last().map(|t| t.label.as_str()), Some("Sat 21"));
        assert_eq!(zone_label(3_600), "Local time (UTC+01:00)");
        assert_eq!(zone_label(-12_600), "Local time (UTC-03:30)");
    }
}
