//! Users, the audit log and login sessions as JSON, and their part of the OpenAPI document.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::throttle::{self, Lockout, Scope};
use super::users::{
    self, change_user_audited, create_user_audited, lift_lockout_audited, log_in_audited,
    log_out_audited, NewUser, UserChange,
};
use crate::web::api::{ApiJson, ApiPath, ApiQuery};
use crate::web::audit::{self, AuditEntry};
use crate::web::auth::{self, Admin, Authorized, ClientAddress, Viewer};
use crate::web::dates::now;
use crate::web::error::{ApiError, ServerError};
use crate::web::paging::{PageParams, Paging};
use crate::web::session::User;
use crate::web::state::AppState;

/// One page of users.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserPage {
    /// Users in all.
    pub total: i64,
    /// The page.
    pub paging: Paging,
    /// The users, by name.
    pub items: Vec<User>,
}

/// `GET /api/v1/users`: the accounts (admin).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(PageParams),
    responses((status = 200, body = UserPage), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<ApiJson<UserPage>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    let (items, total) = users::list_users(&state.store, paging.limit, paging.offset).await?;
    Ok(ApiJson(UserPage {
        total,
        paging,
        items,
    }))
}

/// `POST /api/v1/users`: creates a user (admin; audited).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = User), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    Authorized(session): Admin,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<Response, ApiError> {
    let user = create_user_audited(&state, &session.user.username, &new).await?;
    Ok((StatusCode::CREATED, ApiJson(user)).into_response())
}

/// `PATCH /api/v1/users/{username}`: changes a user's name, role, activity or password (admin;
/// audited).
#[utoipa::path(patch, path = "/api/v1/users/{username}", tag = "accounts", request_body = UserChange,
    params(("username" = String, Path, description = "User name")),
    responses((status = 200, body = User), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    Authorized(session): Admin,
    ApiPath(username): ApiPath<String>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<ApiJson<User>, ApiError> {
    if username == session.user.username
        && (change.role.is_some_and(|r| r != session.user.role) || change.active == Some(false))
    {
        return Err(ServerError::BadRequest(
            "admins may not lower their own role or disable themselves; ask another admin".into(),
        )
        .into());
    }
    Ok(ApiJson(
        change_user_audited(&state, &session.user.username, &username, &change).await?,
    ))
}

/// One page of the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    /// Entries in all.
    pub total: i64,
    /// The page.
    pub paging: Paging,
    /// The entries, newest first.
    pub items: Vec<AuditEntry>,
}

/// `GET /api/v1/audit`: the audit log, newest first (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts", params(PageParams),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<ApiJson<AuditPage>, ApiError> {
    let paging = Paging::of(params.limit, params.offset)?;
    let (items, total) = audit::list(&state.store, paging.limit, paging.offset).await?;
    Ok(ApiJson(AuditPage {
        total,
        paging,
        items,
    }))
}

/// A login.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The logged-in user and the token changing calls must send.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    /// The user.
    pub user: User,
    /// Send as header `X-CSRF-Token` with every POST, PUT, PATCH and DELETE.
    pub csrf_token: String,
}

/// `POST /api/v1/session`: logs in; sets the session cookie and returns the CSRF token. After
/// 5 failures for an account in 15 minutes, or 20 from an address, further attempts are
/// answered 429 with `Retry-After` until the window passes or an admin lifts the lockout.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = Login,
    responses((status = 200, body = SessionInfo), (status = 401, body = crate::web::error::ErrorBody),
        (status = 429, body = crate::web::error::ErrorBody, description = "locked out for a while")))]
pub async fn log_in(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientAddress(address): ClientAddress,
    ApiJson(login): ApiJson<Login>,
) -> Result<(CookieJar, ApiJson<SessionInfo>), ApiError> {
    let (user, token, csrf) =
        log_in_audited(&state, &login.username, &login.password, address.as_deref()).await?;
    Ok((
        jar.add(auth::session_cookie(token, state.secure_cookies)),
        ApiJson(SessionInfo {
            user,
            csrf_token: csrf,
        }),
    ))
}

/// `GET /api/v1/session`: who is logged in, and the CSRF token.
#[utoipa::path(get, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, body = SessionInfo), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn session(Authorized(session): Viewer) -> ApiJson<SessionInfo> {
    ApiJson(SessionInfo {
        user: session.user,
        csrf_token: session.csrf,
    })
}

/// `DELETE /api/v1/session`: logs out (CSRF header required).
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 204), (status = 401, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn log_out(
    State(state): State<AppState>,
    Authorized(session): Viewer,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    if let Some(token) = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_string()) {
        log_out_audited(&state, &session.user.username, &token).await?;
    }
    Ok((
        jar.remove(auth::expired_session_cookie()),
        StatusCode::NO_CONTENT,
    ))
}

/// `GET /api/v1/lockouts`: the accounts and addresses locked out after failed logins (admin).
#[utoipa::path(get, path = "/api/v1/lockouts", tag = "accounts",
    responses((status = 200, body = [Lockout]), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn lockouts(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<ApiJson<Vec<Lockout>>, ApiError> {
    Ok(ApiJson(throttle::lockouts(&state.store, now()).await?))
}

/// Which lockout.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LockoutKey {
    /// `account` or `address`.
    pub scope: Scope,
    /// The account name tried, or the address.
    pub subject: String,
}

/// `DELETE /api/v1/lockouts?scope=…&subject=…`: forgets the failed logins of an account name
/// or an address, lifting its lockout (admin; CSRF header; audited).
#[utoipa::path(delete, path = "/api/v1/lockouts", tag = "accounts", params(LockoutKey),
    responses((status = 204), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn lift_lockout(
    State(state): State<AppState>,
    Authorized(session): Admin,
    ApiQuery(key): ApiQuery<LockoutKey>,
) -> Result<StatusCode, ApiError> {
    lift_lockout_audited(&state, &session.user.username, key.scope, &key.subject).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The accounts' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        users,
        create_user,
        change_user,
        audit,
        session,
        log_in,
        log_out,
        lockouts,
        lift_lockout
    ),
    components(schemas(Lockout, Scope))
)]
pub struct AccountsApi;
