//! Accounts: logging in and out (pages and API, throttled per account and address), and for
//! admins the users (create, change role or activity), login lockouts and the audit log.

pub mod admin_pages;
pub mod api;
pub mod pages;
pub mod throttle;
pub mod users;

use axum::routing::{get, patch, post};
use axum::Router;
use utoipa::OpenApi;

/// Roles, users and token digests live with the sessions in `web::session`; they are named here
/// too, where the command line and the tests look for them.
pub use crate::web::session::{token_digest, Role, User};
use crate::web::state::AppState;

/// The accounts' routes: login and logout, the admin pages, and the API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route(
            "/admin/users",
            get(admin_pages::users).post(admin_pages::create_user),
        )
        .route("/admin/users/{username}", post(admin_pages::change_user))
        .route("/admin/lockouts", post(admin_pages::lift_lockout))
        .route("/admin/audit", get(admin_pages::audit))
        .route("/api/v1/users", get(api::users).post(api::create_user))
        .route("/api/v1/users/{username}", patch(api::change_user))
        .route("/api/v1/audit", get(api::audit))
        .route(
            "/api/v1/lockouts",
            get(api::lockouts).delete(api::lift_lockout),
        )
        .route(
            "/api/v1/session",
            get(api::session).post(api::log_in).delete(api::log_out),
        )
}

/// The accounts' part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::AccountsApi::openapi()
}
