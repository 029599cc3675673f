//! The pages: server-rendered HTML (maud) that works without JavaScript. `routes()` registers
//! W1's pages; `extra_routes()` is where other modules (the network map, the incident simulator)
//! register theirs.

pub mod account;
pub mod admin;
pub mod docs;
pub mod incident; // W2
pub mod layout;
pub mod ledger;
pub mod map; // W2
pub mod overview;
pub mod patrols; // C
pub mod quality; // C
pub mod register;
pub mod siting; // C

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use crate::accounts::SessionUser;
use crate::auth::{Authorized, Refusal};
use crate::error::ServerError;
use crate::i18n::{Language, Texts};
use crate::state::AppState;

/// What a page needs to draw itself: the language, the user and the path asked for.
pub struct Ctx {
    /// The page's language.
    pub language: Language,
    /// The logged-in user and session CSRF token.
    pub session: SessionUser,
    /// Text tables.
    pub texts: Arc<Texts>,
    /// The path and query asked for (for the language switch's way back).
    pub path: String,
}

impl Ctx {
    /// The text of `key` in the page's language.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(self.language, key)
    }
}

/// A page for users of rank `MIN` or above (0 viewer, 1 operator, 2 admin).
pub struct PageOf<const MIN: u8>(pub Ctx);

/// A page any logged-in user may see.
pub type ViewerPage = PageOf<0>;
/// A page for admins.
pub type AdminPage = PageOf<2>;

impl<const MIN: u8> FromRequestParts<AppState> for PageOf<MIN> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let Authorized(session) = Authorized::<MIN>::from_request_parts(parts, state).await?;
        let Ok(language) = Language::from_request_parts(parts, state).await;
        Ok(PageOf(Ctx {
            language,
            session,
            texts: state.texts.clone(),
            path: parts
                .uri
                .path_and_query()
                .map_or("/".to_string(), |p| p.as_str().to_string()),
        }))
    }
}

/// An HTML error page (both languages: it is drawn before the language may be known).
pub fn error_page(error: &ServerError) -> Response {
    let status = error.status();
    let markup: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Danjiang — " (status.as_u16()) }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                main.error {
                    h1 { "出错了 · Something went wrong (" (status.as_u16()) ")" }
                    p.message { (error.public_message()) }
                    p { a href="/" { "返回总览 · Back to the overview" } }
                }
            }
        }
    };
    (status, markup).into_response()
}

/// A page error: an HTML page with the error's status.
#[derive(Debug)]
pub struct PageError(pub ServerError);

impl<E: Into<ServerError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

/// The answer to a page path that matches no route.
pub async fn not_found() -> Response {
    let mut response = error_page(&ServerError::NotFound("no such page".to_string()));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// W1's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(overview::page))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/lang/{code}", get(account::switch_language))
        .route("/ledger", get(ledger::page))
        .route("/ledger.csv", get(ledger::csv))
        .route("/assets", get(register::assets))
        .route("/assets/{code}", get(register::asset))
        .route("/plans", get(register::plans).post(register::set_plan))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{username}", post(admin::change_user))
        .route("/admin/audit", get(admin::audit))
        .route("/api/docs", get(docs::page))
}

/// The extension point: routes of pages other modules add (the network map, the incident
/// simulator). Each module merges its router here.
pub fn extra_routes() -> Router<AppState> {
    Router::new()
        .merge(crate::simulation::routes()) // W2: map, runs, incidents
        .merge(quality::routes()) // C: water quality
        .merge(patrols::routes()) // C: patrols
        .merge(siting::routes()) // C: siting review
}
