//! Axis arithmetic: round tops for the y axis, time ticks at natural boundaries of the
//! viewer's local time (every 10 minutes, every 3 hours, every day at midnight…, read from
//! the IANA zone at each tick, so a label after a clock change is still right), and the
//! formats of values and times.

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;

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

/// Monday 5 January 1970, 00:00, in Unix seconds: steps of days count from it.
const MONDAY_S: i64 = 4 * 86_400;

/// The zone's offset east of UTC at Unix second `t`.
fn offset_at(zone: Tz, t: i64) -> i64 {
    let at = DateTime::from_timestamp(t, 0).unwrap_or(DateTime::UNIX_EPOCH);
    i64::from(
        zone.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// Ticks at the bucket edges whose local time is a multiple of a step (every 3 hours,
/// every midnight, every other day…), at most about `max_ticks` of them.
pub fn time_ticks(axis: &TimeAxis, max_ticks: usize) -> Vec<Tick> {
    let span = (axis.end_s() - axis.start_s()).max(1);
    let step = TICK_STEPS
        .into_iter()
        .filter(|s| *s >= axis.bucket_s && s % axis.bucket_s == 0)
        .find(|s| span / s <= max_ticks as i64);
    // Buckets wider than any step: label every few edges.
    let every = axis.buckets().div_ceil(max_ticks.max(1)).max(1);
    let daily = step.unwrap_or(axis.bucket_s) >= 86_400;
    let multi_day = span >= 86_400;
    axis.edges
        .iter()
        .enumerate()
        .filter_map(|(i, &t)| {
            let wall = t + offset_at(axis.zone, t);
            let on_step = match step {
                Some(step) => (wall - MONDAY_S).rem_euclid(step) == 0,
                None => i % every == 0,
            };
            if !on_step {
                return None;
            }
            let local = DateTime::from_timestamp(wall, 0)?.naive_utc();
            let label = if daily {
                local.format("%-d %b").to_string()
            } else if multi_day && wall.rem_euclid(86_400) == 0 {
                local.format("%a %-d").to_string()
            } else {
                local.format("%H:%M").to_string()
            };
            Some(Tick {
                offset_buckets: i as f64,
                label,
            })
        })
        .collect()
}

/// `Time (UTC)`, `Local time (UTC+05:30)`, or where the clocks change inside the axis
/// `Local time (Europe/Berlin, UTC+02:00 / UTC+01:00)`.
pub fn zone_label(axis: &TimeAxis) -> String {
    let mut offsets: Vec<i64> = Vec::new();
    for &t in &axis.edges {
        let offset = offset_at(axis.zone, t);
        if !offsets.contains(&offset) {
            offsets.push(offset);
        }
    }
    let utc = |offset_s: i64| {
        let sign = if offset_s < 0 { '-' } else { '+' };
        let minutes = offset_s.abs() / 60;
        format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    };
    match offsets.as_slice() {
        [] | [0] => "Time (UTC)".to_string(),
        [offset] => format!("Local time ({})", utc(*offset)),
        several => format!(
            "Local time ({}, {})",
            axis.zone.name(),
            several
                .iter()
                .map(|o| utc(*o))
                .collect::<Vec<_>>()
                .join(" / ")
        ),
    }
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
        let axis = TimeAxis::equal(1_795_132_800 - 3_600, 600, 144, chrono_tz::Europe::Berlin);
        let ticks = time_ticks(&axis, 8);
        assert!(ticks.len() <= 9 && ticks.len() >= 4);
        assert_eq!(ticks[0].label, "Fri 20");
        assert_eq!(ticks[1].label, "03:00");
        assert_eq!(ticks.last().map(|t| t.label.as_str()), Some("Sat 21"));
        assert_eq!(zone_label(&axis), "Local time (UTC+01:00)");
        let marquesas = TimeAxis::equal(1_795_132_800, 3_600, 3, chrono_tz::Pacific::Marquesas);
        assert_eq!(zone_label(&marquesas), "Local time (UTC-09:30)");
    }

    #[test]
    fn days_across_a_clock_change_are_labelled_at_local_midnight() {
        // Berlin's midnights from 27 to 31 March 2026: the 29th has 23 hours.
        let berlin = chrono_tz::Europe::Berlin;
        let edges: Vec<i64> = [
            1_774_566_000, // 27 Mar 00:00 +01:00
            1_774_652_400, // 28 Mar 00:00 +01:00
            1_774_738_800, // 29 Mar 00:00 +01:00
            1_774_821_600, // 30 Mar 00:00 +02:00
            1_774_908_000, // 31 Mar 00:00 +02:00
        ]
        .to_vec();
        let axis = TimeAxis {
            edges,
            bucket_s: 86_400,
            zone: berlin,
        };
        let labels: Vec<String> = time_ticks(&axis, 8).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["27 Mar", "28 Mar", "29 Mar", "30 Mar", "31 Mar"]);
        assert_eq!(
            zone_label(&axis),
            "Local time (Europe/Berlin, UTC+01:00 / UTC+02:00)"
        );
    }
}
