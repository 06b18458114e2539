//! `/api/v1`: JSON for programs. One file per action; each handler carries its OpenAPI annotation,
//! and the router is built from those annotations so the document cannot drift from the routes.

pub mod audit;
pub mod courses;
pub mod directory;
pub mod drift;
pub mod extract;
pub mod health;
pub mod jobs;
pub mod leases;
pub mod machines;
pub mod providers;
pub mod requests;
pub mod session;
pub mod templates;
pub mod tokens;
pub mod users;

use crate::state::AppState;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "vmportal", description = "Self-service portal for virtual machines and containers."),
    modifiers(&SecuritySchemes),
    security(("session" = []), ("token" = [])),
    tags(
        (name = "session", description = "Sign in and out"),
        (name = "templates", description = "The catalogue"),
        (name = "requests", description = "Asking for a machine, and the decision"),
        (name = "machines", description = "Machines and their jobs"),
        (name = "courses", description = "Courses: rosters, deployments, the students' machines"),
        (name = "admin", description = "Users, providers, the sign-in directory and the audit log"),
        (name = "health", description = "Probes"),
    )
)]
struct ApiDoc;

/// The session cookie of a sign-in, or a personal API token as a bearer token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token: POST /api/v1/tokens"))
                    .build(),
            ),
        );
    }
}

/// Every API route with its documentation.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login::login))
        .routes(routes!(session::logout::logout))
        .routes(routes!(session::me::me))
        .routes(routes!(session::password::change))
        .routes(routes!(session::ssh_key::set))
        .routes(routes!(session::totp::begin))
        .routes(routes!(session::totp::confirm))
        .routes(routes!(
            session::preferences::get,
            session::preferences::put
        ))
        .routes(routes!(tokens::list::list, tokens::create::create))
        .routes(routes!(tokens::revoke::revoke))
        .routes(routes!(templates::list::list, templates::create::create))
        .routes(routes!(templates::update::update))
        .routes(routes!(providers::list::list))
        .routes(routes!(requests::list::list, requests::create::create))
        .routes(routes!(requests::get::get))
        .routes(routes!(requests::approve::approve))
        .routes(routes!(requests::reject::reject))
        .routes(routes!(requests::cancel::cancel))
        .routes(routes!(machines::list::list))
        .routes(routes!(
            machines::get::get,
            machines::actions::delete,
            leases::set::set
        ))
        .routes(routes!(leases::extend::extend))
        .routes(routes!(leases::decide::list))
        .routes(routes!(leases::decide::approve))
        .routes(routes!(leases::decide::reject))
        .routes(routes!(machines::actions::start))
        .routes(routes!(machines::actions::shutdown))
        .routes(routes!(machines::actions::stop))
        .routes(routes!(machines::actions::reboot))
        .routes(routes!(machines::credentials::credentials))
        .routes(routes!(
            machines::snapshots::list,
            machines::snapshots::take
        ))
        .routes(routes!(machines::snapshots::revert))
        .routes(routes!(machines::snapshots::delete))
        .routes(routes!(crate::console::ticket::console_ticket))
        .routes(routes!(courses::list::list, courses::list::create))
        .routes(routes!(
            courses::course::get,
            courses::course::update,
            courses::course::delete
        ))
        .routes(routes!(courses::members::get, courses::members::put))
        .routes(routes!(courses::members::csv))
        .routes(routes!(courses::members::sync))
        .routes(routes!(courses::deployments::create))
        .routes(routes!(courses::deployments::get))
        .routes(routes!(courses::machines::list))
        .routes(routes!(jobs::list::list))
        .routes(routes!(jobs::get::get))
        .routes(routes!(jobs::events::events))
        .routes(routes!(drift::list::list))
        .routes(routes!(users::list::list, users::create::create))
        .routes(routes!(users::get::get, users::update::update))
        .routes(routes!(users::totp::reset))
        .routes(routes!(directory::lookup::lookup))
        .routes(routes!(audit::list::list))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}
