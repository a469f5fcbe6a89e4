//! Where a chart's buckets begin, in the viewer's time zone.
//!
//! A fixed UTC offset puts a day chart's midnights an hour off for half of the year in
//! any zone with daylight-saving time, so buckets are laid out with the IANA database
//! instead. Buckets of an hour or less are elapsed time: every bucket is equally long,
//! aligned to the zone's offset where the window starts (an hour chart across a clock
//! change keeps 60-minute buckets). Longer buckets follow the wall clock: 3-hour buckets
//! start at local 00:00, 03:00, …, days at local midnight, and weeks at Monday's local
//! midnight, so a day is 23 or 25 hours long when the clocks change that day.
//!
//! The edges are worked out here, in Rust, and reach SQL as runs of equally long buckets
//! (one run for most windows, a few when the clocks change inside it), so a query binds a
//! handful of numbers whatever the zone.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::error::{Result, UsageError};

/// Buckets of this many seconds or fewer are elapsed time; longer ones follow the wall clock.
const ELAPSED_UP_TO_S: i64 = 3_600;
/// A window has at most this many wall-clock buckets.
const MAX_WALL_BUCKETS: usize = 100_000;

/// The zone named `name` in the IANA database, e.g. `Europe/Berlin` or `UTC`.
pub fn parse_zone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        UsageError::invalid(format!(
            "{name:?} is not a time zone of the IANA database: give one such as \
             Europe/Berlin, America/New_York or UTC"
        ))
    })
}

/// The zone's offset east of UTC at Unix second `t`, in seconds.
pub fn offset_at(zone: Tz, t: i64) -> i64 {
    let at = DateTime::from_timestamp(t, 0).unwrap_or(DateTime::UNIX_EPOCH);
    i64::from(
        zone.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// Weeks (and longer wall-clock buckets) are counted from Monday 5 January 1970.
fn anchor() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1970, 1, 5)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
}

/// The instant the wall clock shows `wall`: the first one if the clocks show it twice, and
/// the moment they jump past it if they skip it.
fn instant_of(zone: Tz, wall: NaiveDateTime) -> i64 {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        LocalResult::None => {
            // Skipped: the jump lies between `wall` read in the offset after it and read in
            // the offset before it; find the first second whose wall time is past `wall`.
            let naive = wall.and_utc().timestamp();
            let (mut lo, mut hi) = (naive - 26 * 3_600, naive + 26 * 3_600);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if mid + offset_at(zone, mid) >= naive {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            hi
        }
    }
}

/// Bucket `k` of `bucket_s` seconds on the wall clock, counted from [`anchor`].
fn wall_edge(zone: Tz, k: i64, bucket_s: i64) -> i64 {
    instant_of(zone, anchor() + chrono::Duration::seconds(k * bucket_s))
}

/// A stretch of equally long buckets: bucket `first + i` starts at `start_s + i·width_s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub start_s: i64,
    pub width_s: i64,
    pub first: i64,
}

/// The buckets of `bucket_s` seconds in `zone` that cover `[from_s, to_s)`, as runs; the
/// last bucket ends at the returned end (at or after `to_s`).
pub fn runs(zone: Tz, from_s: i64, to_s: i64, bucket_s: i64) -> Result<(Vec<Run>, i64)> {
    if bucket_s <= ELAPSED_UP_TO_S {
        let offset = offset_at(zone, from_s);
        let first = (from_s + offset).div_euclid(bucket_s) * bucket_s - offset;
        let last = (to_s + offset + bucket_s - 1).div_euclid(bucket_s) * bucket_s - offset;
        let run = Run {
            start_s: first,
            width_s: bucket_s,
            first: 0,
        };
        return Ok((vec![run], last));
    }
    let anchor_s = anchor().and_utc().timestamp();
    let mut k = (from_s + offset_at(zone, from_s) - anchor_s).div_euclid(bucket_s);
    while wall_edge(zone, k, bucket_s) > from_s {
        k -= 1;
    }
    while wall_edge(zone, k + 1, bucket_s) <= from_s {
        k += 1;
    }
    let mut edges = vec![wall_edge(zone, k, bucket_s)];
    while edges[edges.len() - 1] < to_s {
        if edges.len() > MAX_WALL_BUCKETS {
            return Err(UsageError::invalid(format!(
                "choose wider buckets: this range has more than {MAX_WALL_BUCKETS} of them"
            )));
        }
        k += 1;
        let edge = wall_edge(zone, k, bucket_s);
        if edge > edges[edges.len() - 1] {
            edges.push(edge);
        }
    }
    let end = edges[edges.len() - 1];
    let mut runs: Vec<Run> = Vec::new();
    for (i, pair) in edges.windows(2).enumerate() {
        let width_s = pair[1] - pair[0];
        match runs.last() {
            Some(run) if run.width_s == width_s => {}
            _ => runs.push(Run {
                start_s: pair[0],
                width_s,
                first: i as i64,
            }),
        }
    }
    Ok((runs, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc).timestamp())
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn skipped_wall_times_start_when_the_clocks_jump() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        let wall = NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .expect("wall");
        assert_eq!(instant_of(berlin, wall), at("2026-03-29T01:00:00Z"));
        let repeated = NaiveDate::from_ymd_opt(2026, 10, 25)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .expect("wall");
        assert_eq!(instant_of(berlin, repeated), at("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn weeks_start_on_monday_and_short_buckets_stay_equal() {
        let berlin = parse_zone("Europe/Berlin").expect("zone");
        let (runs, end) = runs(
            berlin,
            at("2026-03-25T12:00:00Z"),
            at("2026-04-02T00:00:00Z"),
            604_800,
        )
        .expect("runs");
        assert_eq!(runs[0].start_s, at("2026-03-23T00:00:00+01:00"));
        assert_eq!(end, at("2026-04-06T00:00:00+02:00"));
        assert_eq!(
            runs[0].width_s,
            604_800 - 3_600,
            "the week the clocks go forward"
        );
        let (hours, _) = super::runs(
            berlin,
            at("2026-03-28T12:00:00Z"),
            at("2026-03-30T00:00:00Z"),
            3_600,
        )
        .expect("runs");
        assert_eq!(hours.len(), 1);
        assert!(parse_zone("Mars/Olympus_Mons").is_err());
    }
}
