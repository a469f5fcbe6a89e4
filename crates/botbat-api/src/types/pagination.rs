//! The envelope and the `?cursor=&limit=` parameters every list endpoint shares.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

/// Every list endpoint answers with this envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `?cursor=` to get the next page; `null` on the last page.
    pub cursor: Option<String>,
    #[ts(type = "number")]
    pub total: u64,
}

/// `?cursor=&limit=` of every list endpoint.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100; 25 when omitted. Kept as text so that a bad value is a
    /// 422 naming `limit`, not a parse failure.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}
