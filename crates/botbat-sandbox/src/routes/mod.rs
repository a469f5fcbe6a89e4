//! The v1 router. Each route is registered from its handler's OpenAPI annotation
//! (utoipa-axum), so an endpoint cannot exist without being documented, and the scope it
//! documents is the scope the access layer enforces.

pub mod contacts;
pub mod keys;
pub mod messages;
pub mod meta;
pub mod sandbox_tools;
pub mod templates;
pub mod usage;
pub mod webhooks;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Every v1 route; `live` leaves out the sandbox-only controls.
pub fn v1(live: bool) -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::openapi_json))
        .routes(routes!(meta::list_scopes))
        .routes(routes!(meta::me))
        .routes(routes!(meta::rate_limits))
        .routes(routes!(keys::list_keys, keys::create_key))
        .routes(routes!(keys::get_key, keys::revoke_key))
        .routes(routes!(keys::rotate_key))
        .routes(routes!(contacts::list_contacts, contacts::create_contact))
        .routes(routes!(contacts::search_contacts))
        .routes(routes!(
            contacts::get_contact,
            contacts::update_contact,
            contacts::delete_contact
        ))
        .routes(routes!(
            templates::list_templates,
            templates::create_template
        ))
        .routes(routes!(
            templates::get_template,
            templates::update_template,
            templates::delete_template
        ))
        .routes(routes!(templates::submit_template))
        .routes(routes!(messages::send_message))
        .routes(routes!(messages::get_message))
        .routes(routes!(usage::list_requests))
        .routes(routes!(usage::summary))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ));
    if live {
        return router;
    }
    router
        .routes(routes!(
            sandbox_tools::get_clock,
            sandbox_tools::advance_clock
        ))
        .routes(routes!(
            sandbox_tools::list_faults,
            sandbox_tools::add_fault,
            sandbox_tools::clear_faults
        ))
}
