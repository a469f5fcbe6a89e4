//! The v1 router. Each route is registered from its handler's OpenAPI annotation
//! (utoipa-axum), so an endpoint cannot exist without being documented, and the scope it
//! documents is the scope the access layer enforces.

pub mod campaigns;
pub mod contacts;
pub mod conversations;
pub mod events;
pub mod imports;
pub mod keys;
pub mod listen;
pub mod messages;
pub mod meta;
pub mod sandbox_tools;
pub mod templates;
pub mod usage;
pub mod usage_seed;
pub mod webhooks;

use axum::extract::DefaultBodyLimit;
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
        .merge(
            OpenApiRouter::new()
                .routes(routes!(imports::import_contacts))
                .layer(DefaultBodyLimit::max(imports::MAX_BODY_BYTES)),
        )
        .routes(routes!(imports::get_job))
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
        .routes(routes!(
            campaigns::list_campaigns,
            campaigns::create_campaign
        ))
        .routes(routes!(
            campaigns::get_campaign,
            campaigns::update_campaign,
            campaigns::delete_campaign
        ))
        .routes(routes!(campaigns::send_campaign))
        .routes(routes!(conversations::list_conversations))
        .routes(routes!(conversations::get_conversation))
        .routes(routes!(conversations::assign_conversation))
        .routes(routes!(conversations::resolve_conversation))
        .routes(routes!(events::list_events))
        .routes(routes!(events::event_types))
        .routes(routes!(events::get_event))
        .routes(routes!(usage::list_requests))
        .routes(routes!(usage::summary))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::resend_delivery))
        .routes(routes!(listen::listen));
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
        .routes(routes!(events::simulate_event))
        .routes(routes!(conversations::inbound_message))
        .routes(routes!(usage_seed::seed_usage))
}
