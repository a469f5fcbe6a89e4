//! Reading `Retry-After` and the `X-RateLimit-*` headers from a server the console does not
//! control.
//!
//! These headers decide how long the console waits, so a hostile or broken value must
//! neither overflow the arithmetic nor park a request, a page fetch, a sync or a countdown
//! for a day. Numbers are read with saturating arithmetic: a value too long for its type
//! reads as the largest the type holds, so it stays "very long" instead of wrapping or
//! vanishing. Every wait the console takes on its own is capped at [`MAX_WAIT`], and a
//! [`Wait`] says so in words when a header asked for more.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::client::RateLimitHeaders;

/// The longest the console waits on a server's word before it hands the decision back.
pub const MAX_WAIT_SECONDS: u32 = 60;
pub const MAX_WAIT: Duration = Duration::from_secs(MAX_WAIT_SECONDS as u64);

/// Whole seconds in `value`: ASCII digits only (no sign, no fraction, no exponent),
/// surrounding spaces allowed, saturating at `u64::MAX`.
fn digits(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

fn saturate_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `Retry-After` (RFC 9110, section 10.2.3) in whole seconds from `now`: delay-seconds, or
/// an HTTP-date in any of the three formats a recipient must accept (IMF-fixdate, RFC 850,
/// asctime), a date already past being 0. Saturates at `u32::MAX`; anything else
/// (negative, fractional, words) is `None`, the same as no header.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<u32> {
    if let Some(seconds) = digits(value) {
        return Some(saturate_u32(seconds));
    }
    let at = httpdate::parse_http_date(value.trim()).ok()?;
    Some(saturate_u32(
        at.duration_since(now).map_or(0, |left| left.as_secs()),
    ))
}

/// `X-RateLimit-Reset`: the Unix second at which the window resets. Saturates at
/// `i64::MAX`; anything but digits is `None`.
pub fn parse_reset(value: &str) -> Option<i64> {
    digits(value).map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// `X-RateLimit-Limit` and `X-RateLimit-Remaining`. Saturates at `u32::MAX`.
pub fn parse_count(value: &str) -> Option<u32> {
    digits(value).map(saturate_u32)
}

/// Milliseconds from `now` until the Unix second `reset_unix`; 0 once it has passed.
/// Never overflows, whatever the two clocks say.
pub fn millis_until(reset_unix: i64, now: SystemTime) -> u64 {
    let now_ms = match now.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => {
            i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| ms.saturating_neg())
        }
    };
    u64::try_from(reset_unix.saturating_mul(1000).saturating_sub(now_ms)).unwrap_or(0)
}

impl RateLimitHeaders {
    /// How long until this window resets, as the console waits it out.
    pub fn until_reset(&self) -> Wait {
        Wait::until_reset(Duration::from_millis(millis_until(
            self.reset,
            SystemTime::now(),
        )))
    }
}

/// A wait a server asked for, as the console honours it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Wait {
    /// What the header asked for, in whole seconds (rounded up).
    pub asked_seconds: u32,
    /// What the console waits, in whole seconds (rounded up) for a countdown: the same, or
    /// [`MAX_WAIT_SECONDS`] at most.
    pub wait_seconds: u32,
    /// The same wait to the millisecond, which is what the console sleeps.
    #[ts(type = "number")]
    pub wait_ms: u64,
    /// Set when the header asked for more than the console waits: what it said and what
    /// the console does instead.
    pub note: Option<String>,
}

impl Wait {
    fn capped(asked: Duration, note: impl FnOnce(u64) -> String) -> Wait {
        let seconds = |d: Duration| d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
        let waited = asked.min(MAX_WAIT);
        Wait {
            asked_seconds: saturate_u32(seconds(asked)),
            wait_seconds: saturate_u32(seconds(waited)),
            wait_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
            note: (asked > MAX_WAIT).then(|| note(seconds(asked))),
        }
    }

    /// A 429's `Retry-After`. Coming back before it is up earns another 429, so when it is
    /// longer than the cap the console does not retry by itself at all.
    pub fn retry_after(seconds: u32) -> Wait {
        Wait::capped(Duration::from_secs(u64::from(seconds)), |asked| {
            format!("Retry-After says {asked} s; the console waits at most {MAX_WAIT_SECONDS} s — retry later.")
        })
    }

    /// Until an exhausted window resets. Waiting less is harmless (the next answer is a 429
    /// that says exactly how long), so the console waits the capped time and asks again.
    pub fn until_reset(left: Duration) -> Wait {
        Wait::capped(left, |asked| {
            format!("X-RateLimit-Reset is {asked} s away; the console waits at most {MAX_WAIT_SECONDS} s, then asks again.")
        })
    }

    /// Whether the header asked for more than the console waits.
    pub fn is_capped(&self) -> bool {
        self.note.is_some()
    }

    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.wait_ms)
    }
}

/// Spaces one client's requests so that no span of [`Pacer::WINDOW`] holds more than a
/// budget of them.
///
/// The console paces its own calls (panels, polls, the usage sync) below the lowest plan's
/// per-key limit. A burst of its own would earn 429s the user did not cause: they would show
/// in the user's error rate and spend the user's limits, in production as in the sandbox.
/// The window is a little longer than the platform's one second, so that jitter on the way
/// cannot carry one more request into the same second on the server's clock.
#[derive(Debug)]
pub struct Pacer {
    budget: usize,
    sent: tokio::sync::Mutex<VecDeque<tokio::time::Instant>>,
}

