//! Rate limits by plan: a fixed one-second window per key and a fixed one-minute window
//! for the whole organisation, counted in memory.
//!
//! Only admitted requests count, so a client that backs off as told by `Retry-After` is
//! admitted when the window turns. Windows follow the wall clock (not the sandbox's
//! adjustable clock): limits are about real throughput.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// The limits in force. Normally a plan's; benchmarks raise them to measure the cost of
/// limiting without ever being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_key_per_second: u32,
    pub per_org_per_minute: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    pub limit: u32,
    pub used: u32,
    pub window_seconds: u32,
    /// Unix seconds when the window turns.
    pub reset: u64,
}

impl WindowState {
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Rejected by the per-key window.
    KeyLimited,
    /// Rejected by the per-organisation window.
    OrgLimited,
}

#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub verdict: Verdict,
    pub key: WindowState,
    pub org: WindowState,
    /// Whole seconds until the blocking window turns, at least 1.
    pub retry_after: u64,
}

impl Decision {
    /// The window to report in `X-RateLimit-*`: the one with fewer requests left (the one
    /// that blocked, when one did).
    pub fn reported(&self) -> (&'static str, WindowState) {
        match self.verdict {
            Verdict::KeyLimited => ("key", self.key),
            Verdict::OrgLimited => ("org", self.org),
            Verdict::Allowed if self.org.remaining() < self.key.remaining() => ("org", self.org),
            Verdict::Allowed => ("key", self.key),
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Window {
    index: u64,
    count: u32,
}

impl Window {
    fn used_at(&self, index: u64) -> u32 {
        if self.index == index {
            self.count
        } else {
            0
        }
    }
}

#[derive(Debug)]
pub struct RateLimiter {
    limits: Limits,
    keys: Mutex<HashMap<String, Window>>,
    org: Mutex<Window>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl RateLimiter {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            keys: Mutex::new(HashMap::new()),
            org: Mutex::new(Window::default()),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Admits or rejects one request of `key_id`, counting it when admitted.
    pub fn check(&self, key_id: &str) -> Decision {
        self.check_at(key_id, now_ms())
    }

    fn states(&self, key_used: u32, org_used: u32, now_ms: u64) -> (WindowState, WindowState) {
        let second = now_ms / 1000;
        let minute = now_ms / 60_000;
        (
            WindowState {
                limit: self.limits.per_key_per_second,
                used: key_used,
                window_seconds: 1,
                reset: second + 1,
            },
            WindowState {
                limit: self.limits.per_org_per_minute,
                used: org_used,
                window_seconds: 60,
                reset: (minute + 1) * 60,
            },
        )
    }

    pub fn check_at(&self, key_id: &str, now_ms: u64) -> Decision {
        let second = now_ms / 1000;
        let minute = now_ms / 60_000;
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let mut org = self.org.lock().unwrap_or_else(|p| p.into_inner());
        let key_window = keys.entry(key_id.to_string()).or_default();
        let key_used = key_window.used_at(second);
        let org_used = org.used_at(minute);
        let verdict = if key_used >= self.limits.per_key_per_second {
            Verdict::KeyLimited
        } else if org_used >= self.limits.per_org_per_minute {
            Verdict::OrgLimited
        } else {
            Verdict::Allowed
        };
        let (key_used, org_used) = if verdict == Verdict::Allowed {
            *key_window = Window {
                index: second,
                count: key_used + 1,
            };
            *org = Window {
                index: minute,
                count: org_used + 1,
            };
            (key_used + 1, org_used + 1)
        } else {
            (key_used, org_used)
        };
        if keys.len() > 10_000 {
            keys.retain(|_, w| w.index == second);
        }
        let (key, org) = self.states(key_used, org_used, now_ms);
        let blocking_reset = match verdict {
            Verdict::OrgLimited => org.reset,
            _ => key.reset,
        };
        let retry_after = (blocking_reset * 1000)
            .saturating_sub(now_ms)
            .div_ceil(1000)
            .max(1);
        Decision {
            verdict,
            key,
            org,
            retry_after,
        }
    }

    /// The windows of `key_id` without counting a request.
    pub fn peek(&self, key_id: Option<&str>) -> (WindowState, WindowState) {
        let now = now_ms();
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let org = self.org.lock().unwrap_or_else(|p| p.into_inner());
        let key_used = key_id
            .and_then(|id| keys.get(id))
            .map(|w| w.used_at(now / 1000))
            .unwrap_or(0);
        self.states(key_used, org.used_at(now / 60_000), now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STARTER: Limits = Limits {
        per_key_per_second: 5,
        per_org_per_minute: 300,
    };

    #[test]
    fn per_key_window_admits_the_limit_then_rejects_until_the_second_turns() {
        let limiter = RateLimiter::new(STARTER);
        let t = 1_000_000_000_250;
        for i in 0..5 {
            let d = limiter.check_at("key_a", t + i);
            assert_eq!(d.verdict, Verdict::Allowed, "request {i}");
        }
        let d = limiter.check_at("key_a", t + 10);
        assert_eq!(d.verdict, Verdict::KeyLimited);
        assert_eq!(d.retry_after, 1);
        assert_eq!(limiter.check_at("key_b", t + 11).verdict, Verdict::Allowed);
        assert_eq!(
            limiter.check_at("key_a", t + 1000).verdict,
            Verdict::Allowed
        );
    }

    #[test]
    fn org_window_spans_keys_and_reports_seconds_to_the_minute() {
        let limiter = RateLimiter::new(Limits {
            per_key_per_second: 1000,
            per_org_per_minute: 3,
        });
        let t = 60_000 * 1_000 + 15_000;
        for key in ["a", "b", "c"] {
            assert_eq!(limiter.check_at(key, t).verdict, Verdict::Allowed);
        }
        let d = limiter.check_at("d", t);
        assert_eq!(d.verdict, Verdict::OrgLimited);
        assert_eq!(d.retry_after, 45);
        assert_eq!(d.reported().0, "org");
    }
}
