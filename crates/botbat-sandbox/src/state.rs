//! What every handler shares.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use botbat_api::{EndpointRef, Organization, Plan, Scope};
use sqlx::SqlitePool;

use crate::clock::Clock;
use crate::event_log::EventBus;
use crate::faults::Faults;
use crate::key_store::KeyIndex;
use crate::limiter::RateLimiter;
use crate::meter::Meter;

/// Who may call a route, read from the OpenAPI document so that the published contract and
/// the enforced one are the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    AnyKey,
    Scope(Scope),
}

#[derive(Debug, Clone)]
struct Rule {
    access: Access,
    /// The handler's operationId, for errors about this route.
    handler: String,
}

#[derive(Debug, Default)]
pub struct RouteTable {
    routes: HashMap<(Method, String), Rule>,
}

impl RouteTable {
    pub fn insert(&mut self, method: Method, path: String, access: Access, handler: String) {
        self.routes.insert((method, path), Rule { access, handler });
    }

    /// The rule of a route template; `HEAD` follows `GET`, which serves it. `None` when the
    /// document has no operation for it: the caller must refuse the request.
    pub fn access(&self, method: &Method, path: &str) -> Option<Access> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.routes
            .get(&(method.clone(), path.to_string()))
            .map(|rule| rule.access)
    }

    /// Every documented route template, once each.
    pub fn paths(&self) -> BTreeSet<&str> {
        self.routes.keys().map(|(_, path)| path.as_str()).collect()
    }

    /// The handlers documented on a route template, for naming them in errors.
    pub fn handlers_at(&self, path: &str) -> Vec<&str> {
        let mut handlers: Vec<&str> = self
            .routes
            .iter()
            .filter(|((_, p), _)| p == path)
            .map(|(_, rule)| rule.handler.as_str())
            .collect();
        handlers.sort_unstable();
        handlers
    }

    /// Every rule as (method, route template, handler).
    pub fn rules(&self) -> impl Iterator<Item = (&Method, &str, &str)> {
        self.routes
            .iter()
            .map(|((method, path), rule)| (method, path.as_str(), rule.handler.as_str()))
    }

    pub fn endpoints_for(&self, scope: Scope) -> Vec<EndpointRef> {
        let mut endpoints: Vec<EndpointRef> = self
            .routes
            .iter()
            .filter(|(_, rule)| rule.access == Access::Scope(scope))
            .map(|((method, path), _)| EndpointRef {
                method: method.to_string(),
                path: path.clone(),
            })
            .collect();
        endpoints.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        endpoints
    }
}

pub struct Shared {
    pub db: SqlitePool,
    pub clock: Clock,
    pub keys: KeyIndex,
    pub limiter: RateLimiter,
    pub meter: Meter,
    pub plan: Plan,
    pub organization: Organization,
    pub faults: Faults,
    pub routes: RouteTable,
    pub openapi_json: String,
    /// Off only in benchmarks, to measure what auth, limits and metering cost.
    pub access_control: bool,
    /// How long a template review takes, on the sandbox clock.
    pub review_delay_ms: i64,
    /// The time between a message's delivery steps, on the sandbox clock.
    pub message_step_ms: i64,
    /// A production stand-in: `bb_live_` keys, `livemode: true`, https-only webhooks, no
    /// `/v1/sandbox/*` controls.
    pub live: bool,
    pub bus: EventBus,
    /// Webhook endpoints with a delivery worker running.
    pub in_flight: Claims,
    /// Campaigns being sent by a task of this process.
    pub campaigns_running: Claims,
    /// Webhook delivery's HTTP client (15 s timeout, no redirects, no proxy).
    pub http: reqwest::Client,
    /// Waits before the second, third, … delivery attempt.
    pub retry_schedule: Vec<std::time::Duration>,
    /// Signs the events sent to listen sessions (`GET /v1/webhooks/listen`).
    pub listen_secret: String,
    /// When each key last caused a `rate_limit.exceeded` event (at most one a minute).
    pub rate_limit_events: Mutex<HashMap<String, i64>>,
}

/// Names claimed by one task at a time (an endpoint's delivery worker, a sending campaign).
#[derive(Debug, Default)]
pub struct Claims(Mutex<HashSet<String>>);

impl Claims {
    /// True if the name was free and is now claimed.
    pub fn claim(&self, name: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string())
    }

    pub fn release(&self, name: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name);
    }
}

#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The authenticated caller, put in the request's extensions by the access layer.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: String,
    pub scopes: Vec<Scope>,
}
