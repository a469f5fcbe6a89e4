//! The BotBat platform's v1 wire format, defined once.
//!
//! The sandbox serves these types, the console's client parses them, and the UI receives
//! them through generated TypeScript bindings, so the three can never disagree about a
//! field name. The OpenAPI schemas come from the same definitions (utoipa).

pub mod campaigns;
pub mod client;
pub mod contract;
pub mod error;
pub mod events;
pub mod platforms;
pub mod ratelimit;
pub mod types;
pub mod usage_seed;

pub use campaigns::*;
pub use client::{
    check_idempotency_key, fresh_idempotency_key, http_transport, is_console_user_agent, Client,
    ClientConfig, Idempotency, Response, CONSOLE_USER_AGENT, IDEMPOTENCY_HEADER,
};
pub use error::{ApiError, ClientError, ErrorBody, ErrorCode, FieldIssue};
pub use events::*;
pub use ratelimit::{Pacer, Wait};
pub use types::*;
pub use usage_seed::*;
