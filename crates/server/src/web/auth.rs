//! Who is asking and what they may do: the session cookie, the role extractors
//! (`Authorized<MIN>`: `Viewer`, `Operator`, `Admin`) and the CSRF checks of forms and API calls.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::web::error::{ApiError, ServerError};
use crate::web::page::error_page;
use crate::web::session::{self, Role, SessionUser};
use crate::web::state::AppState;

/// The cookie holding the session token (HttpOnly, SameSite=Lax).
pub const SESSION_COOKIE: &str = "dj_session";
/// The header carrying the CSRF token on changing API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The largest form body accepted, bytes.
pub const FORM_LIMIT: usize = 64 * 1024;

/// A refused request: JSON for the API, a redirect to the login page or an HTML error for pages.
#[derive(Debug)]
pub struct Refusal {
    /// Whether the request was an API call.
    pub api: bool,
    /// Where the request went (to come back after logging in).
    pub path: String,
    /// Why it was refused.
    pub error: ServerError,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        if self.api {
            return ApiError(self.error).into_response();
        }
        match self.error {
            ServerError::Unauthenticated => {
                let next = safe_next(Some(&self.path));
                let encoded: String =
                    serde_urlencoded_next(&next).unwrap_or_else(|| "%2F".to_string());
                Redirect::to(&format!("/login?next={encoded}")).into_response()
            }
            error => error_page(&error).into_response(),
        }
    }
}

fn serde_urlencoded_next(next: &str) -> Option<String> {
    serde_urlencoded::to_string([("n", next)])
        .ok()
        .and_then(|s| s.strip_prefix("n=").map(String::from))
}

fn refusal(parts: &Parts, error: ServerError) -> Refusal {
    Refusal {
        api: parts.uri.path().starts_with("/api/"),
        path: parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.as_str().to_string()),
        error,
    }
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The logged-in user of a request, whatever the role (pages use it to draw navigation).
pub async fn session_of(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<SessionUser>, ServerError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    session::session_user(&state.store, &token).await
}

/// A request by a logged-in user whose role ranks at least `MIN` (0 viewer, 1 operator, 2 admin).
/// Changing API calls (not GET/HEAD/OPTIONS under `/api/`) must also carry the session's CSRF token
/// in `X-CSRF-Token`; changing page requests use [`FormAs`], which checks the form's `csrf` field.
#[derive(Debug, Clone)]
pub struct Authorized<const MIN: u8>(pub SessionUser);

/// Any logged-in user.
pub type Viewer = Authorized<0>;
/// An operator or an admin.
pub type Operator = Authorized<1>;
/// An admin.
pub type Admin = Authorized<2>;

impl<const MIN: u8> FromRequestParts<AppState> for Authorized<MIN> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let session = session_of(parts, state)
            .await
            .map_err(|e| refusal(parts, e))?
            .ok_or_else(|| refusal(parts, ServerError::Unauthenticated))?;
        let need = Role::of_rank(MIN);
        if session.user.role < need {
            return Err(refusal(
                parts,
                ServerError::Forbidden {
                    have: session.user.role.as_str(),
                    need: need.as_str(),
                },
            ));
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if parts.uri.path().starts_with("/api/") && !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !tokens_equal(sent, &session.csrf) {
                return Err(refusal(parts, ServerError::Csrf));
            }
        }
        Ok(Authorized(session))
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A submitted page form (`application/x-www-form-urlencoded`) by a user of rank `MIN` or above,
/// refused unless its `csrf` field is the session's token.
pub struct FormAs<const MIN: u8, T>(pub SessionUser, pub T);

impl<const MIN: u8, T: DeserializeOwned + Send> FromRequest<AppState> for FormAs<MIN, T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Refusal> {
        let (mut parts, body) = request.into_parts();
        let Authorized(session) = Authorized::<MIN>::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| {
            refusal(
                &parts,
                ServerError::TooLarge(format!("form: expected at most {FORM_LIMIT} bytes")),
            )
        })?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| refusal(&parts, ServerError::BadRequest(format!("form: {e}"))))?;
        if !tokens_equal(&field.csrf, &session.csrf) {
            return Err(refusal(&parts, ServerError::Csrf));
        }
        let value: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| refusal(&parts, ServerError::BadRequest(format!("form: {e}"))))?;
        Ok(FormAs(session, value))
    }
}

/// The parsed body of a form that needs no session (the login form).
pub async fn plain_form<T: DeserializeOwned>(body: Bytes) -> Result<T, ServerError> {
    serde_urlencoded::from_bytes(&body).map_err(|e| ServerError::BadRequest(format!("form: {e}")))
}

/// The session cookie for a new session (a browser-session cookie; the server ends the session
/// after `session::SESSION_SECONDS` whatever the browser keeps).
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// A cookie that removes the session cookie.
pub fn expired_session_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").build()
}

/// Where to go after logging in or switching language.
#[derive(Debug, Deserialize)]
pub struct Next {
    /// A path on this site.
    pub next: Option<String>,
}

/// A path on this site to go back to after logging in or switching language; anything else is
/// `/`. Accepted only as one `/` then visible ASCII without a backslash: browsers read `//`,
/// `/\\` and `/<tab>/` as another site, and a control character cannot go in a `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if is_same_origin_path(path) => path.to_string(),
        _ => "/".to_string(),
    }
}

/// Whether `path` can only name a page of this site (see [`safe_next`]).
pub fn is_same_origin_path(path: &str) -> bool {
    let mut bytes = path.bytes();
    bytes.next() == Some(b'/')
        && !matches!(bytes.next(), Some(b'/' | b'\\'))
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// The client's address (the IP, no port), for login throttling: the connection's peer, or
/// behind a proxy (`AppState::behind_proxy`) the last `X-Forwarded-For` entry, which the proxy
/// appends; `None` when neither is known (requests sent to the router without a socket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        let forwarded = || {
            let header = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?;
            let last = header.to_str().ok()?.rsplit(',').next()?.trim();
            last.parse::<std::net::IpAddr>().ok()
        };
        let peer = || {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip())
        };
        let address = if state.behind_proxy {
            forwarded().or_else(peer)
        } else {
            peer()
        };
        Ok(ClientAddress(address.map(|ip| ip.to_string())))
    }
}
