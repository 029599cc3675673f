//! Logging in and out.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use maud::{html, DOCTYPE};
use serde::Deserialize;

use super::users::{log_in_audited, log_out_audited};
use crate::web::auth::{self, plain_form, safe_next, tokens_equal, ClientAddress, FormAs, Next};
use crate::web::error::ServerError;
use crate::web::i18n::Language;
use crate::web::page::PageError;
use crate::web::session::random_token;
use crate::web::state::AppState;

/// The cookie holding the login form's CSRF token (double submit: cookie and hidden field).
pub const LOGIN_CSRF_COOKIE: &str = "dj_login_csrf";

fn login_markup(
    state: &AppState,
    language: Language,
    next: &str,
    csrf: &str,
    alert: Option<&str>,
) -> maud::Markup {
    let t = |key| state.texts.get(language, key);
    html! {
        (DOCTYPE)
        html lang=(language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("login.title")) " · " (t("app_name")) }
                link rel="stylesheet" href="/static/style.css";
            }
            body.login {
                main.login {
                    h1 { (t("app_name")) }
                    p.languages {
                        @for other in Language::ALL {
                            a href={ "/lang/" (other.code()) "?next=" (crate::web::layout::encode(&format!("/login?next={}", crate::web::layout::encode(next)))) } {
                                (state.texts.get(other, "language_name"))
                            } " "
                        }
                    }
                    h2 { (t("login.title")) }
                    @if let Some(alert) = alert {
                        p.error role="alert" { (alert) }
                    }
                    form method="post" action="/login" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="next" value=(next);
                        label { (t("login.username")) input name="username" autocomplete="username" required autofocus; }
                        label { (t("login.password")) input type="password" name="password" autocomplete="current-password" required; }
                        button type="submit" { (t("login.submit")) }
                    }
                }
            }
        }
    }
}

fn login_cookie(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(token) = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()) {
        if token.len() == 64 {
            return (jar, token);
        }
    }
    let token = random_token();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, token.clone()))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    (jar.add(cookie), token)
}

/// `GET /login`.
pub async fn login_form(
    State(state): State<AppState>,
    language: Language,
    jar: CookieJar,
    Query(next): Query<Next>,
) -> Response {
    let (jar, csrf) = login_cookie(jar, state.secure_cookies);
    let next = safe_next(next.next.as_deref());
    (jar, login_markup(&state, language, &next, &csrf, None)).into_response()
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: checks the form's token against its cookie, then the password (throttled per
/// account and address).
pub async fn login(
    State(state): State<AppState>,
    language: Language,
    jar: CookieJar,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> Result<Response, PageError> {
    let form: LoginForm = plain_form(body).await?;
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !tokens_equal(&form.csrf, &expected) {
        return Err(ServerError::Csrf.into());
    }
    let next = safe_next(form.next.as_deref());
    let outcome = log_in_audited(
        &state,
        form.username.trim(),
        &form.password,
        address.as_deref(),
    )
    .await;
    let again = |status: StatusCode, alert: &str| {
        (
            status,
            login_markup(&state, language, &next, &expected, Some(alert)),
        )
            .into_response()
    };
    match outcome {
        Ok((_user, token, _csrf)) => {
            let jar = jar
                .add(auth::session_cookie(token, state.secure_cookies))
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login").build());
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(ServerError::BadLogin) => Ok(again(
            StatusCode::UNAUTHORIZED,
            state.texts.get(language, "login.failed"),
        )),
        Err(error @ ServerError::Throttled { .. }) => {
            let seconds = error.retry_after().unwrap_or(1);
            let minutes = ((seconds + 59) / 60).to_string();
            let text = state.texts.get(language, "login.throttled");
            let mut response = again(
                StatusCode::TOO_MANY_REQUESTS,
                &text.replace("{minutes}", &minutes),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// The log-out form (only its CSRF field).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    FormAs(session, Empty {}): FormAs<0, Empty>,
) -> Result<Response, PageError> {
    if let Some(token) = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_string()) {
        log_out_audited(&state, &session.user.username, &token).await?;
    }
    Ok((
        jar.remove(auth::expired_session_cookie()),
        Redirect::to("/login"),
    )
        .into_response())
}
