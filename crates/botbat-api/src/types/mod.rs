//! Resources and request bodies of the v1 API, one module per resource as the sandbox's
//! `routes/` has them, so a resource's wire types sit one hop from its handlers. Everything
//! is re-exported here (and from the crate root), so `botbat_api::X` names every type.

mod contacts;
mod keys;
mod messages;
mod meta;
mod pagination;
mod sandbox_tools;
mod scopes;
mod templates;
mod usage;
mod webhooks;

pub use contacts::*;
pub use keys::*;
pub use messages::*;
pub use meta::*;
pub use pagination::*;
pub use sandbox_tools::*;
pub use scopes::*;
pub use templates::*;
pub use usage::*;
pub use webhooks::*;
