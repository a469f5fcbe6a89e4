//! The console's local usage cache.
//!
//! Usage charts are drawn from a copy of the platform's request log kept in `usage.sqlite`
//! per environment, so they open instantly, work offline ("as of" the last sync) and cost
//! the platform one incremental sync instead of a query per view.
//!
//! - [`sync`] pulls `GET /v1/usage/requests` incrementally: watermark plus cursor,
//!   resumable after any interruption with no gap and no duplicate, paced under the plan's
//!   limits, with progress as it goes; [`sync_until`] stops one and says exactly what it
//!   stored.
//! - [`store`] keeps raw rows (pruned after a retention period) and rollups by minute, hour
//!   and day, updated in the transaction that stores each page.
//! - [`query`] answers the charts' questions from the rollups, and can answer the same ones
//!   from raw rows, which is how the rollups are checked, in buckets [`calendar`] lays out
//!   in the viewer's time zone.

pub mod calendar;
pub mod error;
pub mod latency;
pub mod query;
pub mod store;
pub mod sync;

pub use calendar::parse_zone;
pub use chrono_tz::Tz;
pub use error::{Result, UsageError};
pub use query::{
    error_code, Answer, EndpointName, ErrorsBy, Filters, KeyFacet, LogQuery, RecentRequest, Series,
    Source, StatusClass, Summary, VolumeBy, Window,
};
pub use store::{PlanLimits, Resolution, SyncState, UsageStore, DEFAULT_RETENTION_DAYS};
pub use sync::{sync, sync_until, SyncEnd, SyncOptions, SyncProgress, SyncReport, PAGE_SIZE};
