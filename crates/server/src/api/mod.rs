//! The JSON API under `/api/v1`: extractors that answer malformed requests with JSON errors,
//! pagination, the routes, and the OpenAPI document that describes them.

pub mod accounts;
pub mod patrols; // C
pub mod quality; // C
pub mod register;
pub mod reports;
pub mod siting; // C

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::{json_error, ApiError, ServerError};
use crate::state::AppState;

/// The most items one page may hold.
pub const MAX_LIMIT: i64 = 1000;
/// Items per page when not asked.
pub const DEFAULT_LIMIT: i64 = 100;

/// A JSON body; malformed JSON, a wrong content type or wrong fields give a 400/415 JSON error.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A query string; malformed values give a 400 JSON error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters; malformed values give a 400 JSON error.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Where a page of a list starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Paging {
    /// Items in the page (1 to 1000).
    pub limit: i64,
    /// Items skipped before the page.
    pub offset: i64,
}

impl Paging {
    /// Checks the asked `limit` and `offset`, filling in defaults (100 from 0).
    pub fn of(limit: Option<i64>, offset: Option<i64>) -> Result<Paging, ServerError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        let offset = offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ServerError::BadRequest(format!(
                "limit {limit}: expected 1 to {MAX_LIMIT}"
            )));
        }
        if offset < 0 {
            return Err(ServerError::BadRequest(format!(
                "offset {offset}: expected 0 or more"
            )));
        }
        Ok(Paging { limit, offset })
    }
}

/// Paging of a list in a query string.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items in the page, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Items skipped (default 0).
    pub offset: Option<i64>,
}

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/overview", get(reports::overview))
        .route("/api/v1/ledger", get(reports::ledger))
        .route("/api/v1/ledger.csv", get(reports::ledger_csv))
        .route("/api/v1/assets", get(register::assets))
        .route("/api/v1/assets/{code}", get(register::asset))
        .route("/api/v1/outlets", get(register::outlets))
        .route("/api/v1/plants", get(register::plants))
        .route(
            "/api/v1/plans",
            get(register::plans).put(register::set_plan),
        )
        .route(
            "/api/v1/users",
            get(accounts::users).post(accounts::create_user),
        )
        .route("/api/v1/users/{username}", patch(accounts::change_user))
        .route("/api/v1/audit", get(accounts::audit))
        .route(
            "/api/v1/session",
            get(accounts::session)
                .post(accounts::log_in)
                .delete(accounts::log_out),
        )
        .route("/api/openapi.json", get(openapi_json))
        .merge(quality::routes()) // C: water quality
        .merge(patrols::routes()) // C: patrols
        .merge(siting::routes()) // C: siting review
}

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Danjiang operations API",
        description = "The data of every Danjiang page as JSON. Log in with POST /api/v1/session \
            (JSON user name and password); the answer sets the session cookie `dj_session` and \
            gives the `csrf_token` that every changing call (POST, PUT, PATCH, DELETE) must send \
            in the header `X-CSRF-Token`. Roles: viewer reads, operator also sets plans, admin \
            also manages users and reads the audit log. Errors are JSON `{code, message}`."
    ),
    paths(
        reports::overview,
        reports::ledger,
        reports::ledger_csv,
        register::assets,
        register::asset,
        register::outlets,
        register::plants,
        register::plans,
        register::set_plan,
        accounts::users,
        accounts::create_user,
        accounts::change_user,
        accounts::audit,
        accounts::session,
        accounts::log_in,
        accounts::log_out,
    ),
    components(schemas(crate::error::ErrorBody, Paging))
)]
pub struct ApiDoc;

/// The whole OpenAPI document: W1's `ApiDoc` merged with the other modules' documents.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    // W2: the map, runs and incident endpoints.
    document.merge(crate::simulation::api::SimulationApi::openapi());
    document.merge(quality::QualityApi::openapi()); // C: water quality
    document.merge(patrols::PatrolApi::openapi()); // C: patrols
    document.merge(siting::SitingApi::openapi()); // C: siting review
    document
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    axum::Json(document()).into_response()
}

fn code_of_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Middleware: under `/api/`, any error answered without a JSON body (axum's own 404, 405, body
/// limit and the like) becomes a JSON error with the same status.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_string()
    } else {
        text
    };
    let mut fresh = json_error(status, code_of_status(status), &message);
    for (name, value) in parts.headers.iter() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

/// The answer to an `/api/` path that matches no route.
pub async fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "not_found", "no such API endpoint")
}
