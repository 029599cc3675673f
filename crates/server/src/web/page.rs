//! What every page shares: the request's language, user and path ([`Ctx`]), the role-checked
//! page extractor, and errors drawn as HTML pages.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use crate::web::auth::{Authorized, Refusal};
use crate::web::error::ServerError;
use crate::web::i18n::{Language, Texts};
use crate::web::session::SessionUser;
use crate::web::state::AppState;

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
    let mut response = (status, markup).into_response();
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    response
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
