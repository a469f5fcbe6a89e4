//! Injected failures (`/v1/sandbox/faults`), so that client retry logic is tested against
//! the real server instead of a mock.
//!
//! The layer that fires them sits between the access layer and the idempotency layer: a
//! fault only hits a request that authenticated and passed its scope check (what a real
//! outage looks like to a client holding a good key), a `reject` fault answers before the
//! idempotency layer sees the request (nothing ran, so nothing is saved and a retry runs it),
//! and an `after_commit` fault lets the request run through the idempotency layer, which
//! saves the real response, before the client gets the injected status instead. That is the
//! lost response an `Idempotency-Key` exists for.

use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use botbat_api::{ErrorCode, Fault, FaultMode};

use crate::error::SandboxError;
use crate::state::{AppState, Caller};

/// The most faults armed at once. Each fires at most 100 times, so the list a request scans
/// stays short and a runaway test script gets a clear 409 instead of growing memory.
pub const MAX_ARMED: usize = 50;

/// The armed faults, in the order they were armed; the first match fires.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    /// Arms a fault, or says how many are armed when the list is full.
    pub fn arm(&self, fault: Fault) -> Result<(), usize> {
        let mut faults = self.lock();
        if faults.len() >= MAX_ARMED {
            return Err(faults.len());
        }
        faults.push(fault);
        Ok(())
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Takes one firing of the first fault armed for this route, if any.
    pub fn take(&self, method: &Method, route: &str) -> Option<(u16, FaultMode)> {
        let mut faults = self.lock();
        let index = faults
            .iter()
            .position(|f| f.method.eq_ignore_ascii_case(method.as_str()) && f.path == route)?;
        let fault = &mut faults[index];
        let fired = (fault.status, fault.mode);
        fault.remaining = fault.remaining.saturating_sub(1);
        if fault.remaining == 0 {
            faults.remove(index);
        }
        Some(fired)
    }
}

/// Fires an armed fault on an authenticated request (one the access layer let through).
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.extensions().get::<Caller>().is_none() {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let Some(route) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        return next.run(req).await;
    };
    let Some((status, mode)) = state.faults.take(&method, &route) else {
        return next.run(req).await;
    };
    let message = match mode {
        FaultMode::Reject => {
            format!("Injected fault: the sandbox was asked to fail {method} {route} with {status}.")
        }
        FaultMode::AfterCommit => {
            // The real response is dropped here, after the layers inside (the idempotency
            // record among them) have seen it.
            drop(next.run(req).await);
            format!(
                "Injected fault: the sandbox ran {method} {route} and saved its changes, then was asked to answer {status} instead of its response."
            )
        }
    };
    let mut error = SandboxError::new(ErrorCode::InternalError, message);
    error.status = Some(status);
    error.into_response()
}
