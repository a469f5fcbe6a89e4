//! The console's one HTTP transport ([`botbat_api::http_transport`]: its TLS roots, pool
//! and User-Agent), shared by the platform clients and the Botbiz and Botmaker connections,
//! so every request the console makes reuses one pool of warm connections.

use std::sync::OnceLock;

use crate::CommandError;

/// A transport given ahead of time (see [`crate::EarlyStart`]) or built on first use. A
/// build that failed is tried again by the next use, and its error is that use's error.
#[derive(Default)]
pub(crate) struct LazyTransport(OnceLock<reqwest::Client>);

impl LazyTransport {
    /// Uses `http` from now on, unless a transport was already given or built.
    pub(crate) fn give(&self, http: reqwest::Client) {
        let _ = self.0.set(http);
    }

    pub(crate) fn get(&self) -> Result<reqwest::Client, CommandError> {
        if let Some(http) = self.0.get() {
            return Ok(http.clone());
        }
        let http = botbat_api::http_transport()?;
        Ok(self.0.get_or_init(|| http).clone())
    }
}