impl Pacer {
    pub const WINDOW: Duration = Duration::from_millis(1_100);

    /// At most `budget` requests (at least one) in any [`Pacer::WINDOW`].
    pub fn new(budget: u32) -> Self {
        Self {
            budget: usize::try_from(budget.max(1)).unwrap_or(usize::MAX),
            sent: tokio::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// The console's own budget: one request a second under the lowest plan's per-key
    /// limit, which leaves the user's own requests room on any plan.
    pub fn for_console() -> Self {
        Self::new(crate::Plan::Starter.per_key_per_second().saturating_sub(1))
    }

    /// Waits until one more request fits the budget, and counts it. Waiters go in the
    /// order they came.
    pub async fn admit(&self) {
        let mut sent = self.sent.lock().await;
        loop {
            let now = tokio::time::Instant::now();
            while sent
                .front()
                .is_some_and(|at| now.duration_since(*at) >= Self::WINDOW)
            {
                sent.pop_front();
            }
            match sent.front() {
                Some(oldest) if sent.len() >= self.budget => {
                    tokio::time::sleep_until(*oldest + Self::WINDOW).await;
                }
                _ => {
                    sent.push_back(now);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
    }

    #[test]
    fn retry_after_reads_seconds_and_every_http_date_form() {
        let now = at(784_111_777 - 30); // 30 s before Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("120", now), Some(120));
        assert_eq!(parse_retry_after(" 0 ", now), Some(0));
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_retry_after(date, now), Some(30), "{date}");
        }
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at(784_111_777 + 3600)),
            Some(0),
            "a date already past means now"
        );
    }

    #[test]
    fn hostile_values_neither_overflow_nor_pass_as_numbers() {
        let now = SystemTime::now();
        assert_eq!(
            parse_retry_after("99999999999999999999999999999999", now),
            Some(u32::MAX)
        );
        assert_eq!(parse_retry_after("4294967296", now), Some(u32::MAX));
        for junk in [
            "-5",
            "1.5",
            "1e9",
            "+3",
            "",
            "  ",
            "soon",
            "0x10",
            "Fri, 31 Dec 9999",
        ] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
        assert_eq!(parse_reset("99999999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_reset("-1"), None);
        assert_eq!(parse_count("18446744073709551616"), Some(u32::MAX));
        assert_eq!(millis_until(i64::MAX, at(0)), u64::MAX >> 1);
        assert_eq!(millis_until(i64::MIN, SystemTime::now()), 0);
        let before_1970 = SystemTime::UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(millis_until(0, before_1970), 10_000);
        assert_eq!(millis_until(1_700_000_030, at(1_700_000_000)), 30_000);
    }

    #[test]
    fn waits_are_capped_and_say_so() {
        let short = Wait::retry_after(2);
        assert_eq!((short.wait_seconds, short.is_capped()), (2, false));
        assert_eq!(short.duration(), Duration::from_secs(2));
        let edge = Wait::retry_after(MAX_WAIT_SECONDS);
        assert!(!edge.is_capped());
        let day = Wait::retry_after(86_400);
        assert_eq!(day.wait_seconds, MAX_WAIT_SECONDS);
        assert_eq!(day.asked_seconds, 86_400);
        assert_eq!(
            day.note.as_deref(),
            Some("Retry-After says 86400 s; the console waits at most 60 s — retry later.")
        );
        let soon = Wait::until_reset(Duration::from_millis(1_250));
        assert_eq!((soon.wait_seconds, soon.wait_ms), (2, 1_250));
        let never = Wait::until_reset(Duration::MAX);
        assert_eq!(never.asked_seconds, u32::MAX);
        assert_eq!(never.duration(), MAX_WAIT);
        assert!(never.note.is_some_and(|n| n.contains("then asks again")));
        let headers = RateLimitHeaders {
            limit: 5,
            remaining: 0,
            reset: i64::MAX,
        };
        assert_eq!(headers.until_reset().duration(), MAX_WAIT);
        let passed = RateLimitHeaders {
            reset: 0,
            ..headers
        };
        assert_eq!(passed.until_reset().wait_ms, 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pacer_lets_its_budget_through_at_once_and_spaces_the_rest_by_its_window() {
        let pacer = std::sync::Arc::new(Pacer::new(4));
        let start = tokio::time::Instant::now();
        let admitted = admitted_at(&pacer, 9).await;
        let offsets: Vec<Duration> = admitted.iter().map(|at| *at - start).collect();
        assert_eq!(
            &offsets[..4],
            &[Duration::ZERO; 4],
            "the budget goes at once"
        );
        assert_eq!(
            &offsets[4..8],
            &[Pacer::WINDOW; 4],
            "the next four wait one window"
        );
        assert_eq!(offsets[8], Pacer::WINDOW * 2);
    }

    /// Admits `n` requests at once and returns when each was let through, in order.
    async fn admitted_at(pacer: &std::sync::Arc<Pacer>, n: usize) -> Vec<tokio::time::Instant> {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move {
                    pacer.admit().await;
                    tokio::time::Instant::now()
                })
            })
            .collect();
        let mut admitted = Vec::new();
        for task in tasks {
            admitted.push(task.await.expect("admitted"));
        }
        admitted.sort();
        admitted
    }
}
