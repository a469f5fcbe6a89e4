//! The sandbox's clock. It can be moved forward (`POST /v1/sandbox/clock`) so that key
//! expiry after a rotation grace period can be tested in seconds instead of days, the way
//! payment sandboxes offer test clocks. The offset is persisted with the data.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn with_offset_ms(offset_ms: i64) -> Self {
        Self {
            offset_ms: AtomicI64::new(offset_ms),
        }
    }

    pub fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> DateTime<Utc> {
        from_ms(self.now_ms())
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance_ms(&self, ms: i64) -> i64 {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed) + ms
    }
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}
